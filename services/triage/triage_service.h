#ifndef TELEDERM_SERVICES_TRIAGE_TRIAGE_SERVICE_H_
#define TELEDERM_SERVICES_TRIAGE_TRIAGE_SERVICE_H_

#include <memory>

#include <boost/asio/thread_pool.hpp>

#include "common/case_store/case_store.h"
#include "services/triage/screener.h"
#include "telederm/v1/triage.grpc.pb.h"

namespace telederm::triage {

// Read-only gRPC views of triage: a case's result and the analyzers in use.
// A clinic sees results of its own cases only. Thread-safe.
class TriageServiceImpl final : public v1::TriageService::CallbackService {
 public:
  TriageServiceImpl(std::shared_ptr<redis::Client> redis, std::shared_ptr<const Screener> screener);
  ~TriageServiceImpl() override;

  grpc::ServerUnaryReactor* GetTriageResult(grpc::CallbackServerContext* context,
                                            const v1::GetTriageResultRequest* request,
                                            v1::TriageResult* response) override;
  grpc::ServerUnaryReactor* ListAnalyzers(grpc::CallbackServerContext* context,
                                          const v1::ListAnalyzersRequest* request,
                                          v1::ListAnalyzersResponse* response) override;

 private:
  CaseStore cases_;
  std::shared_ptr<const Screener> screener_;
  boost::asio::thread_pool executor_{4};
};

}  // namespace telederm::triage

#endif  // TELEDERM_SERVICES_TRIAGE_TRIAGE_SERVICE_H_
