-- KEYS cases, totals, day, days; ARGV case id, cell, day, day number. Moves
-- the case from the cell it was counted in (if another) to `cell`, in the
-- totals and in its day; 1 when it moved, 0 when it was already there.
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old == ARGV[2] then return 0 end
if old then
  for i = 2, 3 do
    if redis.call('HINCRBY', KEYS[i], old, -1) <= 0 then redis.call('HDEL', KEYS[i], old) end
  end
end
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
redis.call('HINCRBY', KEYS[3], ARGV[2], 1)
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[3])
return 1
