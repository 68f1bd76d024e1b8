-- KEYS: dead-letter stream, source stream. ARGV: dead letter id.
local found = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #found == 0 then return redis.error_reply('NOT_FOUND: no dead letter ' .. ARGV[1]) end
local stored = found[1][2]
local fields = {}
for i = 1, #stored, 2 do
  if string.sub(stored[i], 1, 2) == 'f:' then
    fields[#fields + 1] = string.sub(stored[i], 3)
    fields[#fields + 1] = stored[i + 1]
  end
end
fields[#fields + 1] = 'replay_of'
fields[#fields + 1] = ARGV[1]
local id = redis.call('XADD', KEYS[2], '*', unpack(fields))
redis.call('XDEL', KEYS[1], ARGV[1])
return id
