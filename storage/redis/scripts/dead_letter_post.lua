#!lua
-- Posts messages taken from another queue's dead-letter outbox into this queue (the
-- DLQ), creating it when missing. Idempotent by message id, so a retried move after a
-- crash never duplicates a message still here.
-- KEYS: the 11 keys of the dead-letter queue (see _lib.lua).
-- ARGV: [1] n, then n times: id, ttl s, client id, created ms, body JSON text.
-- Reply: {now ms, outbox size, created 0/1}.
local created = 0
read_queue()
if not EXISTS_Q then
    redis.call('HSET', Q, 'c', NOW, 'r', 0, 'm', '{}')
    created = 1
end
local n = tonumber(ARGV[1])
for i = 1, n do
    local base = 1 + (i - 1) * 5
    local id, ttl = ARGV[base + 1], tonumber(ARGV[base + 2])
    if redis.call('HEXISTS', E, id) == 0 then
        local rank = redis.call('HINCRBY', Q, 'r', 1)
        local env = {r = rank, c = tonumber(ARGV[base + 4]), t = ttl, x = NOW + ttl * 1000,
                     d = 0, u = ARGV[base + 3], k = '', ke = 0, n = 0}
        put_env(id, env)
        redis.call('HSET', B, id, ARGV[base + 5])
        redis.call('ZADD', ALL, rank, id)
        redis.call('ZADD', X, env.x, id)
        lower_due(env.x + LAZY_MS)
        redis.call('ZADD', AV, rank, id)
    end
end
return {NOW, outbox_pending(), created}
