#ifndef TELEDERM_SERVICES_INTAKE_INTAKE_SERVICE_H_
#define TELEDERM_SERVICES_INTAKE_INTAKE_SERVICE_H_

#include <memory>

#include <boost/asio/thread_pool.hpp>

#include "common/blob/blob_store.h"
#include "common/case_store/case_store.h"
#include "common/case_store/event_log.h"
#include "common/clock/clock.h"
#include "common/redis/client.h"
#include "services/intake/image_gate.h"
#include "telederm/v1/intake.grpc.pb.h"

namespace telederm::intake {

struct IntakeOptions {
  int64_t max_image_bytes = 32 * 1024 * 1024;
  int rpc_threads = 8;     // unary work and upload chunks
  int watch_threads = 32;  // one per concurrently waiting WatchEvents reader
  absl::Duration watch_poll = absl::Seconds(1);
  absl::Duration idempotency_ttl = absl::Hours(24 * 30);
};

struct IntakeDependencies {
  std::shared_ptr<redis::Client> redis;
  BlobStorePtr blobs;
  ClockPtr clock;
  ImageGatePtr gate;  // may be null: no quality gate
};

// The clinic-facing gRPC service. Work runs on its own executors, never on
// gRPC's reaction threads. Thread-safe; destroy it only after the server that
// serves it has shut down.
class IntakeServiceImpl final : public v1::IntakeService::CallbackService {
 public:
  IntakeServiceImpl(IntakeDependencies deps, IntakeOptions options);
  ~IntakeServiceImpl() override;

  grpc::ServerReadReactor<v1::UploadImageRequest>* UploadImage(grpc::CallbackServerContext* context,
                                                               v1::UploadImageResponse* response) override;
  grpc::ServerUnaryReactor* SubmitCase(grpc::CallbackServerContext* context, const v1::SubmitCaseRequest* request,
                                       v1::SubmitCaseResponse* response) override;
  grpc::ServerUnaryReactor* GetCase(grpc::CallbackServerContext* context, const v1::GetCaseRequest* request,
                                    v1::Case* response) override;
  grpc::ServerUnaryReactor* ListCases(grpc::CallbackServerContext* context, const v1::ListCasesRequest* request,
                                      v1::ListCasesResponse* response) override;
  grpc::ServerWriteReactor<v1::CaseEvent>* WatchEvents(grpc::CallbackServerContext* context,
                                                       const v1::WatchEventsRequest* request) override;
  // The consult thread (consult_handlers.cc, logic in ClinicConsult).
  grpc::ServerUnaryReactor* SendMessage(grpc::CallbackServerContext* context, const v1::ClinicMessageRequest* request,
                                        v1::ClinicMessageResponse* response) override;
  grpc::ServerUnaryReactor* ListMessages(grpc::CallbackServerContext* context, const v1::ListMessagesRequest* request,
                                         v1::ListMessagesResponse* response) override;
  grpc::ServerUnaryReactor* MarkRead(grpc::CallbackServerContext* context, const v1::MarkReadRequest* request,
                                     v1::MarkReadResponse* response) override;
  grpc::ServerUnaryReactor* AcknowledgeReport(grpc::CallbackServerContext* context,
                                              const v1::AcknowledgeReportRequest* request,
                                              v1::AcknowledgeReportResponse* response) override;

 private:
  class UploadReactor;
  class WatchReactor;

  absl::Status Submit(const std::string& clinic_id, const v1::SubmitCaseRequest& request,
                      v1::SubmitCaseResponse& response);
  // Stores the case record if missing, indexes it for the clinic and enqueues it
  // for triage. Idempotent: safe to repeat after a crash or a client retry.
  absl::Status StoreAndEnqueue(v1::Case& c);
  absl::Status List(const std::string& clinic_id, const v1::ListCasesRequest& request,
                    v1::ListCasesResponse& response);

  const IntakeDependencies deps_;
  const IntakeOptions options_;
  CaseStore cases_;
  EventLog events_;
  boost::asio::thread_pool executor_;
  boost::asio::thread_pool watch_executor_;
};

}  // namespace telederm::intake

#endif  // TELEDERM_SERVICES_INTAKE_INTAKE_SERVICE_H_
