#include "services/triage/triage_service.h"

#include "absl/strings/str_cat.h"
#include "common/access/case_access.h"
#include "common/caller/caller.h"
#include "common/request_limits/request_limits.h"
#include "common/server/call_queue.h"

namespace telederm::triage {

TriageServiceImpl::TriageServiceImpl(std::shared_ptr<redis::Client> redis, std::shared_ptr<const Screener> screener,
                                     int threads, int max_queued_calls)
    : access_(std::move(redis)), screener_(std::move(screener)), calls_(threads, max_queued_calls) {}

TriageServiceImpl::~TriageServiceImpl() { calls_.Join(); }

grpc::ServerUnaryReactor* TriageServiceImpl::GetTriageResult(grpc::CallbackServerContext* context,
                                                             const v1::GetTriageResultRequest* request,
                                                             v1::TriageResult* response) {
  return RunQueued(context, calls_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = IdentifyCaller(*context);
    if (!caller.ok()) return caller.status();
    if (absl::Status s = CheckRequestLimits(*request); !s.ok()) return s;
    absl::StatusOr<Reader> reader = access_.Resolve(*caller);
    if (!reader.ok()) return reader.status();
    absl::StatusOr<v1::Case> c = access_.ReadCase(*reader, request->case_id(), CaseRead::kTriage);
    if (!c.ok()) return c.status();
    if (!c->triage().has_screened_at()) {
      return absl::FailedPreconditionError(absl::StrCat("case ", request->case_id(), " has not been screened yet"));
    }
    *response = c->triage();
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
