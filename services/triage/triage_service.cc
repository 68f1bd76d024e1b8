#include "services/triage/triage_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/caller/caller.h"
#include "common/ids/ids.h"
#include "common/request_limits/request_limits.h"
#include "common/server/call_queue.h"

namespace telederm::triage {

namespace {

// A clinic sees its own cases; a specialist the cases of their pools and those
// they hold or reported (as FHIR export, common/fhir). Others get NOT_FOUND.
bool MaySee(const Caller& caller, const v1::Case& c) {
  switch (caller.role) {
    case Caller::Role::kClinic: return c.clinic_id() == caller.id;
    case Caller::Role::kSpecialist:
      return (!c.pool().empty() && std::find(caller.pools.begin(), caller.pools.end(), c.pool()) != caller.pools.end()) ||
             c.claim().specialist_id() == caller.id || c.report().specialist_id() == caller.id;
    default: return false;
  }
}

}  // namespace

TriageServiceImpl::TriageServiceImpl(std::shared_ptr<redis::Client> redis, std::shared_ptr<const Screener> screener,
                                     int threads, int max_queued_calls)
    : cases_(std::move(redis)), screener_(std::move(screener)), calls_(threads, max_queued_calls) {}

TriageServiceImpl::~TriageServiceImpl() { calls_.Join(); }

grpc::ServerUnaryReactor* TriageServiceImpl::GetTriageResult(grpc::CallbackServerContext* context,
                                                             const v1::GetTriageResultRequest* request,
                                                             v1::TriageResult* response) {
  return RunQueued(context, calls_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = IdentifyCaller(*context);
    if (!caller.ok()) return caller.status();
    if (absl::Status s = CheckRequestLimits(*request); !s.ok()) return s;
    if (!IsValidCaseId(request->case_id())) {
      return absl::InvalidArgumentError("case_id: not a case id (they look like c-01J...)");
    }
    absl::StatusOr<std::optional<v1::Case>> c = cases_.Get(request->case_id());
    if (!c.ok()) return c.status();
    if (!c->has_value() || !MaySee(*caller, **c)) {
      return absl::NotFoundError(absl::StrCat("case ", request->case_id(), " not found"));
    }
    if (!(*c)->triage().has_screened_at()) {
      return absl::FailedPreconditionError(absl::StrCat("case ", request->case_id(), " has not been screened yet"));
    }
    *response = (*c)->triage();
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TriageServiceImpl::ListAnalyzers(grpc::CallbackServerContext* context,
                                                           const v1::ListAnalyzersRequest* request,
                                                           v1::ListAnalyzersResponse* response) {
  return RunQueued(context, calls_, [this, context, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = IdentifyCaller(*context);
    if (!caller.ok()) return caller.status();
    for (v1::AnalyzerInfo& info : screener_->Analyzers()) *response->add_analyzers() = std::move(info);
    return absl::OkStatus();
  });
}

}  // namespace telederm::triage
