#include "services/referral/referral_service.h"

#include "common/caller/caller.h"
#include "common/server/unary.h"

namespace telederm::referral {
namespace {

// Identifies the specialist, runs `call` and stores its result in `response`.
template <typename Response, typename Call>
absl::Status Answer(grpc::CallbackServerContext* context, Response* response, Call call) {
  absl::StatusOr<Caller> caller = RequireSpecialist(*context);
  if (!caller.ok()) return caller.status();
  auto result = call(*caller);
  if (!result.ok()) return result.status();
  *response = *std::move(result);
  return absl::OkStatus();
}

}  // namespace

ReferralServiceImpl::ReferralServiceImpl(std::shared_ptr<SpecialistQueue> queue, int executor_threads)
    : queue_(std::move(queue)), executor_(executor_threads) {}

ReferralServiceImpl::~ReferralServiceImpl() { executor_.join(); }

grpc::ServerUnaryReactor* ReferralServiceImpl::ListQueue(grpc::CallbackServerContext* context,
                                                         const v1::ListQueueRequest* request,
                                                         v1::ListQueueResponse* response) {
  return RunOnExecutor(context, executor_, [=, this] {
    return Answer(context, response, [&](const Caller& caller) { return queue_->ListQueue(caller, *request); });
  });
}

grpc::ServerUnaryReactor* ReferralServiceImpl::ClaimNext(grpc::CallbackServerContext* context,
                                                         const v1::ClaimNextRequest* request,
                                                         v1::ClaimNextResponse* response) {
  return RunOnExecutor(context, executor_, [=, this] {
    return Answer(context, response, [&](const Caller& caller) { return queue_->ClaimNext(caller, *request); });
  });
}

grpc::ServerUnaryReactor* ReferralServiceImpl::ExtendClaim(grpc::CallbackServerContext* context,
                                                           const v1::ExtendClaimRequest* request,
                                                           v1::ExtendClaimResponse* response) {
  return RunOnExecutor(context, executor_, [=, this] {
    return Answer(context, response, [&](const Caller& caller) { return queue_->ExtendClaim(caller, *request); });
  });
}

grpc::ServerUnaryReactor* ReferralServiceImpl::Release(grpc::CallbackServerContext* context,
                                                       const v1::ReleaseRequest* request,
                                                       v1::ReleaseResponse* response) {
  return RunOnExecutor(context, executor_, [=, this] {
    return Answer(context, response, [&](const Caller& caller) -> absl::StatusOr<v1::ReleaseResponse> {
      if (absl::Status s = queue_->Release(caller, *request); !s.ok()) return s;
      return v1::ReleaseResponse();
    });
  });
}

grpc::ServerUnaryReactor* ReferralServiceImpl::SubmitReport(grpc::CallbackServerContext* context,
                                                            const v1::SubmitReportRequest* request,
                                                            v1::SubmitReportResponse* response) {
  return RunOnExecutor(context, executor_, [=, this] {
    return Answer(context, response, [&](const Caller& caller) { return queue_->SubmitReport(caller, *request); });
  });
}

}  // namespace telederm::referral
