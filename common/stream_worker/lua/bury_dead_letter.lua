-- KEYS: dead-letter stream, source stream. ARGV: group, entry id, then the
-- dead letter's field/value pairs. Acks the entry and records it, atomically.
local fields = {}
for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
local id = redis.call('XADD', KEYS[1], '*', unpack(fields))
redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
return id
