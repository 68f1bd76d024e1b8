#ifndef TELEDERM_SERVICES_REFERRAL_REFERRAL_SERVICE_H_
#define TELEDERM_SERVICES_REFERRAL_REFERRAL_SERVICE_H_

#include <memory>

#include <boost/asio/thread_pool.hpp>

#include "common/clock/clock.h"
#include "common/redis/client.h"
#include "common/server/call_queue.h"
#include "services/referral/access.h"
#include "services/referral/consultation.h"
#include "services/referral/profile_directory.h"
#include "services/referral/icd10_table.h"
#include "services/referral/options.h"
#include "services/referral/queue_events.h"
#include "services/referral/screening_tally.h"
#include "services/referral/specialist_queue.h"
#include "telederm/v1/referral.grpc.pb.h"

namespace telederm::referral {

// What the referral service's RPCs work with, built over one Redis client.
struct ReferralParts {
  std::shared_ptr<ProfileDirectory> directory;
  std::shared_ptr<CaseAccess> access;
  std::shared_ptr<SpecialistQueue> queue;
  std::shared_ptr<Consultation> consultation;
  std::shared_ptr<QueueEventLog> queue_events;
  std::shared_ptr<ScreeningTally> screening;
  // Under Sentinel (--redis_wait_replicas), every answer waits until a
  // standby holds what was written (AwaitStandby).
  std::shared_ptr<redis::Client> redis;
};
ReferralParts MakeReferralParts(std::shared_ptr<redis::Client> redis, ClockPtr clock, const ReferralOptions& options,
                                Icd10TablePtr codes);

// How much work a ReferralServiceImpl takes on at once. Beyond either bound a
// call is refused at once with RESOURCE_EXHAUSTED and a retry hint, so an
// overloaded process answers instead of queueing without bound.
struct ServingLimits {
  int threads = 8;             // unary calls run on these
  int max_queued_calls = 256;  // unary calls in hand (waiting or running)
  int watch_threads = 16;      // WatchQueue readers take turns on these
  int max_watches = 64;        // WatchQueue streams open at once
  int max_watches_per_specialist = 8;  // of them, held by one specialist or supervisor
};

// telederm.v1.ReferralService over gRPC's callback API. Each handler reads the
// caller's identity, resolves it through CaseAccess and runs the call on its own
// bounded queue, never inside the reaction; WatchQueue readers run on a second
// executor, at most limits.max_watches of them. It must outlive the server it
// is registered with; the destructor waits for work in flight.
class ReferralServiceImpl final : public v1::ReferralService::CallbackService {
 public:
  explicit ReferralServiceImpl(ReferralParts parts, ServingLimits limits = {});
  ~ReferralServiceImpl() override;

  int calls_in_hand() const { return calls_.queued(); }
  int open_watches() const { return watches_.open(); }

  grpc::ServerUnaryReactor* ListQueue(grpc::CallbackServerContext* context, const v1::ListQueueRequest* request,
                                      v1::ListQueueResponse* response) override;
  grpc::ServerUnaryReactor* ClaimNext(grpc::CallbackServerContext* context, const v1::ClaimNextRequest* request,
                                      v1::ClaimNextResponse* response) override;
  grpc::ServerUnaryReactor* ExtendClaim(grpc::CallbackServerContext* context, const v1::ExtendClaimRequest* request,
                                        v1::ExtendClaimResponse* response) override;
  grpc::ServerUnaryReactor* Release(grpc::CallbackServerContext* context, const v1::ReleaseRequest* request,
                                    v1::ReleaseResponse* response) override;
  grpc::ServerUnaryReactor* SubmitReport(grpc::CallbackServerContext* context,
                                         const v1::SubmitReportRequest* request,
                                         v1::SubmitReportResponse* response) override;
  grpc::ServerUnaryReactor* RequestInfo(grpc::CallbackServerContext* context, const v1::RequestInfoRequest* request,
                                        v1::RequestInfoResponse* response) override;
  grpc::ServerUnaryReactor* SendMessage(grpc::CallbackServerContext* context,
                                        const v1::SpecialistMessageRequest* request,
                                        v1::SpecialistMessageResponse* response) override;
  grpc::ServerUnaryReactor* ListMessages(grpc::CallbackServerContext* context,
                                         const v1::ListMessagesRequest* request,
                                         v1::ListMessagesResponse* response) override;
  grpc::ServerUnaryReactor* MarkRead(grpc::CallbackServerContext* context, const v1::MarkReadRequest* request,
                                     v1::MarkReadResponse* response) override;
  grpc::ServerUnaryReactor* SaveDraft(grpc::CallbackServerContext* context, const v1::SaveDraftRequest* request,
                                      v1::SaveDraftResponse* response) override;
  grpc::ServerUnaryReactor* RequestSecondOpinion(grpc::CallbackServerContext* context,
                                                 const v1::SecondOpinionRequest* request,
                                                 v1::SecondOpinionResponse* response) override;
  grpc::ServerUnaryReactor* Reassign(grpc::CallbackServerContext* context, const v1::ReassignRequest* request,
                                     v1::ReassignResponse* response) override;
  grpc::ServerUnaryReactor* RecordBiopsyOutcome(grpc::CallbackServerContext* context,
                                                const v1::RecordBiopsyOutcomeRequest* request,
                                                v1::RecordBiopsyOutcomeResponse* response) override;
  grpc::ServerWriteReactor<v1::QueueEvent>* WatchQueue(grpc::CallbackServerContext* context,
                                                       const v1::WatchQueueRequest* request) override;

