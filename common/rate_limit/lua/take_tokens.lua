-- KEYS[1] bucket; ARGV rate/s, burst, now ms, cost. Returns {allowed 0|1, retry after ms}.
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
