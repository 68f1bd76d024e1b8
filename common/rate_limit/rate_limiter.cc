#include "common/rate_limit/rate_limiter.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/case_store/keys.h"
#include "common/redis/errors.h"
#include "common/redis/script.h"
#include "common/rate_limit/lua/take_tokens.lua.h"

namespace telederm::rate_limit {
namespace {

// The script, with its KEYS and ARGV: common/rate_limit/lua/take_tokens.lua.
const redis::Script kTakeScript{std::string(lua::kTakeTokens)};

}  // namespace

RateLimiter::RateLimiter(std::shared_ptr<redis::Client> redis, ClockPtr clock, RateLimit limit)
    : redis_(std::move(redis)),
      clock_(std::move(clock)),
      limit_(limit),
      per_second_arg_(absl::StrFormat("%.6f", limit.per_second)),
      burst_arg_(absl::StrFormat("%.6f", limit.burst)) {}

std::vector<std::string> RateLimiter::Args(double cost) const {
  return {per_second_arg_, burst_arg_, absl::StrCat(absl::ToUnixMillis(clock_->Now())),
          cost == 1 ? std::string("1") : absl::StrFormat("%.6f", cost)};
}

absl::Status RateLimiter::Take(absl::string_view clinic_id, double cost) const {
  return Result(clinic_id, redis_->Eval(kTakeScript, {keys::ClinicRateBucket(clinic_id)}, Args(cost)));
}

std::vector<std::string> RateLimiter::TakeCommand(absl::string_view clinic_id, double cost) const {
  std::vector<std::string> argv = {"EVALSHA", kTakeScript.sha1(), "1", keys::ClinicRateBucket(clinic_id)};
  for (std::string& arg : Args(cost)) argv.push_back(std::move(arg));
  return argv;
}

absl::Status RateLimiter::TakeReply(absl::string_view clinic_id, const absl::StatusOr<redis::Reply>& reply,
                                    double cost) const {
  // NOSCRIPT: the script did not run, so no token was taken; EVAL runs and caches it.
  if (!reply.ok() && redis::IsRedisError(reply.status(), "NOSCRIPT")) return Take(clinic_id, cost);
  if (!reply.ok()) return redis::ScriptErrorToStatus(reply.status());
  return Result(clinic_id, reply);
}

absl::Status RateLimiter::Result(absl::string_view clinic_id, const absl::StatusOr<redis::Reply>& reply) const {
  if (!reply.ok()) return reply.status();
  if (!reply->IsArray() || reply->elements.size() != 2) return absl::InternalError("rate limit script: bad reply");
  if (reply->elements[0].AsOptionalInteger() == 1) return absl::OkStatus();
  long long wait_ms = reply->elements[1].AsOptionalInteger().value_or(1000);
  return absl::ResourceExhaustedError(absl::StrCat("clinic ", clinic_id, " sends too many requests (limit ",
                                                   limit_.per_second, "/s, burst ", limit_.burst,
                                                   "); retry in ", wait_ms, " ms"));
}

}  // namespace telederm::rate_limit
