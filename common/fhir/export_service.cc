#include "common/fhir/export_service.h"

#include "absl/strings/str_cat.h"
#include "common/auth/policy.h"
#include "common/fhir/fhir_bundle.h"
#include "common/request_limits/request_limits.h"
#include "common/server/unary.h"

namespace telederm::fhir {

FhirExportServiceImpl::FhirExportServiceImpl(std::shared_ptr<redis::Client> redis, ClockPtr clock)
    : access_(redis), threads_(redis), clock_(std::move(clock)) {}

FhirExportServiceImpl::~FhirExportServiceImpl() { executor_.join(); }

grpc::ServerUnaryReactor* FhirExportServiceImpl::ExportCaseFhir(grpc::CallbackServerContext* context,
                                                                const v1::ExportCaseFhirRequest* request,
                                                                v1::ExportCaseFhirResponse* response) {
  absl::StatusOr<Caller> caller = IdentifyCaller(*context);
  auto reason = context->client_metadata().find(auth::kBreakGlassReasonHeader);
  const absl::Status break_glass = auth::CheckBreakGlassReason(
      reason == context->client_metadata().end() ? absl::string_view()
                                                 : absl::string_view(reason->second.data(), reason->second.size()));
  return RunOnExecutor(context, executor_, [this, caller, break_glass, request, response]() -> absl::Status {
    if (!caller.ok()) return caller.status();
    // Defence in depth: the policy gate refuses an administrator without a reason before this.
    if (caller->role == Caller::Role::kAdmin && !break_glass.ok()) return break_glass;
    if (absl::Status s = CheckRequestLimits(*request); !s.ok()) return s;
    absl::StatusOr<Reader> reader = access_.Resolve(*caller);
    if (!reader.ok()) return reader.status();
    reader->break_glass = break_glass.ok();
    absl::StatusOr<v1::Case> c = access_.ReadCase(*reader, request->case_id(), CaseRead::kFhirExport);
    if (!c.ok()) return c.status();
    absl::StatusOr<std::vector<v1::Message>> messages = threads_.List(request->case_id());
    if (!messages.ok()) return messages.status();
    response->set_bundle_json(CaseToFhirBundleJson(*c, *messages, clock_->Now()));
    return absl::OkStatus();
  });
}

}  // namespace telederm::fhir
