#ifndef TELEDERM_COMMON_AUTH_AUDIT_INTERCEPTOR_H_
#define TELEDERM_COMMON_AUTH_AUDIT_INTERCEPTOR_H_

#include <memory>
#include <set>
#include <string>

#include <google/protobuf/message.h>

#include <grpcpp/support/server_interceptor.h>

#include "common/audit/audit_log.h"
#include "common/clock/clock.h"

namespace telederm::auth {

// Writes an audit entry for every call of an audited method (policy.h) that
// reached its handler: who (the verified identity), what (the method), which
// cases (every well-formed `case_id` field of the request and of the
// response, so a list records each case it showed), from where (address, client certificate) and
// which image (a request's `sha256` field, in the entry's detail) and
// the outcome (the final status code, so a handler's NOT_FOUND or
// PERMISSION_DENIED for someone else's case is recorded too). A server stream's
// sent cases are coalesced by the AuditWriter (OpenStream): one entry per
// second or per kMaxCasesPerEntry cases, not one per message; then one entry
// for its end.
// Calls refused before the handler are audited by CallAuthenticator.
// Entries go through the AuditWriter, so no reaction waits for Redis.
class AuditInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  AuditInterceptorFactory(std::shared_ptr<audit::AuditWriter> audit, ClockPtr clock)
      : audit_(std::move(audit)), clock_(std::move(clock)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;

 private:
  std::shared_ptr<audit::AuditWriter> audit_;
  ClockPtr clock_;
};

// Adds to `out` every string field named case_id of `message` that holds a
// well-formed case id (IsValidCaseId), two levels deep (a Case, a list of
// Cases or queue entries, a message's case), until `out` holds
// audit::kMaxCasesPerEntry. Anything else a client sent as a case id is left
// out: each recorded id becomes a Redis key (audit:{log}:case:<id>) that is
// never deleted. Thread-safe.
void CollectCaseIds(const google::protobuf::Message& message, std::set<std::string>& out);

// The image a request names: its top-level string field `sha256` (GetImage),
// cut to 64 characters; empty when it has none. Thread-safe.
std::string RequestedImageDigest(const google::protobuf::Message& message);

}  // namespace telederm::auth

#endif  // TELEDERM_COMMON_AUTH_AUDIT_INTERCEPTOR_H_
