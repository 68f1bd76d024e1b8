#include "common/auth/call_authenticator.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "common/auth/policy.h"
#include "common/logging/log.h"
#include "common/status/grpc_status.h"

namespace telederm::auth {
namespace {

absl::string_view Lookup(const grpc::AuthMetadataProcessor::InputMetadata& metadata, const char* key) {
  auto it = metadata.find(key);
  if (it == metadata.end()) return {};
  return absl::string_view(it->second.data(), it->second.size());
}

// The token of an "authorization: Bearer <token>" header; empty for any other.
absl::string_view BearerToken(absl::string_view authorization) {
  if (!absl::StartsWithIgnoreCase(authorization, "bearer ")) return {};
  return absl::StripAsciiWhitespace(authorization.substr(7));
}

constexpr char kConnectionProperty[] = "telederm_connection";

// The process-unique id of the connection whose AuthContext `context` is. The
// first call on a connection adds it; the mutex keeps two first calls from
// both adding one, and every later call (and every reader of the context's
// properties past this gate) finds it already there.
std::string ConnectionId(grpc::AuthContext& context) {
  static absl::Mutex mutex(absl::kConstInit);
  static int64_t last = 0;  // guarded by mutex
  absl::MutexLock lock(&mutex);
  if (std::vector<grpc::string_ref> id = context.FindPropertyValues(kConnectionProperty); !id.empty()) {
    return std::string(id[0].data(), id[0].size());
  }
  std::string id = absl::StrCat(++last);
  context.AddProperty(kConnectionProperty, id);
  return id;
}

}  // namespace

std::string CertificatePeer(const grpc::AuthContext& context) {
  for (const char* name : {"x509_subject", "x509_common_name"}) {
    std::vector<grpc::string_ref> values = context.FindPropertyValues(name);
    if (!values.empty()) return absl::StrCat("cert:", absl::string_view(values[0].data(), values[0].size()));
  }
  return "-";
}

CallAuthenticator::CallAuthenticator(Parts parts) : parts_(std::move(parts)) {
  if (parts_.tokens == nullptr) parts_.tokens = std::make_shared<VerifiedTokens>(parts_.keys);
  if (parts_.refusals == nullptr) parts_.refusals = std::make_shared<AnonymousRefusals>(nullptr, parts_.clock);
}

absl::StatusOr<Claims> CallAuthenticator::Identify(absl::string_view authorization, absl::Time now) {
  if (authorization.empty()) {
    return absl::UnauthenticatedError(
        "no bearer token: send 'authorization: Bearer <token>' (telederm admin issue-token makes one)");
  }
  if (!absl::StartsWithIgnoreCase(authorization, "bearer ")) {
    return absl::UnauthenticatedError("the authorization header must be 'Bearer <token>'");
  }
  return parts_.tokens->Verify(BearerToken(authorization), now);
}

absl::Status CallAuthenticator::Admit(absl::string_view method, const Claims& claims,
                                      absl::string_view break_glass_reason) {
  const absl::Status allowed = Authorize(FindMethodPolicy(method), method, claims.role, break_glass_reason);
  const bool limited = allowed.ok() && claims.role == Role::kClinic && parts_.rate_limiter != nullptr;
  std::vector<std::vector<std::string>> commands = {Revocations::IsRevokedCommand(claims.token_id)};
  if (limited) commands.push_back(parts_.rate_limiter->TakeCommand(claims.clinic_id));
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies = parts_.redis->Pipeline(commands);
  absl::StatusOr<bool> revoked =
      replies.ok() ? Revocations::IsRevokedReply((*replies)[0]) : absl::StatusOr<bool>(replies.status());
  if (!revoked.ok()) {
    return absl::UnavailableError(absl::StrCat("cannot check token revocation: ", revoked.status().message()));
  }
  if (*revoked) return absl::UnauthenticatedError("bearer token refused: revoked");
  if (!allowed.ok()) return allowed;
  if (limited) {
    absl::Status within = parts_.rate_limiter->TakeReply(claims.clinic_id, (*replies)[1]);
    // Fail open on a Redis hiccup: the limit protects capacity, not data.
    if (within.code() == absl::StatusCode::kResourceExhausted) return within;
  }
  return absl::OkStatus();
}

absl::StatusOr<Claims> CallAuthenticator::Decide(absl::string_view method, absl::string_view authorization,
                                                 absl::string_view break_glass_reason) {
  absl::StatusOr<Claims> claims = Identify(authorization, parts_.clock->Now());
  if (!claims.ok()) return claims.status();
  if (absl::Status admitted = Admit(method, *claims, break_glass_reason); !admitted.ok()) return admitted;
  return claims;
}

grpc::Status CallAuthenticator::RefuseAnonymous(AnonymousRefusal reason, absl::string_view method,
                                                const absl::Status& status) {
  parts_.refusals->Record(reason, method, status);
  return ToGrpcStatus(status);
}

void CallAuthenticator::AuditRefusal(const InputMetadata& metadata, const grpc::AuthContext& context,
                                     absl::string_view method, const Claims& claims, const absl::Status& refusal) {
  audit::AuditEntry entry;
  entry.at = parts_.clock->Now();
  entry.action = ShortMethodName(method);
  entry.peer = CertificatePeer(context);
  entry.outcome = absl::StatusCodeToString(refusal.code());
  entry.detail = std::string(refusal.message());
  if (absl::string_view reason = Lookup(metadata, kBreakGlassReasonHeader); !reason.empty()) {
    entry.detail = absl::StrCat("break-glass reason: ", reason.substr(0, kMaxBreakGlassReason), "; ", entry.detail);
  }
  entry.subject = claims.subject;
  entry.role = std::string(RoleName(claims.role));
  entry.scope = claims.role == Role::kClinic ? claims.clinic_id : absl::StrJoin(claims.pools, ",");
  parts_.audit->Write(std::move(entry));
}

grpc::Status CallAuthenticator::Process(const InputMetadata& metadata, grpc::AuthContext* context,
                                        OutputMetadata* consumed, OutputMetadata* response) {
  absl::string_view method = Lookup(metadata, ":path");
  const MethodPolicy* policy = FindMethodPolicy(method);
  if (policy != nullptr && policy->open) return grpc::Status::OK;
  absl::string_view authorization = Lookup(metadata, "authorization");
  const absl::Time now = parts_.clock->Now();
  std::string connection;
  if (parts_.anonymous_limit != nullptr) {
    connection = ConnectionId(*context);
    if (parts_.anonymous_limit->Empty(connection, now) && !parts_.tokens->Remembers(BearerToken(authorization))) {
      const rate_limit::RateLimit& limit = parts_.anonymous_limit->limit();
      return RefuseAnonymous(
          AnonymousRefusal::kOverLimit, method,
          absl::ResourceExhaustedError(absl::StrCat(
              "too many calls without a valid bearer token on this connection (", limit.burst, " at once, then ",
              limit.per_second, " a second): send 'authorization: Bearer <token>' with a valid token")));
    }
  }
  absl::StatusOr<Claims> claims = Identify(authorization, now);
  if (!claims.ok()) {
    if (parts_.anonymous_limit != nullptr) parts_.anonymous_limit->Take(connection, now);
    AnonymousRefusal reason = authorization.empty()                                ? AnonymousRefusal::kNoToken
                              : !absl::StartsWithIgnoreCase(authorization, "bearer ") ? AnonymousRefusal::kNotBearer
                                                                                     : AnonymousRefusalOf(claims.status());
    return RefuseAnonymous(reason, method, claims.status());
  }
  absl::Status admitted = Admit(method, *claims, Lookup(metadata, kBreakGlassReasonHeader));
  if (!admitted.ok()) {
    // A clinic over its rate is not audited: the rate limit protects capacity, not data.
    if (admitted.code() != absl::StatusCode::kResourceExhausted) {
      AuditRefusal(metadata, *context, method, *claims, admitted);
    }
    return ToGrpcStatus(admitted);
  }
  // `context` belongs to the connection, shared by all its calls: the verified
  // identity is not stored there. The header stays on the call (not consumed)
  // and IdentifyCaller verifies it again (common/caller/verified_identity.h).
  return grpc::Status::OK;
}

}  // namespace telederm::auth
