#include "common/auth/call_authenticator.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/auth/policy.h"
#include "common/auth/token.h"
#include "common/logging/log.h"
#include "common/status/grpc_status.h"

namespace telederm::auth {
namespace {

absl::string_view Lookup(const grpc::AuthMetadataProcessor::InputMetadata& metadata, const char* key) {
  auto it = metadata.find(key);
  if (it == metadata.end()) return {};
  return absl::string_view(it->second.data(), it->second.size());
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
}

absl::StatusOr<Claims> CallAuthenticator::Decide(absl::string_view method, absl::string_view authorization,
                                                 absl::string_view break_glass_reason) {
  const MethodPolicy* policy = FindMethodPolicy(method);
  if (authorization.empty()) {
    return absl::UnauthenticatedError(
        "no bearer token: send 'authorization: Bearer <token>' (telederm admin issue-token makes one)");
  }
  if (!absl::StartsWithIgnoreCase(authorization, "bearer ")) {
    return absl::UnauthenticatedError("the authorization header must be 'Bearer <token>'");
  }
  absl::string_view token = absl::StripAsciiWhitespace(authorization.substr(7));
  absl::StatusOr<Claims> claims = parts_.tokens->Verify(token, parts_.clock->Now());
  if (!claims.ok()) return claims.status();
  const absl::Status allowed = Authorize(policy, method, claims->role, break_glass_reason);
  const bool limited = allowed.ok() && claims->role == Role::kClinic && parts_.rate_limiter != nullptr;
  std::vector<std::vector<std::string>> commands = {Revocations::IsRevokedCommand(claims->token_id)};
  if (limited) commands.push_back(parts_.rate_limiter->TakeCommand(claims->clinic_id));
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies = parts_.redis->Pipeline(commands);
  absl::StatusOr<bool> revoked =
      replies.ok() ? Revocations::IsRevokedReply((*replies)[0]) : absl::StatusOr<bool>(replies.status());
  if (!revoked.ok()) {
    return absl::UnavailableError(absl::StrCat("cannot check token revocation: ", revoked.status().message()));
  }
  if (*revoked) return absl::UnauthenticatedError("bearer token refused: revoked");
  if (!allowed.ok()) return allowed;
  if (limited) {
    absl::Status within = parts_.rate_limiter->TakeReply(claims->clinic_id, (*replies)[1]);
    // Fail open on a Redis hiccup: the limit protects capacity, not data.
    if (within.code() == absl::StatusCode::kResourceExhausted) return within;
  }
  return claims;
}

grpc::Status CallAuthenticator::Process(const InputMetadata& metadata, grpc::AuthContext* context,
                                        OutputMetadata* consumed, OutputMetadata* response) {
  absl::string_view method = Lookup(metadata, ":path");
  const MethodPolicy* policy = FindMethodPolicy(method);
  if (policy != nullptr && policy->open) return grpc::Status::OK;
  absl::string_view authorization = Lookup(metadata, "authorization");
  absl::StatusOr<Claims> claims = Decide(method, authorization, Lookup(metadata, kBreakGlassReasonHeader));
  if (!claims.ok()) {
    if (claims.status().code() != absl::StatusCode::kResourceExhausted) {
      audit::AuditEntry entry;
      entry.at = parts_.clock->Now();
      entry.action = ShortMethodName(method);
      entry.peer = CertificatePeer(*context);
      entry.outcome = absl::StatusCodeToString(claims.status().code());
      entry.detail = std::string(claims.status().message());
      if (absl::string_view reason = Lookup(metadata, kBreakGlassReasonHeader); !reason.empty()) {
        entry.detail = absl::StrCat("break-glass reason: ", reason.substr(0, kMaxBreakGlassReason), "; ", entry.detail);
      }
      // A token that verifies but is refused (revoked, wrong role) still names who tried.
      if (absl::StartsWithIgnoreCase(authorization, "bearer ")) {
        absl::StatusOr<Claims> shown = VerifyToken(absl::StripAsciiWhitespace(authorization.substr(7)),
                                                   parts_.keys, entry.at);
        if (shown.ok()) {
          entry.subject = shown->subject;
          entry.role = std::string(RoleName(shown->role));
          entry.scope = shown->role == Role::kClinic ? shown->clinic_id : absl::StrJoin(shown->pools, ",");
        }
      }
      parts_.audit->Write(std::move(entry));
    }
    return ToGrpcStatus(claims.status());
  }
  // `context` belongs to the connection, shared by all its calls: the verified
  // identity is not stored there. The header stays on the call (not consumed)
  // and IdentifyCaller verifies it again (common/caller/verified_identity.h).
  return grpc::Status::OK;
}

}  // namespace telederm::auth
