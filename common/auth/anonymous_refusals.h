#ifndef TELEDERM_COMMON_AUTH_ANONYMOUS_REFUSALS_H_
#define TELEDERM_COMMON_AUTH_ANONYMOUS_REFUSALS_H_

#include <array>
#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"

namespace prometheus {
class Registry;
template <typename T>
class Family;
class Counter;
}  // namespace prometheus

namespace telederm::auth {

// Why the gate refused a call that showed no verifiable identity.
enum class AnonymousRefusal {
  kNoToken,       // no authorization header
  kNotBearer,     // a header that is not "Bearer <token>"
  kMalformed,     // a token that cannot be read, or claims that do not fit
  kBadSignature,  // an unknown key, another algorithm, a wrong signature
  kExpired,       // expired, or issued in the future
  kOverLimit,     // its connection is over its limit of such calls (LocalBuckets)
};
inline constexpr int kAnonymousRefusals = 6;

// "no_token", "not_bearer", ...: the metric's reason label.
absl::string_view AnonymousRefusalName(AnonymousRefusal reason);

// Which refusal `status` (VerifyToken's answer, token.h) is.
AnonymousRefusal AnonymousRefusalOf(const absl::Status& status);

// Refusals of calls that name nobody are counted, never audited one by one:
// the audit trail records who touched what, these name nobody, and storing
// each one would let anyone grow Redis without bound. Each is counted in
//   telederm_auth_anonymous_refusals_total{reason, method}
// and logged, at most one line per reason per second, saying how many were
// refused since the last line and the latest method and reason. `method` is
// the short name of a method of the policy table (policy.h), "unknown" for
// any other path: a caller chooses the path, and no path it makes up may
// become a new series. A refusal of a verified caller (wrong role, revoked
// token) is audited by CallAuthenticator instead. Thread-safe.
class AnonymousRefusals {
 public:
  // `registry` (null: counted in memory only) must outlive this object.
  AnonymousRefusals(prometheus::Registry* registry, ClockPtr clock);

  // `method` as gRPC names it ("/telederm.v1.IntakeService/GetCase").
  void Record(AnonymousRefusal reason, absl::string_view method, const absl::Status& status);

  // All refusals of `reason` so far.
  int64_t Count(AnonymousRefusal reason) const;

 private:
  struct Sample {
    absl::Time logged_at = absl::InfinitePast();
    int64_t unlogged = 0;  // refused since the last line
    int64_t total = 0;
  };

  ClockPtr clock_;
  prometheus::Family<prometheus::Counter>* counters_ = nullptr;
  mutable absl::Mutex mutex_;
  std::array<Sample, kAnonymousRefusals> samples_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace telederm::auth

#endif  // TELEDERM_COMMON_AUTH_ANONYMOUS_REFUSALS_H_
