-- KEYS: the list, the earlier ZSET (same hash tag). ARGV: case id. The list
-- is searched from its newest end, where a retried case is.
if redis.call('LPOS', KEYS[1], ARGV[1], 'RANK', -1) then return 0 end
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
redis.call('RPUSH', KEYS[1], ARGV[1])
return 1
