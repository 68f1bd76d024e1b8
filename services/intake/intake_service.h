#ifndef TELEDERM_SERVICES_INTAKE_INTAKE_SERVICE_H_
#define TELEDERM_SERVICES_INTAKE_INTAKE_SERVICE_H_

#include <memory>

#include <boost/asio/thread_pool.hpp>

#include "common/blob/blob_store.h"
#include "common/case_store/case_store.h"
#include "common/case_store/event_log.h"
#include "common/clock/clock.h"
#include "common/redis/client.h"
#include "common/server/call_queue.h"
#include "services/intake/clinic_images.h"
#include "services/intake/image_gate.h"
#include "services/intake/intake_backlog.h"
#include "services/intake/submission_group_commit.h"
#include "services/intake/upload_sweeper.h"
#include "telederm/v1/intake.grpc.pb.h"

namespace telederm::intake {

struct IntakeOptions {
  int64_t max_image_bytes = 32 * 1024 * 1024;
  // Rows × Columns a DICOM upload may declare (--max_image_megapixels, the
  // quality gate's own limit), checked before its pixel data is read.
  int64_t max_image_pixels = 50'000'000;
  int rpc_threads = 8;     // unary work and upload chunks
  int watch_threads = 32;  // WatchEvents readers take turns on these
  // Backpressure: WatchEvents streams open at once; beyond it a watch is
  // refused with RESOURCE_EXHAUSTED and a retry hint.
  int max_watches = 256;
  // WatchEvents streams one clinic may hold open at once (below max_watches,
  // so one clinic cannot take every slot); beyond it RESOURCE_EXHAUSTED.
  int max_watches_per_clinic = 16;
  absl::Duration watch_poll = absl::Seconds(1);
  absl::Duration idempotency_ttl = absl::Hours(24 * 30);
  // Backpressure: unary calls in hand at once (waiting or running); beyond
  // it a call is refused with RESOURCE_EXHAUSTED.
  int max_queued_calls = 256;
  // Backpressure: SubmitCase is refused with RESOURCE_EXHAUSTED (and a retry
  // hint) while more than this many cases wait for triage. 0: no bound.
  int64_t max_intake_backlog = 10000;
  absl::Duration backlog_refresh = absl::Seconds(1);
  absl::Duration retry_after_backlog = absl::Seconds(30);
  // Resumable uploads: an upload not written to for upload_ttl is removed by
  // a sweep every upload_sweep_every.
  absl::Duration upload_ttl = absl::Hours(24);
  // How long after its last upload of an image a clinic may name it in a case
  // or a message without sending the bytes again (ClinicImages).
  absl::Duration image_retention = ClinicImages::kDefaultRetention;
  absl::Duration upload_sweep_every = absl::Minutes(10);
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
  grpc::ServerUnaryReactor* GetUploadStatus(grpc::CallbackServerContext* context,
                                            const v1::GetUploadStatusRequest* request,
                                            v1::UploadStatus* response) override;
  grpc::ServerUnaryReactor* SubmitCase(grpc::CallbackServerContext* context, const v1::SubmitCaseRequest* request,
                                       v1::SubmitCaseResponse* response) override;
  grpc::ServerUnaryReactor* GetCase(grpc::CallbackServerContext* context, const v1::GetCaseRequest* request,
                                    v1::Case* response) override;
  grpc::ServerUnaryReactor* ListCases(grpc::CallbackServerContext* context, const v1::ListCasesRequest* request,
                                      v1::ListCasesResponse* response) override;
  grpc::ServerWriteReactor<v1::CaseEvent>* WatchEvents(grpc::CallbackServerContext* context,
                                                       const v1::WatchEventsRequest* request) override;
  int open_watches() const { return watches_.open(); }
  // SubmitCase calls in the group commit: being flushed or queued.
  int submissions_in_commit() const { return submissions_.calls_in_commit(); }
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
  class WatchReactor;

  absl::Status Submit(const std::string& clinic_id, const v1::SubmitCaseRequest& request,
                      v1::SubmitCaseResponse& response);
  // Stores the case record if missing, indexes it for the clinic and enqueues it
  // for triage. Idempotent: safe to repeat after a crash or a client retry.
  absl::Status StoreAndEnqueue(v1::Case& c);
  absl::Status List(const std::string& clinic_id, const v1::ListCasesRequest& request,
                    v1::ListCasesResponse& response);

  // Refuses with RESOURCE_EXHAUSTED while the intake backlog is over its bound.
  absl::Status CheckBacklog(grpc::CallbackServerContext* context);

  const IntakeDependencies deps_;
  const IntakeOptions options_;
  CaseStore cases_;
  EventLog events_;
  ClinicImages images_;
  IntakeBacklog backlog_;
  CallQueue calls_;                     // bounded: unary calls
  boost::asio::thread_pool& executor_;  // calls_' threads: upload steps, accepted calls
  boost::asio::thread_pool watch_executor_;
  OpenCallLimit watches_;  // bounded: WatchEvents streams
  UploadSweeper sweeper_;
  SubmissionGroupCommit submissions_;  // SubmitCase's Redis writes, batched
};

}  // namespace telederm::intake

#endif  // TELEDERM_SERVICES_INTAKE_INTAKE_SERVICE_H_
