-- KEYS: an index (see append_audit_entry.lua), the log, the dictionary's code -> word
-- hash. ARGV: before id ('' = newest), limit. Returns the entries newest
-- first, as XREVRANGE does: {{id, {field, value, ...}}, ...}, each in words
-- (at, sub, role, scope, action, ...) whichever layout stored it.
local before = ARGV[1]
local limit = tonumber(ARGV[2])
local out = {}
local function add(id)
  local found = redis.call('XRANGE', KEYS[2], id, id)
  if found[1] then out[#out + 1] = decoded(found[1]) end
end
local bms, bseq
if before ~= '' then
  local dash = string.find(before, '-', 1, true)
  if dash then
    bms = tonumber(string.sub(before, 1, dash - 1))
    bseq = tonumber(string.sub(before, dash + 1))
  else
    bms = tonumber(before)
    bseq = 0
  end
end
local function older(id)
  if not bms then return true end
  local dash = string.find(id, '-', 1, true)
  local ms = tonumber(string.sub(id, 1, dash - 1))
  if ms ~= bms then return ms < bms end
  return tonumber(string.sub(id, dash + 1)) < bseq
end
local kind = redis.call('TYPE', KEYS[1]).ok
if kind == 'stream' then
  local high = '+'
  if before ~= '' then high = '(' .. before end
  for _, row in ipairs(redis.call('XREVRANGE', KEYS[1], high, '-', 'COUNT', limit)) do
    local fields = row[2]
    if fields[1] == 'r' then
      if fields[2] ~= '' then add(fields[2]) else add(row[1]) end
    else
      out[#out + 1] = row  -- a full copy, written by the first layout
    end
  end
elseif kind == 'list' then
  local high = redis.call('LLEN', KEYS[1]) - 1
  while high >= 0 and #out < limit do
    local low = math.max(0, high - 127)
    local ids = redis.call('LRANGE', KEYS[1], low, high)
    for i = #ids, 1, -1 do
      if #out >= limit then break end
      if older(ids[i]) then add(ids[i]) end
    end
    high = low - 1
  end
elseif kind == 'string' then
  -- Read backwards in chunks. The bytes of a chunk before its first space
  -- may be the end of an id the chunk cut: they are carried over to the end
  -- of the next (earlier) chunk.
  local unread = redis.call('STRLEN', KEYS[1])
  local carry = ''
  while unread > 0 and #out < limit do
    local from = math.max(0, unread - 2048)
    local chunk = redis.call('GETRANGE', KEYS[1], from, unread - 1) .. carry
    unread = from
    carry = ''
    if unread > 0 then
      local space = string.find(chunk, ' ', 1, true)
      if space then
        carry = string.sub(chunk, 1, space - 1)
        chunk = string.sub(chunk, space + 1)
      else
        carry = chunk
        chunk = ''
      end
    end
    local ids = {}
    for token in string.gmatch(chunk, '[^ ]+') do ids[#ids + 1] = token end
    for i = #ids, 1, -1 do
      if #out >= limit then break end
      if older(ids[i]) then add(ids[i]) end
    end
  end
end
return out
