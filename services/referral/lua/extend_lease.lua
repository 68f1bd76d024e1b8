-- KEYS: claims, leases. ARGV: case id, token, lease expiry ms.
local holder = redis.call('HGET', KEYS[1], ARGV[1])
if not holder or string.match(holder, '^(%d+) ') ~= ARGV[2] then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1
