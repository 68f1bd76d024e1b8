#ifndef TELEDERM_COMMON_AUTH_SECURITY_SERVICE_H_
#define TELEDERM_COMMON_AUTH_SECURITY_SERVICE_H_

#include <memory>

#include <boost/asio/thread_pool.hpp>

#include "common/audit/audit_log.h"
#include "common/auth/revocation.h"
#include "common/clock/clock.h"
#include "telederm/v1/security.grpc.pb.h"

namespace telederm::auth {

// telederm.v1.SecurityService: audit queries and token revocation, for
// administrators (the policy table admits only admin tokens; the handlers
// check the role again). Served by every binary. Thread-safe.
class SecurityServiceImpl final : public v1::SecurityService::CallbackService {
 public:
  SecurityServiceImpl(std::shared_ptr<audit::AuditLog> audit, std::shared_ptr<Revocations> revocations,
                      ClockPtr clock);
  ~SecurityServiceImpl() override;

  grpc::ServerUnaryReactor* ListAuditEntries(grpc::CallbackServerContext* context,
                                             const v1::ListAuditEntriesRequest* request,
                                             v1::ListAuditEntriesResponse* response) override;
  grpc::ServerUnaryReactor* RevokeToken(grpc::CallbackServerContext* context, const v1::RevokeTokenRequest* request,
                                        v1::RevokeTokenResponse* response) override;

 private:
  std::shared_ptr<audit::AuditLog> audit_;
  std::shared_ptr<Revocations> revocations_;
  ClockPtr clock_;
  boost::asio::thread_pool executor_{2};
};

}  // namespace telederm::auth

#endif  // TELEDERM_COMMON_AUTH_SECURITY_SERVICE_H_
