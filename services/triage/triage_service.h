#ifndef TELEDERM_SERVICES_TRIAGE_TRIAGE_SERVICE_H_
#define TELEDERM_SERVICES_TRIAGE_TRIAGE_SERVICE_H_

#include <memory>

#include "common/access/case_access.h"
#include "common/server/call_queue.h"
#include "services/triage/screener.h"
#include "telederm/v1/triage.grpc.pb.h"

namespace telederm::triage {

// Read-only gRPC views of triage: a case's result and the analyzers in use.
// Who sees a result is CaseAccess's rule (CaseRead::kTriage). Calls run on `threads`
// threads, at most `max_queued_calls` in hand at once (waiting or running);
// beyond that a call is refused at once with RESOURCE_EXHAUSTED and a retry
// hint. Thread-safe; destroy it only after the server that serves it has shut
// down (the destructor waits for the calls in hand).
class TriageServiceImpl final : public v1::TriageService::CallbackService {
 public:
  TriageServiceImpl(std::shared_ptr<redis::Client> redis, std::shared_ptr<const Screener> screener, int threads = 4,
                    int max_queued_calls = 64);
  ~TriageServiceImpl() override;

  int calls_in_hand() const { return calls_.queued(); }

  grpc::ServerUnaryReactor* GetTriageResult(grpc::CallbackServerContext* context,
                                            const v1::GetTriageResultRequest* request,
                                            v1::TriageResult* response) override;
  grpc::ServerUnaryReactor* ListAnalyzers(grpc::CallbackServerContext* context,
                                          const v1::ListAnalyzersRequest* request,
                                          v1::ListAnalyzersResponse* response) override;

 private:
  CaseAccess access_;
  std::shared_ptr<const Screener> screener_;
  CallQueue calls_;
};

}  // namespace telederm::triage

#endif  // TELEDERM_SERVICES_TRIAGE_TRIAGE_SERVICE_H_
