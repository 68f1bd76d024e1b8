#include "services/web/api_routes.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "proto/catalog/service_catalog.h"

namespace telederm::web {

namespace {

std::optional<Backend> BackendServing(const std::string& service) {
  if (service == "IntakeService" || service == "ImageService" || service == "FhirExportService") {
    return Backend::kIntake;
  }
  if (service == "TriageService") return Backend::kTriage;
  if (service == "ReferralService") return Backend::kReferral;
  return std::nullopt;
}

}  // namespace

ApiRoutes ApiRoutes::Build() {
  ApiRoutes routes;
  for (const google::protobuf::MethodDescriptor* method : v1::AllServiceMethods()) {
    const google::protobuf::ServiceDescriptor* service = method->service();
    std::optional<Backend> backend = BackendServing(service->name());
    if (!backend.has_value()) continue;
    routes.methods_.emplace(absl::StrCat(service->name(), "/", method->name()),
                            ApiMethod{method, absl::StrCat("/", service->full_name(), "/", method->name()), *backend});
  }
  return routes;
}

const ApiMethod* ApiRoutes::Find(absl::string_view service_and_method) const {
  auto it = methods_.find(service_and_method);
  return it == methods_.end() ? nullptr : &it->second;
}

}  // namespace telederm::web
