#include "common/auth/anonymous_refusals.h"

#include <string>

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/policy.h"
#include "common/logging/log.h"

namespace telederm::auth {

absl::string_view AnonymousRefusalName(AnonymousRefusal reason) {
  switch (reason) {
    case AnonymousRefusal::kNoToken: return "no_token";
    case AnonymousRefusal::kNotBearer: return "not_bearer";
    case AnonymousRefusal::kMalformed: return "malformed";
    case AnonymousRefusal::kBadSignature: return "bad_signature";
    case AnonymousRefusal::kExpired: return "expired";
    case AnonymousRefusal::kOverLimit: return "over_limit";
  }
  return "malformed";
}

AnonymousRefusal AnonymousRefusalOf(const absl::Status& status) {
  // VerifyToken's reasons (token.cc), read by their words.
  const absl::string_view message = status.message();
  if (absl::StrContains(message, "expired") || absl::StrContains(message, "issued in the future")) {
    return AnonymousRefusal::kExpired;
  }
  if (absl::StrContains(message, "signature") || absl::StrContains(message, "unknown key") ||
      absl::StrContains(message, "algorithm")) {
    return AnonymousRefusal::kBadSignature;
  }
  return AnonymousRefusal::kMalformed;
}

AnonymousRefusals::AnonymousRefusals(prometheus::Registry* registry, ClockPtr clock) : clock_(std::move(clock)) {
  if (registry != nullptr) {
    counters_ = &prometheus::BuildCounter()
                     .Name("telederm_auth_anonymous_refusals_total")
                     .Help("Calls refused before any identity was verified (not audited), by reason and method")
                     .Register(*registry);
  }
}

void AnonymousRefusals::Record(AnonymousRefusal reason, absl::string_view method, const absl::Status& status) {
  const std::string name = FindMethodPolicy(method) != nullptr ? ShortMethodName(method) : "unknown";
  if (counters_ != nullptr) {
    counters_->Add({{"reason", std::string(AnonymousRefusalName(reason))}, {"method", name}}).Increment();
  }
  const absl::Time now = clock_->Now();
  int64_t refused = 0;
  {
    absl::MutexLock lock(&mutex_);
    Sample& sample = samples_[static_cast<int>(reason)];
    ++sample.total;
    ++sample.unlogged;
    if (now - sample.logged_at < absl::Seconds(1)) return;
    refused = sample.unlogged;
    sample.unlogged = 0;
    sample.logged_at = now;
  }
  LogWarning(absl::StrCat("refused ", refused, refused == 1 ? " call" : " calls", " without a verifiable identity (",
                          AnonymousRefusalName(reason), ") since the last such line; latest: ", name, ": ",
                          status.message()));
}

int64_t AnonymousRefusals::Count(AnonymousRefusal reason) const {
  absl::MutexLock lock(&mutex_);
  return samples_[static_cast<int>(reason)].total;
}

}  // namespace telederm::auth
