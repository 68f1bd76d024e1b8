-- KEYS: reads. ARGV: side, message id, ms. Moves the side's receipt forward
-- only: stream ids compare as (ms, seq) pairs of numbers.
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local cms, cseq = string.match(current, '^(%d+)-(%d+) ')
  local nms, nseq = string.match(ARGV[2], '^(%d+)-(%d+)$')
  cms, cseq, nms, nseq = tonumber(cms), tonumber(cseq), tonumber(nms), tonumber(nseq)
  if cms > nms or (cms == nms and cseq >= nseq) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ' ' .. ARGV[3])
return 1
