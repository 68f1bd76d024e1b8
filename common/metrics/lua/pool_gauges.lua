-- One pool's queue in one round trip, atomically: KEYS queue, meta, leases;
-- ARGV now (ms), how many cases to count by tier. Returns {depth, oldest due
-- ms or -1, overdue, unspecified, urgent, soon, routine, not counted by tier,
-- active claims}. Depth, oldest and overdue are exact at any size (ZCARD,
-- ZRANGE 0 0, ZCOUNT: O(log N)). The tier of a case comes from the meta hash
-- ("<clinic id> <urgency number>") the queue index keeps beside the queue, one
-- HGET per case, so only the earliest-due cases are counted by tier: a scrape
-- must never hold Redis for a time that grows with the queue (reading every
-- case took Redis 5.3 s at 10^6 queued, stalling every service meanwhile).
local depth = redis.call('ZCARD', KEYS[1])
local oldest = -1
local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #head > 0 then oldest = tonumber(head[2]) end
local overdue = redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. ARGV[1])
local counted = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)
local tiers = {0, 0, 0, 0}
for i = 1, #counted do
  local tier = 0
  local meta = redis.call('HGET', KEYS[2], counted[i])
  if meta then tier = tonumber(string.match(meta, '(%d+)$')) or 0 end
  if tier < 0 or tier > 3 then tier = 0 end
  tiers[tier + 1] = tiers[tier + 1] + 1
end
return {depth, oldest, overdue, tiers[1], tiers[2], tiers[3], tiers[4], depth - #counted, redis.call('ZCARD', KEYS[3])}
