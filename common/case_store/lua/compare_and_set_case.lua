-- KEYS[1]: the case's record (case:{id}).
-- Stores ARGV[3] as version ARGV[2] only if the stored version is ARGV[1]: 1 stored,
-- 0 the version moved on, NOT_FOUND no such case.
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return redis.error_reply('NOT_FOUND: no such case') end
if v ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'pb', ARGV[3])
return 1
