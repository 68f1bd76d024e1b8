#ifndef TELEDERM_SERVICES_WEB_API_ROUTES_H_
#define TELEDERM_SERVICES_WEB_API_ROUTES_H_

#include <map>
#include <string>

#include <google/protobuf/descriptor.h>

#include "absl/strings/string_view.h"
#include "services/web/backends.h"

namespace telederm::web {

// One RPC the JSON API forwards.
struct ApiMethod {
  const google::protobuf::MethodDescriptor* descriptor;
  std::string grpc_path;  // "/telederm.v1.IntakeService/ListCases"
  Backend backend;
};

// The RPCs the console may call, found by name in the generated descriptor
// pool, and which service binary serves each: IntakeService, ImageService and
// FhirExportService go to intake (which serves the export too), TriageService
// to triage, ReferralService to referral. Administration services are not
// forwarded. Immutable after Build; safe to share between threads.
class ApiRoutes {
 public:
  static ApiRoutes Build();

  // The method "<Service>/<Method>" names ("IntakeService/ListCases"), or null.
  const ApiMethod* Find(absl::string_view service_and_method) const;
  const ApiMethod& upload_image() const { return *Find("IntakeService/UploadImage"); }
  const ApiMethod& get_image() const { return *Find("ImageService/GetImage"); }

 private:
  std::map<std::string, ApiMethod, std::less<>> methods_;
};

}  // namespace telederm::web

#endif  // TELEDERM_SERVICES_WEB_API_ROUTES_H_
