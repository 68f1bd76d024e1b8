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

}  // namespace
}  // namespace telederm::auth
