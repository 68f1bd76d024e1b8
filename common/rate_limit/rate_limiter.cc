#include "common/rate_limit/rate_limiter.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/case_store/keys.h"
#include "common/redis/script.h"

namespace telederm::rate_limit {
namespace {

// KEYS[1] bucket; ARGV rate/s, burst, now ms, cost. Returns {allowed 0|1, retry after ms}.
const redis::Script kTakeScript(R"lua(
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'ms')
local tokens = tonumber(bucket[1])
local ms = tonumber(bucket[2])
if tokens == nil or ms == nil then
  tokens = burst
  ms = now
end
if now > ms then
  tokens = math.min(burst, tokens + (now - ms) * rate / 1000)
  ms = now
end
local allowed = 0
local wait = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  wait = math.ceil((cost - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ms', tostring(ms))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {allowed, wait}
)lua");

}  // namespace

RateLimiter::RateLimiter(std::shared_ptr<redis::Client> redis, ClockPtr clock, RateLimit limit)
    : redis_(std::move(redis)), clock_(std::move(clock)), limit_(limit) {}

absl::Status RateLimiter::Take(absl::string_view clinic_id, double cost) {
  absl::StatusOr<redis::Reply> reply =
      redis_->Eval(kTakeScript, {keys::ClinicRateBucket(clinic_id)},
                   {absl::StrFormat("%.6f", limit_.per_second), absl::StrFormat("%.6f", limit_.burst),
                    absl::StrCat(absl::ToUnixMillis(clock_->Now())), absl::StrFormat("%.6f", cost)});
  if (!reply.ok()) return reply.status();
  if (!reply->IsArray() || reply->elements.size() != 2) return absl::InternalError("rate limit script: bad reply");
  if (reply->elements[0].AsOptionalInteger() == 1) return absl::OkStatus();
  long long wait_ms = reply->elements[1].AsOptionalInteger().value_or(1000);
  return absl::ResourceExhaustedError(absl::StrCat("clinic ", clinic_id, " sends too many requests (limit ",
                                                   limit_.per_second, "/s, burst ", limit_.burst,
                                                   "); retry in ", wait_ms, " ms"));
}

}  // namespace telederm::rate_limit
