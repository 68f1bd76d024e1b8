#include "common/auth/policy.h"

#include <gtest/gtest.h>

#include <google/protobuf/descriptor.h>

#include "absl/strings/str_cat.h"
#include "proto/catalog/service_catalog.h"

namespace telederm::auth {
namespace {

TEST(PolicyTest, EveryRpcOfEveryTeledermServiceIsInTheTable) {
  int methods = 0;
  for (const google::protobuf::MethodDescriptor* method : v1::AllServiceMethods()) {
    std::string path = absl::StrCat("/", method->service()->full_name(), "/", method->name());
    const MethodPolicy* policy = FindMethodPolicy(path);
    EXPECT_NE(policy, nullptr) << path << " is missing from the policy table (common/auth/policy.cc)";
    if (policy != nullptr) {
      EXPECT_FALSE(policy->open) << path << " must not be open";
    }
    ++methods;
  }
  EXPECT_GT(methods, 20);
}

TEST(PolicyTest, ClinicsOnlyOnTheClinicSideSpecialistsOnlyOnTheirs) {
  auto allowed = [](absl::string_view method, Role role) {
    return Authorize(FindMethodPolicy(method), method, role).ok();
  };
  EXPECT_TRUE(allowed("/telederm.v1.IntakeService/GetCase", Role::kClinic));
  EXPECT_FALSE(allowed("/telederm.v1.IntakeService/GetCase", Role::kSpecialist));
  EXPECT_FALSE(allowed("/telederm.v1.IntakeService/GetCase", Role::kAdmin));
  EXPECT_TRUE(allowed("/telederm.v1.ReferralService/ClaimNext", Role::kSpecialist));
  EXPECT_TRUE(allowed("/telederm.v1.ReferralService/ClaimNext", Role::kSupervisor));
  EXPECT_FALSE(allowed("/telederm.v1.ReferralService/ClaimNext", Role::kClinic));
  EXPECT_FALSE(allowed("/telederm.v1.ReferralService/ClaimNext", Role::kAdmin));
  EXPECT_FALSE(allowed("/telederm.v1.ReferralService/ClaimNext", Role::kService));
  EXPECT_TRUE(allowed("/telederm.v1.SecurityService/ListAuditEntries", Role::kAdmin));
  EXPECT_FALSE(allowed("/telederm.v1.SecurityService/ListAuditEntries", Role::kSupervisor));
  EXPECT_TRUE(allowed("/grpc.health.v1.Health/Check", Role::kService));
}

TEST(PolicyTest, UnknownMethodIsPermissionDenied) {
  absl::Status s = Authorize(FindMethodPolicy("/telederm.v1.IntakeService/DeleteEverything"),
                             "/telederm.v1.IntakeService/DeleteEverything", Role::kAdmin);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
}

TEST(PolicyTest, RefusalNamesTheRoleWithItsArticle) {
  const std::string method = "/telederm.v1.IntakeService/GetCase";
  absl::Status admin = Authorize(FindMethodPolicy(method), method, Role::kAdmin);
  EXPECT_EQ(admin.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(admin.message(), "an admin token may not call IntakeService/GetCase");
  absl::Status specialist = Authorize(FindMethodPolicy(method), method, Role::kSpecialist);
  EXPECT_EQ(specialist.message(), "a specialist token may not call IntakeService/GetCase");
}

TEST(PolicyTest, BreakGlassReasonNeedsTenCharactersThatAreNotSpaces) {
  const std::string method = "/telederm.v1.FhirExportService/ExportCaseFhir";
  auto authorize = [&](absl::string_view reason) {
    return Authorize(FindMethodPolicy(method), method, Role::kAdmin, reason);
  };
  EXPECT_TRUE(authorize("incident INC-2231: clinic reports a missing report").ok());
  const std::string refusal =
      "an administrator may read a patient's case only with a stated reason: send metadata "
      "'x-telederm-break-glass-reason' of 10 to 500 printable characters, at least 10 of them not spaces (e.g. "
      "the incident number and why); it is recorded in the audit trail";
  absl::Status spaces = authorize(std::string(40, ' '));
  EXPECT_EQ(spaces.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(spaces.message(), refusal + " (got 40 characters, 0 of them not spaces)");
  absl::Status padded = authorize("   INC 22     31    ");
  EXPECT_EQ(padded.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(padded.message(), refusal + " (got 20 characters, 7 of them not spaces)");
  EXPECT_EQ(authorize("").message(), refusal);
  // Spaces other than the ASCII one are blank too: no-break (U+00A0), ideographic (U+3000), em (U+2003).
  std::string wide_spaces;
  for (int i = 0; i < 4; ++i) wide_spaces += "\xc2\xa0\xe3\x80\x80\xe2\x80\x83";
  absl::Status blank = authorize(wide_spaces);
  EXPECT_EQ(blank.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(blank.message(), refusal + " (got 12 characters, 0 of them not spaces)");
}

}  // namespace
}  // namespace telederm::auth
