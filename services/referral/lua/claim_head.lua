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
local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #head == 0 then return false end
local id, due = head[1], head[2]
local function parse(meta)
  if not meta then return '', '' end
  local clinic, tier = string.match(meta, '^(.*) (%d+)$')
  return clinic or '', tier or ''
end
local window = tonumber(ARGV[3])
if window > 0 then
  local _, head_tier = parse(redis.call('HGET', KEYS[5], id))
  local candidates = redis.call('ZRANGEBYSCORE', KEYS[1], due, tonumber(due) + window, 'WITHSCORES',
                                'LIMIT', 0, tonumber(ARGV[4]))
  local best = nil
  for i = 1, #candidates, 2 do
    local clinic, tier = parse(redis.call('HGET', KEYS[5], candidates[i]))
    if tier == head_tier then
      local turn = tonumber(redis.call('HGET', KEYS[6], 'c:' .. clinic) or '0')
      if best == nil or turn < best then
        best = turn
        id, due = candidates[i], candidates[i + 1]
      end
    end
  end
end
redis.call('ZREM', KEYS[1], id)
if redis.call('HEXISTS', KEYS[4], id) == 1 then return {id, due, 0} end
local token = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[3], ARGV[1], id)
redis.call('HSET', KEYS[4], id, token .. ' ' .. ARGV[2])
local clinic = parse(redis.call('HGET', KEYS[5], id))
redis.call('HSET', KEYS[6], 'c:' .. clinic, redis.call('HINCRBY', KEYS[6], 'turn', 1))
return {id, due, token}
