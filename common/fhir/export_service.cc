#include "common/fhir/export_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/auth/policy.h"
#include "common/fhir/fhir_bundle.h"
#include "common/ids/ids.h"
#include "common/request_limits/request_limits.h"
#include "common/server/unary.h"

namespace telederm::fhir {

bool MayExport(const Caller& caller, const v1::Case& c, bool break_glass) {
  switch (caller.role) {
    case Caller::Role::kClinic: return c.clinic_id() == caller.id;
    case Caller::Role::kSpecialist:
      return (!c.pool().empty() && std::find(caller.pools.begin(), caller.pools.end(), c.pool()) != caller.pools.end()) ||
             c.claim().specialist_id() == caller.id || c.report().specialist_id() == caller.id;
    case Caller::Role::kAdmin: return break_glass;
    default: return false;
  }
}

FhirExportServiceImpl::FhirExportServiceImpl(std::shared_ptr<redis::Client> redis, ClockPtr clock)
    : cases_(redis), threads_(redis), clock_(std::move(clock)) {}

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
    const std::string& case_id = request->case_id();
    if (!IsValidCaseId(case_id)) {
      return absl::InvalidArgumentError(absl::StrCat("case_id: '", case_id, "' is not a case id (c-<26 characters>)"));
    }
    absl::StatusOr<std::optional<v1::Case>> c = cases_.Get(case_id);
    if (!c.ok()) return c.status();
    if (!c->has_value() || !MayExport(*caller, **c, break_glass.ok())) {
      return absl::NotFoundError(absl::StrCat("no case ", case_id));
    }
    absl::StatusOr<std::vector<v1::Message>> messages = threads_.List(case_id);
    if (!messages.ok()) return messages.status();
    response->set_bundle_json(CaseToFhirBundleJson(**c, *messages, clock_->Now()));
    return absl::OkStatus();
  });
}

}  // namespace telederm::fhir
