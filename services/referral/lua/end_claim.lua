-- KEYS: claims, leases, queue, meta, escalated. ARGV: case id, token, due ms or "".
-- Only if the claim still carries the token: removes the claim and its lease
-- and, with a due time, puts the case back in the queue; without one the case
-- leaves the pool, and its fairness and escalation marks go too. Returns 1, else 0.
local holder = redis.call('HGET', KEYS[1], ARGV[1])
if not holder or string.match(holder, '^(%d+) ') ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if ARGV[3] ~= '' then
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
else
  redis.call('HDEL', KEYS[4], ARGV[1])
  redis.call('HDEL', KEYS[5], ARGV[1])
end
return 1
