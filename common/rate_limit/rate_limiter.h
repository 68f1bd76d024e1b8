#ifndef TELEDERM_COMMON_RATE_LIMIT_RATE_LIMITER_H_
#define TELEDERM_COMMON_RATE_LIMIT_RATE_LIMITER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/clock/clock.h"
#include "common/redis/client.h"

namespace telederm::rate_limit {

struct RateLimit {
  double per_second = 20;  // sustained requests per second per clinic
  double burst = 100;      // bucket size: requests a clinic may send at once after a quiet spell
};

// A token bucket per clinic in Redis (keys::ClinicRateBucket), refilled and
// taken from in one Lua script, so every process of every service shares one
// bucket per clinic. The bucket key expires once it would be full again.
// Thread-safe.
class RateLimiter {
 public:
  RateLimiter(std::shared_ptr<redis::Client> redis, ClockPtr clock, RateLimit limit);

  // OK and one token taken, or RESOURCE_EXHAUSTED saying when to retry.
  // UNAVAILABLE when Redis does not answer (the caller decides; the services fail open
  // on this one, since refusing a clinic's upload for a Redis hiccup helps nobody and
  // every later step needs Redis anyway).
  absl::Status Take(absl::string_view clinic_id, double cost = 1) const;

  // Take in two halves, for a caller that sends it in one pipeline with its
  // other commands: the EVALSHA, and what its reply means. TakeReply runs the
  // script again with EVAL (one more round trip) when Redis answered
  // NOSCRIPT, so a flushed script cache costs one call, not a token.
  std::vector<std::string> TakeCommand(absl::string_view clinic_id, double cost = 1) const;
  absl::Status TakeReply(absl::string_view clinic_id, const absl::StatusOr<redis::Reply>& reply,
                         double cost = 1) const;

 private:
  std::vector<std::string> Args(double cost) const;
  absl::Status Result(absl::string_view clinic_id, const absl::StatusOr<redis::Reply>& reply) const;

  std::shared_ptr<redis::Client> redis_;
  ClockPtr clock_;
  RateLimit limit_;
  const std::string per_second_arg_;  // the script's ARGV, formatted once
  const std::string burst_arg_;
};

}  // namespace telederm::rate_limit

#endif  // TELEDERM_COMMON_RATE_LIMIT_RATE_LIMITER_H_
