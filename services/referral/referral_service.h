#ifndef TELEDERM_SERVICES_REFERRAL_REFERRAL_SERVICE_H_
#define TELEDERM_SERVICES_REFERRAL_REFERRAL_SERVICE_H_

#include <memory>

#include <boost/asio/thread_pool.hpp>

#include "services/referral/specialist_queue.h"
#include "telederm/v1/referral.grpc.pb.h"

namespace telederm::referral {

// telederm.v1.ReferralService over gRPC's callback API. Each handler reads the
// caller's identity and runs the SpecialistQueue call on its own executor,
// never inside the reaction. It must outlive the server it is registered
// with; the destructor waits for work in flight.
class ReferralServiceImpl final : public v1::ReferralService::CallbackService {
 public:
  explicit ReferralServiceImpl(std::shared_ptr<SpecialistQueue> queue, int executor_threads = 8);
  ~ReferralServiceImpl() override;

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

 private:
  std::shared_ptr<SpecialistQueue> queue_;
  boost::asio::thread_pool executor_;
};

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_REFERRAL_SERVICE_H_
