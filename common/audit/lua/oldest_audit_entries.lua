-- KEYS: the log, the dictionary's code -> word hash. ARGV: the last
-- millisecond to read, limit. Returns the log's oldest entries up to that
-- millisecond, oldest first, in words as query_audit_index.lua returns them.
local out = {}
for _, row in ipairs(redis.call('XRANGE', KEYS[1], '-', ARGV[1], 'COUNT', tonumber(ARGV[2]))) do
  out[#out + 1] = decoded(row)
end
return out
