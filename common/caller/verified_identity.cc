#include "common/caller/verified_identity.h"

#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"

namespace telederm {
namespace {

std::atomic<bool> unverified_headers_allowed{false};

absl::Mutex verifier_mutex(absl::kConstInit);
std::shared_ptr<const TokenVerifier>& InstalledVerifier() ABSL_EXCLUSIVE_LOCKS_REQUIRED(verifier_mutex) {
  static auto* verifier = new std::shared_ptr<const TokenVerifier>();
  return *verifier;
}

}  // namespace

void InstallTokenVerifier(TokenVerifier verifier) {
  absl::MutexLock lock(&verifier_mutex);
  InstalledVerifier() = std::make_shared<const TokenVerifier>(std::move(verifier));
}

std::optional<absl::StatusOr<VerifiedIdentity>> VerifiedIdentityOf(const grpc::ServerContextBase& context) {
  std::shared_ptr<const TokenVerifier> verifier;
  {
    absl::MutexLock lock(&verifier_mutex);
    verifier = InstalledVerifier();
  }
  if (verifier == nullptr) return std::nullopt;
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    return absl::StatusOr<VerifiedIdentity>(absl::UnauthenticatedError("no bearer token"));
  }
  absl::string_view header(it->second.data(), it->second.size());
  if (!absl::StartsWithIgnoreCase(header, "bearer ")) {
    return absl::StatusOr<VerifiedIdentity>(absl::UnauthenticatedError("the authorization header must be 'Bearer <token>'"));
  }
  return (*verifier)(absl::StripAsciiWhitespace(header.substr(7)));
}

std::optional<absl::StatusOr<Caller>> VerifiedCaller(const grpc::ServerContextBase& context) {
  std::optional<absl::StatusOr<VerifiedIdentity>> identity = VerifiedIdentityOf(context);
  if (!identity.has_value()) return std::nullopt;
  if (!identity->ok()) return absl::StatusOr<Caller>(identity->status());
  const VerifiedIdentity& who = **identity;
  Caller caller;
  if (who.role == "clinic") {
    caller.role = Caller::Role::kClinic;
    caller.id = who.clinic;
  } else if (who.role == "specialist" || who.role == "supervisor") {
    caller.role = Caller::Role::kSpecialist;
    caller.id = who.subject;
    caller.pools = who.pools;
  } else if (who.role == "admin") {
    caller.role = Caller::Role::kAdmin;
    caller.id = who.subject;
  } else {
    return absl::StatusOr<Caller>(absl::PermissionDeniedError("a " + who.role + " token may not call this"));
  }
  if (caller.id.empty()) {
    return absl::StatusOr<Caller>(absl::UnauthenticatedError("the verified identity names nobody"));
  }
  return absl::StatusOr<Caller>(std::move(caller));
}

void AllowUnverifiedIdentityHeaders() { unverified_headers_allowed.store(true); }
bool UnverifiedIdentityHeadersAllowed() { return unverified_headers_allowed.load(); }

}  // namespace telederm
