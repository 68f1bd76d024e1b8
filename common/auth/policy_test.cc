#include "common/auth/policy.h"

#include <gtest/gtest.h>

#include <google/protobuf/descriptor.h>

#include "absl/strings/str_cat.h"
#include "telederm/v1/delivery.pb.h"
#include "telederm/v1/fhir.pb.h"
#include "telederm/v1/intake.pb.h"
#include "telederm/v1/referral.pb.h"
#include "telederm/v1/security.pb.h"
#include "telederm/v1/triage.pb.h"

namespace telederm::auth {
namespace {

TEST(PolicyTest, EveryRpcOfEveryTeledermServiceIsInTheTable) {
  // Referencing one message per file links its descriptor into the pool.
  (void)v1::GetCaseRequest::descriptor();
  (void)v1::ListQueueRequest::descriptor();
  (void)v1::GetTriageResultRequest::descriptor();
  (void)v1::ListAuditEntriesRequest::descriptor();
  (void)v1::ExportCaseFhirRequest::descriptor();
  (void)v1::ListDeadLettersRequest::descriptor();
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  int methods = 0;
  for (const char* file : {"telederm/v1/intake.proto", "telederm/v1/triage.proto", "telederm/v1/referral.proto",
                           "telederm/v1/security.proto", "telederm/v1/delivery.proto", "telederm/v1/fhir.proto"}) {
    const google::protobuf::FileDescriptor* descriptor = pool->FindFileByName(file);
    ASSERT_NE(descriptor, nullptr) << file << " is not linked into the test";
    for (int s = 0; s < descriptor->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* service = descriptor->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        std::string path = absl::StrCat("/", service->full_name(), "/", service->method(m)->name());
        const MethodPolicy* policy = FindMethodPolicy(path);
        EXPECT_NE(policy, nullptr) << path << " is missing from the policy table (common/auth/policy.cc)";
        if (policy != nullptr) EXPECT_FALSE(policy->open) << path << " must not be open";
        ++methods;
      }
    }
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
