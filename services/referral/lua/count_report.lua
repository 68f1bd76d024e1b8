-- KEYS totals, day, days; ARGV day, day number.
redis.call('HINCRBY', KEYS[1], 'reported', 1)
redis.call('HINCRBY', KEYS[2], 'reported', 1)
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
return 1
