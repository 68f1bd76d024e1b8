-- KEYS[1]: the key's own STRING (the older layout), KEYS[2]: this
-- week's bucket, KEYS[3..]: the earlier buckets within the TTL; all share the
-- clinic's hash tag. ARGV: the key, the value to claim it with, and the TTL
-- (ms) of this week's bucket. Returns the value holding the key, or nil when it
-- claimed it.
local held = redis.call('GET', KEYS[1])
if held then return held end
for i = 2, #KEYS do
  held = redis.call('HGET', KEYS[i], ARGV[1])
  if held then return held end
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return false
