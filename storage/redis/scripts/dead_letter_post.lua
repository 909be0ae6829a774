#!lua
-- Posts messages taken from another queue's dead-letter outbox into this queue (the
-- DLQ; or, for a redrive, from a DLQ's outbox back into its source queue), creating it
-- when missing. Idempotent by message: a message id still here, or a dedup member
-- recorded in dd by an earlier attempt within DEDUP_MS (even if consumed since), is
-- skipped, so a move retried after a crash never duplicates it.
-- KEYS: the 11 keys of the target queue (see _lib.lua), then [12] dd ZSET dedup member
--       -> ms until which a repeated move of it is ignored (same tag).
-- ARGV: [1] n, then n times: id, ttl s, client id, created ms, body JSON text, group
--       ("" none), dedup member ("" = the id; a redrive passes "<id>@<redrive ms>", so a
--       message may come back to a queue it left within the day).
-- Reply: {now ms, outbox size, created 0/1, index intent token ("" when none; see
--         queue_create.lua)}.
-- The mover retries an outbox entry until it is acknowledged; the sweeper visits every
-- queue within one pass of the registry, far less than a day. A moved message starts
-- with claim count 0 and, when it has a group, goes to the end of its group's line.
local DEDUP_MS = 86400000
local FIELDS = 7
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
    local base = 1 + (i - 1) * FIELDS
    local id, ttl, group = ARGV[base + 1], tonumber(ARGV[base + 2]), ARGV[base + 6]
    local member = ARGV[base + 7] ~= '' and ARGV[base + 7] or id
    if redis.call('HEXISTS', E, id) == 0 and not redis.call('ZSCORE', DD, member) then
        local rank = redis.call('HINCRBY', Q, 'r', 1)
        local x = NOW + ttl * 1000
        local env = {r = rank, c = tonumber(ARGV[base + 4]), t = ttl, x = x, x0 = x, d = 0,
                     u = ARGV[base + 3], k = '', ke = 0, n = 0, o = 0, b = ARGV[base + 5]}
        if not in_order(x) then
            env.o = 1
            redis.call('ZADD', X, x, id)
        end
        local waits = false
        if group ~= '' then
            env.g = group
            groups_used()
            if group_head(group) then
                waits = true
                redis.call('ZADD', GM, 0, group_member(group, rank, id))
            else
                redis.call('HSET', GH, group, id)
            end
        end
        put_env(id, env)
        redis.call('ZADD', ALL, rank, id)
        lower_due(env.x + LAZY_MS)
        if not waits then redis.call('ZADD', AV, rank, id) end
    end
    moved[#moved + 1] = NOW + DEDUP_MS
    moved[#moved + 1] = member
end
if LX_DIRTY then redis.call('HSET', Q, 'lx', lx_text()) end
if #moved > 0 then
    call_many('ZADD', DD, moved)
    -- The whole set goes a day after the last move into this queue.
    redis.call('PEXPIRE', DD, DEDUP_MS)
end
return {NOW, outbox_pending(), created, ix}
