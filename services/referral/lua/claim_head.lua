-- KEYS: queue, fence, leases, claims, meta, served. ARGV: lease expiry ms,
-- specialist id, fairness window ms, candidates.
-- Takes the earliest-due case, or among the cases of the head's tier due
-- within the window after it, the one whose clinic was served longest ago
-- (`served` holds each clinic's turn number in this pool; never served = 0;
-- ties go to the earlier due). If the index already holds a claim on it, the
-- queue entry is stale (the case was re-added while claimed): it is dropped and
-- {id, due, 0} returned, so a live claim is never overwritten. Otherwise the
-- case gets the next fencing token and a lease, its clinic the next turn:
-- {id, due, token}. nil: empty.
-- Redis runs this script alone, so its cost per candidate bounds every
-- claim: the candidates' metas and their clinics' turns are read with one
-- HMGET each, and a meta is parsed once per distinct "<clinic> <tier>" string.
local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #head == 0 then return false end
local id, due = head[1], head[2]
local function parse(meta)
  if not meta then return '', '' end
  local clinic, tier = string.match(meta, '^(.*) (%d+)$')
  return clinic or '', tier or ''
end
local clinic = nil
local window = tonumber(ARGV[3])
if window > 0 then
  local candidates = redis.call('ZRANGEBYSCORE', KEYS[1], due, tonumber(due) + window, 'LIMIT', 0, tonumber(ARGV[4]))
  -- metas[1] is the head's; metas[i + 1] candidate i's (false when missing).
  local metas = redis.call('HMGET', KEYS[5], id, unpack(candidates))
  local head_clinic, head_tier = parse(metas[1])
  clinic = head_clinic
  -- Equal metas mean the same clinic and tier: each distinct meta of the
  -- head's tier is represented by its earliest candidate, in due order.
  local suffix = ' ' .. head_tier
  local first, order, fields = {}, {}, {}
  for i = 1, #candidates do
    local meta = metas[i + 1]
    if first[meta] == nil then
      first[meta] = true
      local c
      if head_tier ~= '' and meta and string.sub(meta, -#suffix) == suffix then
        c = string.sub(meta, 1, -#suffix - 1)
      elseif head_tier == '' then
        local c2, tier = parse(meta)
        if tier == '' then c = c2 end
      end
      if c then
        order[#order + 1] = {candidates[i], c}
        fields[#fields + 1] = 'c:' .. c
      end
    end
  end
  if #fields > 1 then
    local turns = redis.call('HMGET', KEYS[6], unpack(fields))
    local best = nil
    for k, candidate in ipairs(order) do
      local turn = tonumber(turns[k] or '0')
      if best == nil or turn < best then
        best = turn
        id, clinic = candidate[1], candidate[2]
      end
    end
    if id ~= head[1] then due = redis.call('ZSCORE', KEYS[1], id) end
  end
end
redis.call('ZREM', KEYS[1], id)
if redis.call('HEXISTS', KEYS[4], id) == 1 then return {id, due, 0} end
local token = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[3], ARGV[1], id)
redis.call('HSET', KEYS[4], id, token .. ' ' .. ARGV[2])
if clinic == nil then clinic = parse(redis.call('HGET', KEYS[5], id)) end
redis.call('HSET', KEYS[6], 'c:' .. clinic, redis.call('HINCRBY', KEYS[6], 'turn', 1))
return {id, due, token}
