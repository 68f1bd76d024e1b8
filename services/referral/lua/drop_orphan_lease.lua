-- KEYS: claims, leases. ARGV: case id. Removes the lease unless a claim exists.
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
return redis.call('ZREM', KEYS[2], ARGV[1])
