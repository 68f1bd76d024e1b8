#include "services/referral/referral_service.h"

#include <boost/asio/post.hpp>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/caller/caller.h"
#include "common/request_limits/request_limits.h"
#include "common/server/polling_write_reactor.h"
#include "common/status/grpc_status.h"

namespace telederm::referral {
namespace {

constexpr absl::Duration kWatchBlock = absl::Seconds(1);
constexpr int kWatchBatch = 100;

// Under Sentinel with --redis_wait_replicas, a call is answered only once a
// standby holds everything written so far, so that a failover cannot take
// back a claim, its fencing token, a report or a directory change that was
// confirmed (docs/DELIVERY.md, "Failover"). OK at once without that flag.
absl::Status AwaitStandby(redis::Client& redis) {
  absl::Status replicated = redis.WaitForReplicas();
  if (replicated.ok()) return replicated;
  return absl::UnavailableError(absl::StrCat("done, but no standby Redis confirmed it in time (",
                                             replicated.message(),
                                             "); look at the case or setting again before you repeat it"));
}

}  // namespace

ReferralParts MakeReferralParts(std::shared_ptr<redis::Client> redis, ClockPtr clock, const ReferralOptions& options,
                                Icd10TablePtr codes) {
  ReferralParts parts;
  parts.directory = std::make_shared<ProfileDirectory>(redis);
  parts.access = std::make_shared<CaseAccess>(redis);
  parts.queue = std::make_shared<SpecialistQueue>(redis, clock, options, codes);
  parts.consultation = std::make_shared<Consultation>(redis, clock, codes, parts.access, parts.directory);
  parts.queue_events = std::make_shared<QueueEventLog>(redis);
  parts.screening = std::make_shared<ScreeningTally>(redis);
  parts.redis = redis;
  return parts;
}

ReferralServiceImpl::ReferralServiceImpl(ReferralParts parts, ServingLimits limits)
    : parts_(std::move(parts)),
      calls_(limits.threads, limits.max_queued_calls),
      watches_("queue watches", limits.max_watches, limits.max_watches_per_specialist),
      watch_executor_(limits.watch_threads) {}

ReferralServiceImpl::~ReferralServiceImpl() {
  calls_.Join();
  watch_executor_.join();
}

template <typename Response, typename Call>
grpc::ServerUnaryReactor* ReferralServiceImpl::Serve(grpc::CallbackServerContext* context,
                                                     const google::protobuf::Message& request, Response* response,
                                                     Call call) {
  return RunQueued(context, calls_, [this, context, &request, response, call = std::move(call)]() -> absl::Status {
    absl::StatusOr<Caller> caller = RequireSpecialist(*context);
    if (!caller.ok()) return caller.status();
    if (absl::Status s = CheckRequestLimits(request); !s.ok()) return s;
    absl::StatusOr<Reader> staff = ResolveSpecialist(*parts_.access, *caller);
    if (!staff.ok()) return staff.status();
    auto result = call(*staff);
    if (!result.ok()) return result.status();
    if (absl::Status s = AwaitStandby(*parts_.redis); !s.ok()) return s;
    *response = *std::move(result);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ReferralServiceImpl::ListQueue(grpc::CallbackServerContext* context,
                                                         const v1::ListQueueRequest* request,
                                                         v1::ListQueueResponse* response) {
  return Serve(context, *request, response, [=, this](const Reader& s) { return parts_.queue->ListQueue(s, *request); });
}

grpc::ServerUnaryReactor* ReferralServiceImpl::ClaimNext(grpc::CallbackServerContext* context,
                                                         const v1::ClaimNextRequest* request,
                                                         v1::ClaimNextResponse* response) {
  return Serve(context, *request, response, [=, this](const Reader& s) { return parts_.queue->ClaimNext(s, *request); });
}

grpc::ServerUnaryReactor* ReferralServiceImpl::ExtendClaim(grpc::CallbackServerContext* context,
                                                           const v1::ExtendClaimRequest* request,
                                                           v1::ExtendClaimResponse* response) {
  return Serve(context, *request, response, [=, this](const Reader& s) { return parts_.queue->ExtendClaim(s, *request); });
}

grpc::ServerUnaryReactor* ReferralServiceImpl::Release(grpc::CallbackServerContext* context,
                                                       const v1::ReleaseRequest* request,
                                                       v1::ReleaseResponse* response) {
  return Serve(context, *request, response, [=, this](const Reader& s) -> absl::StatusOr<v1::ReleaseResponse> {
    if (absl::Status status = parts_.queue->Release(s, *request); !status.ok()) return status;
    return v1::ReleaseResponse();
  });
}

grpc::ServerUnaryReactor* ReferralServiceImpl::SubmitReport(grpc::CallbackServerContext* context,
                                                            const v1::SubmitReportRequest* request,
                                                            v1::SubmitReportResponse* response) {
  return Serve(context, *request, response, [=, this](const Reader& s) { return parts_.queue->SubmitReport(s, *request); });
}

grpc::ServerUnaryReactor* ReferralServiceImpl::RequestInfo(grpc::CallbackServerContext* context,
                                                           const v1::RequestInfoRequest* request,
                                                           v1::RequestInfoResponse* response) {
  return Serve(context, *request, response,
               [=, this](const Reader& s) { return parts_.consultation->RequestInfo(s, *request); });
}

grpc::ServerUnaryReactor* ReferralServiceImpl::SendMessage(grpc::CallbackServerContext* context,
                                                           const v1::SpecialistMessageRequest* request,
                                                           v1::SpecialistMessageResponse* response) {
  return Serve(context, *request, response,
               [=, this](const Reader& s) { return parts_.consultation->SendMessage(s, *request); });
}

grpc::ServerUnaryReactor* ReferralServiceImpl::ListMessages(grpc::CallbackServerContext* context,
                                                            const v1::ListMessagesRequest* request,
                                                            v1::ListMessagesResponse* response) {
  return Serve(context, *request, response,
               [=, this](const Reader& s) { return parts_.consultation->ListMessages(s, *request); });
}

grpc::ServerUnaryReactor* ReferralServiceImpl::MarkRead(grpc::CallbackServerContext* context,
                                                        const v1::MarkReadRequest* request,
                                                        v1::MarkReadResponse* response) {
  return Serve(context, *request, response, [=, this](const Reader& s) -> absl::StatusOr<v1::MarkReadResponse> {
    if (absl::Status status = parts_.consultation->MarkRead(s, *request); !status.ok()) return status;
    return v1::MarkReadResponse();
  });
}

grpc::ServerUnaryReactor* ReferralServiceImpl::SaveDraft(grpc::CallbackServerContext* context,
                                                         const v1::SaveDraftRequest* request,
                                                         v1::SaveDraftResponse* response) {
  return Serve(context, *request, response, [=, this](const Reader& s) { return parts_.consultation->SaveDraft(s, *request); });
}

grpc::ServerUnaryReactor* ReferralServiceImpl::RequestSecondOpinion(grpc::CallbackServerContext* context,
                                                                    const v1::SecondOpinionRequest* request,
                                                                    v1::SecondOpinionResponse* response) {
  return Serve(context, *request, response,
               [=, this](const Reader& s) { return parts_.consultation->RequestSecondOpinion(s, *request); });
}

grpc::ServerUnaryReactor* ReferralServiceImpl::Reassign(grpc::CallbackServerContext* context,
                                                        const v1::ReassignRequest* request,
                                                        v1::ReassignResponse* response) {
  return Serve(context, *request, response, [=, this](const Reader& s) { return parts_.consultation->Reassign(s, *request); });
}

grpc::ServerUnaryReactor* ReferralServiceImpl::RecordBiopsyOutcome(grpc::CallbackServerContext* context,
                                                                   const v1::RecordBiopsyOutcomeRequest* request,
                                                                   v1::RecordBiopsyOutcomeResponse* response) {
  return Serve(context, *request, response,
               [=, this](const Reader& s) { return parts_.consultation->RecordBiopsyOutcome(s, *request); });
}

// ---------------------------------------------------------------------------
// WatchQueue: from the moment of the call, reads the event streams of the
// caller's pools (and of the pools they supervise) in turn. ESCALATED events
// go only to supervisors of their pool. A watch holds one of the service's
// watch slots (WatchQueue took it) until it is deleted.
class ReferralServiceImpl::QueueWatch final : public PollingWriteReactor<v1::QueueEvent> {
 public:
  QueueWatch(ReferralServiceImpl* service, Caller caller, std::string requested_pool)
      : PollingWriteReactor(service->watch_executor_),
        service_(service),
        caller_(std::move(caller)),
        requested_pool_(std::move(requested_pool)) {
    Start();
  }
  ~QueueWatch() override { service_->watches_.Close(caller_.id); }

 private:
  // The pools to watch: the caller's and those they supervise, or the one
  // requested if it is either.
  absl::Status ResolvePools() {
    absl::StatusOr<Reader> staff = ResolveSpecialist(*service_->parts_.access, caller_);
    if (!staff.ok()) return staff.status();
    staff_ = *std::move(staff);
    if (!requested_pool_.empty()) {
      if (!staff_.WorksIn(requested_pool_) && !staff_.Supervises(requested_pool_)) {
        return absl::PermissionDeniedError(
            absl::StrCat("you neither work in nor supervise pool '", requested_pool_, "'"));
      }
      pools_ = {requested_pool_};
      return absl::OkStatus();
    }
    pools_ = staff_.pools;
    for (const std::string& pool : staff_.supervises) {
      if (!staff_.WorksIn(pool)) pools_.push_back(pool);
    }
    return absl::OkStatus();
  }

  absl::Status Begin() override {
    if (absl::Status s = ResolvePools(); !s.ok()) return s;
    after_.resize(pools_.size());
    for (size_t i = 0; i < pools_.size(); ++i) {
      absl::StatusOr<std::string> last = service_->parts_.queue_events->LastId(pools_[i]);
      if (!last.ok()) return last.status();
      after_[i] = *last;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<v1::QueueEvent>> Poll() override {
    std::vector<v1::QueueEvent> found;
    // One blocking read per pool in turn (keys of different pools live in
    // different cluster slots, so one XREAD cannot cover them all).
    const absl::Duration block = kWatchBlock / static_cast<int64_t>(pools_.size());
    for (size_t i = 0; i < pools_.size() && found.empty(); ++i) {
      const size_t pool = (turn_ + i) % pools_.size();
      absl::StatusOr<std::vector<v1::QueueEvent>> events =
          service_->parts_.queue_events->ReadAfter(pools_[pool], after_[pool], kWatchBatch, block);
      if (!events.ok()) return events.status();
      for (v1::QueueEvent& event : *events) {
        after_[pool] = event.event_id().substr(event.event_id().rfind('/') + 1);
        const bool for_caller = event.type() != v1::QUEUE_EVENT_TYPE_ESCALATED || staff_.Supervises(event.pool());
        if (for_caller) found.push_back(std::move(event));
      }
    }
    ++turn_;
    return found;
  }

  ReferralServiceImpl* const service_;
  const Caller caller_;
  const std::string requested_pool_;
  // Only the polling loop reads and writes these; Begin sets the first three.
  Reader staff_;
  std::vector<std::string> pools_;
  std::vector<std::string> after_;
  size_t turn_ = 0;
};

grpc::ServerWriteReactor<v1::QueueEvent>* ReferralServiceImpl::WatchQueue(grpc::CallbackServerContext* context,
                                                                          const v1::WatchQueueRequest* request) {
  // Only the metadata here; the profile is read on the watch executor.
  absl::StatusOr<Caller> caller = RequireSpecialist(*context);
  if (!caller.ok()) return RefusedStream<v1::QueueEvent>(caller.status());
  if (absl::Status s = CheckRequestLimits(*request); !s.ok()) return RefusedStream<v1::QueueEvent>(s);
  if (absl::Status opened = watches_.TryOpen(context, caller->id); !opened.ok()) {
    return RefusedStream<v1::QueueEvent>(opened);
  }
  return new QueueWatch(this, *std::move(caller), request->pool());
}

// ---------------------------------------------------------------------------

AdminServiceImpl::AdminServiceImpl(std::shared_ptr<ProfileDirectory> directory,
                                   std::shared_ptr<ScreeningTally> screening, std::shared_ptr<redis::Client> redis,
                                   int threads, int max_queued_calls)
    : directory_(std::move(directory)),
      screening_(std::move(screening)),
      redis_(std::move(redis)),
      calls_(threads, max_queued_calls) {}

AdminServiceImpl::~AdminServiceImpl() { calls_.Join(); }

template <typename Response, typename Call>
grpc::ServerUnaryReactor* AdminServiceImpl::Serve(grpc::CallbackServerContext* context,
                                                  const google::protobuf::Message& request, Response* response,
                                                  Call call) {
  return RunQueued(context, calls_, [this, context, &request, response, call = std::move(call)]() -> absl::Status {
    absl::StatusOr<Caller> caller = RequireAdmin(*context);
    if (!caller.ok()) return caller.status();
    if (absl::Status s = CheckRequestLimits(request); !s.ok()) return s;
    auto result = call();
    if (!result.ok()) return result.status();
    if (absl::Status s = AwaitStandby(*redis_); !s.ok()) return s;
    *response = *std::move(result);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AdminServiceImpl::PutSpecialist(grpc::CallbackServerContext* context,
                                                          const v1::PutSpecialistRequest* request,
                                                          v1::SpecialistProfile* response) {
  return Serve(context, *request, response, [=, this] { return directory_->PutSpecialist(request->profile()); });
}

grpc::ServerUnaryReactor* AdminServiceImpl::GetSpecialist(grpc::CallbackServerContext* context,
                                                          const v1::GetSpecialistRequest* request,
                                                          v1::SpecialistProfile* response) {
  return Serve(context, *request, response, [=, this]() -> absl::StatusOr<v1::SpecialistProfile> {
    absl::StatusOr<std::optional<v1::SpecialistProfile>> profile = directory_->GetSpecialist(request->specialist_id());
    if (!profile.ok()) return profile.status();
    if (!profile->has_value()) {
      return absl::NotFoundError(absl::StrCat("no specialist '", request->specialist_id(), "' is registered"));
    }
    return **std::move(profile);
  });
}

grpc::ServerUnaryReactor* AdminServiceImpl::ListSpecialists(grpc::CallbackServerContext* context,
                                                            const v1::ListSpecialistsRequest* request,
                                                            v1::ListSpecialistsResponse* response) {
  return Serve(context, *request, response, [=, this]() -> absl::StatusOr<v1::ListSpecialistsResponse> {
    absl::StatusOr<std::vector<v1::SpecialistProfile>> all = directory_->ListSpecialists();
    if (!all.ok()) return all.status();
    v1::ListSpecialistsResponse out;
    for (v1::SpecialistProfile& p : *all) {
      const bool member = request->pool().empty() ||
                          std::find(p.pools().begin(), p.pools().end(), request->pool()) != p.pools().end();
      if (member) *out.add_specialists() = std::move(p);
    }
    return out;
  });
}

grpc::ServerUnaryReactor* AdminServiceImpl::DeleteSpecialist(grpc::CallbackServerContext* context,
                                                             const v1::DeleteSpecialistRequest* request,
                                                             v1::DeleteSpecialistResponse* response) {
  return Serve(context, *request, response, [=, this]() -> absl::StatusOr<v1::DeleteSpecialistResponse> {
    absl::StatusOr<bool> deleted = directory_->DeleteSpecialist(request->specialist_id());
    if (!deleted.ok()) return deleted.status();
    if (!*deleted) return absl::NotFoundError(absl::StrCat("no specialist '", request->specialist_id(), "'"));
    return v1::DeleteSpecialistResponse();
  });
}

grpc::ServerUnaryReactor* AdminServiceImpl::PutPool(grpc::CallbackServerContext* context,
                                                    const v1::PutPoolRequest* request, v1::PoolProfile* response) {
  return Serve(context, *request, response, [=, this] { return directory_->PutPool(request->pool()); });
}

grpc::ServerUnaryReactor* AdminServiceImpl::ListPools(grpc::CallbackServerContext* context,
                                                      const v1::ListPoolsRequest* request,
                                                      v1::ListPoolsResponse* response) {
  return Serve(context, *request, response, [this]() -> absl::StatusOr<v1::ListPoolsResponse> {
    absl::StatusOr<std::vector<v1::PoolProfile>> all = directory_->ListPools();
    if (!all.ok()) return all.status();
    v1::ListPoolsResponse out;
    for (v1::PoolProfile& p : *all) *out.add_pools() = std::move(p);
    return out;
  });
}

grpc::ServerUnaryReactor* AdminServiceImpl::PutClinic(grpc::CallbackServerContext* context,
                                                      const v1::PutClinicRequest* request,
                                                      v1::ClinicProfile* response) {
  return Serve(context, *request, response, [=, this] { return directory_->PutClinic(request->clinic()); });
}

grpc::ServerUnaryReactor* AdminServiceImpl::ListClinics(grpc::CallbackServerContext* context,
                                                        const v1::ListClinicsRequest* request,
                                                        v1::ListClinicsResponse* response) {
  return Serve(context, *request, response, [this]() -> absl::StatusOr<v1::ListClinicsResponse> {
    absl::StatusOr<std::vector<v1::ClinicProfile>> all = directory_->ListClinics();
    if (!all.ok()) return all.status();
    v1::ListClinicsResponse out;
    for (v1::ClinicProfile& c : *all) *out.add_clinics() = std::move(c);
    return out;
  });
}

grpc::ServerUnaryReactor* AdminServiceImpl::GetScreeningReport(grpc::CallbackServerContext* context,
                                                             const v1::ScreeningReportRequest* request,
                                                             v1::ScreeningReport* response) {
  return Serve(context, *request, response, [=, this] { return screening_->Report(*request); });
}

}  // namespace telederm::referral
