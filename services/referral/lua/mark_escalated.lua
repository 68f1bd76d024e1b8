-- KEYS: escalated. ARGV: case id, due ms. 1 the first time for this due time.
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