 private:
  class QueueWatch;

  // Identifies and resolves the specialist, runs `call` on the executor and
  // stores its result in `response`.
  template <typename Response, typename Call>
  // Checks the request's declared field limits (proto/telederm/v1/limits.proto) first.
  grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* context, const google::protobuf::Message& request,
                                  Response* response, Call call);

  ReferralParts parts_;
  CallQueue calls_;
  OpenCallLimit watches_;
  boost::asio::thread_pool watch_executor_;
};

// telederm.v1.AdminService: the directory of specialists, pools and clinics,
// and the screening report, for callers with the administrator identity.
// Calls run on `threads`, at most `max_queued_calls` in hand, as above.
class AdminServiceImpl final : public v1::AdminService::CallbackService {
 public:
  AdminServiceImpl(std::shared_ptr<ProfileDirectory> directory, std::shared_ptr<ScreeningTally> screening,
                   std::shared_ptr<redis::Client> redis, int threads = 2, int max_queued_calls = 64);
  ~AdminServiceImpl() override;

  grpc::ServerUnaryReactor* PutSpecialist(grpc::CallbackServerContext* context,
                                          const v1::PutSpecialistRequest* request,
                                          v1::SpecialistProfile* response) override;
  grpc::ServerUnaryReactor* GetSpecialist(grpc::CallbackServerContext* context,
                                          const v1::GetSpecialistRequest* request,
                                          v1::SpecialistProfile* response) override;
  grpc::ServerUnaryReactor* ListSpecialists(grpc::CallbackServerContext* context,
                                            const v1::ListSpecialistsRequest* request,
                                            v1::ListSpecialistsResponse* response) override;
  grpc::ServerUnaryReactor* DeleteSpecialist(grpc::CallbackServerContext* context,
                                             const v1::DeleteSpecialistRequest* request,
                                             v1::DeleteSpecialistResponse* response) override;
  grpc::ServerUnaryReactor* PutPool(grpc::CallbackServerContext* context, const v1::PutPoolRequest* request,
                                    v1::PoolProfile* response) override;
  grpc::ServerUnaryReactor* ListPools(grpc::CallbackServerContext* context, const v1::ListPoolsRequest* request,
                                      v1::ListPoolsResponse* response) override;
  grpc::ServerUnaryReactor* PutClinic(grpc::CallbackServerContext* context, const v1::PutClinicRequest* request,
                                      v1::ClinicProfile* response) override;
  grpc::ServerUnaryReactor* ListClinics(grpc::CallbackServerContext* context, const v1::ListClinicsRequest* request,
                                        v1::ListClinicsResponse* response) override;
  grpc::ServerUnaryReactor* GetScreeningReport(grpc::CallbackServerContext* context,
                                               const v1::ScreeningReportRequest* request,
                                               v1::ScreeningReport* response) override;

 private:
  template <typename Response, typename Call>
  // Checks the request's declared field limits (proto/telederm/v1/limits.proto) first.
  grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* context, const google::protobuf::Message& request,
                                  Response* response, Call call);

  std::shared_ptr<ProfileDirectory> directory_;
  std::shared_ptr<ScreeningTally> screening_;
  std::shared_ptr<redis::Client> redis_;
  CallQueue calls_;
};

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_REFERRAL_SERVICE_H_
