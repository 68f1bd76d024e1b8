-- KEYS[1]: the case's record (case:{id}). ARGV[1]: the record (serialized v1::Case).
-- Stores it as version 1 unless the case exists: 1 stored, 0 it existed.
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'v', '1', 'pb', ARGV[1])
return 1
