#include "proto/catalog/service_catalog.h"

#include "telederm/v1/delivery.pb.h"
#include "telederm/v1/fhir.pb.h"
#include "telederm/v1/image.pb.h"
#include "telederm/v1/intake.pb.h"
#include "telederm/v1/referral.pb.h"
#include "telederm/v1/security.pb.h"
#include "telederm/v1/triage.pb.h"

namespace telederm::v1 {

const std::vector<const char*>& ServiceProtoFiles() {
  static const std::vector<const char*> files = {
      "telederm/v1/intake.proto",   "telederm/v1/triage.proto",   "telederm/v1/referral.proto",
      "telederm/v1/security.proto", "telederm/v1/delivery.proto", "telederm/v1/fhir.proto",
      "telederm/v1/image.proto"};
  return files;
}

std::vector<const google::protobuf::MethodDescriptor*> AllServiceMethods() {
  // Referencing one message of each file links its descriptor into the pool.
  (void)GetCaseRequest::descriptor();
  (void)GetTriageResultRequest::descriptor();
  (void)ListQueueRequest::descriptor();
  (void)ListAuditEntriesRequest::descriptor();
  (void)ListDeadLettersRequest::descriptor();
  (void)ExportCaseFhirRequest::descriptor();
  (void)GetImageRequest::descriptor();
  std::vector<const google::protobuf::MethodDescriptor*> methods;
  for (const char* file : ServiceProtoFiles()) {
    const google::protobuf::FileDescriptor* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindFileByName(file);
    if (descriptor == nullptr) continue;  // ServiceCatalogTest fails on it
    for (int s = 0; s < descriptor->service_count(); ++s) {
      for (int m = 0; m < descriptor->service(s)->method_count(); ++m) {
        methods.push_back(descriptor->service(s)->method(m));
      }
    }
  }
  return methods;
}

}  // namespace telederm::v1
