-- KEYS: the log, the user's index, the dictionary (keys::kAuditWords,
-- keys::kAuditCodes), then each case's index. ARGV: at (ms), subject, role,
-- scope, action, cases, peer, outcome, detail, then the codes the writer
-- believes the subject, role, scope and action have ('' = unknown; absent is
-- unknown too). Returns the entry's id, or {id, sub, role, scope, action codes}
-- when it was stored compactly with a code other than the believed one, so
-- the writer learns the codes (and otherwise has nothing to parse or store).
--
-- A believed code costs one HGET that checks it against the dictionary, in
-- this script, so a wrong belief (a dictionary lost with Redis's data) is never
-- written: the word is then looked up as if no code were believed.
--
-- The entry goes to the log once, compactly: `lag_ms` (the entry id's time
-- minus `at`: the script chooses the id's time, so `at` is exact), and the
-- subject, role, scope and action as codes of the dictionary (a clinic
-- device's entry shrinks from ~180 B to ~93 B). A code is given once, with
-- HSETNX, and never changes. Should the dictionary disagree with itself, the
-- entry is written in words, as entries of the older layout are: at, sub,
-- role, scope, action. Both read the same (decode_audit_entry.lua).
--
-- The indexes hold only the entry's id. The user's index is a stream whose
-- entry ids are the log's ids (one small field, so a few bytes an entry). A
-- case's index is a string of log ids, each followed by a space, grown by
-- APPEND: most cases have a handful of entries, and a string costs less than
-- a list (~184 B against ~248 B for a case with 3 entries) or a stream (which
-- preallocates a 4 KB node). A case index of an older layout, a stream (full
-- copies) or a list (ids), keeps growing in its own type.
-- Every write is an append (XADD, RPUSH, APPEND, HSETNX): the ACL grants
-- nothing else on these keys.
local learned = false  -- a code differs from the one the writer believed
local function code(word, believed)
  if believed and believed ~= '' and redis.call('HGET', KEYS[3], believed) == word then return believed end
  learned = true
  local c = redis.call('HGET', KEYS[4], word)
  if c then
    if redis.call('HGET', KEYS[3], c) == word then return c end
    return nil
  end
  c = tostring(redis.call('HLEN', KEYS[4]) + 1)
  if redis.call('HSETNX', KEYS[3], c, word) == 0 then return nil end
  redis.call('HSETNX', KEYS[4], word, c)
  return c
end
local at = tonumber(ARGV[1])
local sub, role, scope, action = code(ARGV[2], ARGV[10]), code(ARGV[3], ARGV[11]), code(ARGV[4], ARGV[12]),
                                   code(ARGV[5], ARGV[13])
local id
local compact = at and math.abs(at) < 2^52 and sub and role and scope and action
if compact then
  local time = redis.call('TIME')
  local ms = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  local function add(ms)
    return redis.pcall('XADD', KEYS[1], string.format('%d-*', ms), 'lag_ms', string.format('%d', ms - at),
                       'sub_code', sub, 'role_code', role, 'scope_code', scope, 'action_code', action,
                       'case', ARGV[6], 'peer', ARGV[7], 'outcome', ARGV[8], 'detail', ARGV[9])
  end
  id = add(ms)
  if type(id) == 'table' and id.err then
    -- The clock is behind the last entry: use the last entry's time.
    local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1][1]
    id = add(tonumber(string.sub(last, 1, string.find(last, '-', 1, true) - 1)))
    if type(id) == 'table' and id.err then return id end
  end
else
  id = redis.call('XADD', KEYS[1], '*', 'at', ARGV[1], 'sub', ARGV[2], 'role', ARGV[3], 'scope', ARGV[4],
                  'action', ARGV[5], 'case', ARGV[6], 'peer', ARGV[7], 'outcome', ARGV[8], 'detail', ARGV[9])
end
local function reference(key)
  local added = redis.pcall('XADD', key, id, 'r', '')
  if type(added) == 'table' and added.err then redis.call('XADD', key, '*', 'r', id) end
end
reference(KEYS[2])
for i = 5, #KEYS do
  -- A string (or a new key) takes the APPEND at once; only an index of an
  -- older layout refuses it and costs a TYPE.
  local appended = redis.pcall('APPEND', KEYS[i], id .. ' ')
  if type(appended) == 'table' and appended.err then
    local kind = redis.call('TYPE', KEYS[i]).ok
    if kind == 'stream' then
      reference(KEYS[i])
    elseif kind == 'list' then
      redis.call('RPUSH', KEYS[i], id)
    else
      return appended
    end
  end
end
if compact and learned and ARGV[10] then return {id, sub, role, scope, action} end
return id
