#!lua
-- Posts messages taken from another queue's dead-letter outbox into this queue (the
-- DLQ), creating it when missing. Idempotent by message id: a message still here, or
-- posted here by an earlier attempt within DEDUP_MS (recorded in dd, even if consumed
-- since), is skipped, so a move retried after a crash never duplicates it.
-- KEYS: the 11 keys of the dead-letter queue (see _lib.lua), then [12] dd ZSET message
--       id -> ms until which a repeated move of it is ignored (same tag).
-- ARGV: [1] n, then n times: id, ttl s, client id, created ms, body JSON text.
-- Reply: {now ms, outbox size, created 0/1, index intent token ("" when none; see
--         queue_create.lua)}.
-- The mover retries an outbox entry until it is acknowledged; the sweeper visits every
-- queue within one pass of the registry, far less than a day.
local DEDUP_MS = 86400000
local DD = KEYS[12]
local created = 0
local head = read_queue('ix')
local ix = head[1] or ''
if not EXISTS_Q then
    ix = create_queue('{}')
    created = 1
end
redis.call('ZREMRANGEBYSCORE', DD, '-inf', NOW)
local n = tonumber(ARGV[1])
local moved = {}
for i = 1, n do
    local base = 1 + (i - 1) * 5
    local id, ttl = ARGV[base + 1], tonumber(ARGV[base + 2])
    if redis.call('HEXISTS', E, id) == 0 and not redis.call('ZSCORE', DD, id) then
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
    moved[#moved + 1] = NOW + DEDUP_MS
    moved[#moved + 1] = id
end
if #moved > 0 then
    call_many('ZADD', DD, moved)
    -- The whole set goes a day after the last move into this queue.
    redis.call('PEXPIRE', DD, DEDUP_MS)
end
return {NOW, outbox_pending(), created, ix}
