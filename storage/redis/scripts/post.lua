#!lua
-- Posts messages, creating the queue when missing (Zaqar's lazy queues).
-- KEYS: the 11 keys of one queue (see _lib.lua).
-- ARGV: [1] client id, [2] request body size, [3] config default ttl s,
--       [4] config max delay s, [5] n, then n times: id, ttl ("" = absent),
--       delay ("" = absent), body JSON text; then [6 + 4n] "1" when notifications are on.
-- Reply: {now ms, outbox size, created 0/1, refusal (0 none, 1 too large for the queue,
--         2 invalid delay), queue max post size, notification jobs recorded 0/1}.
-- Notifications: when the queue has subscriptions (their hash z:s:{T} exists; same tag,
-- derived from Q), one delivery job per message goes to the stream z:n:{T} in this same
-- script, so a stored message is never without its job (docs/notifications.md).
-- Nothing is written on a refusal except the lazily created queue itself.
local created = 0
if not queue_exists() then
    redis.call('HSET', Q, 'c', NOW, 'r', 0, 'm', '{}')
    created = 1
end
normalise(HOT_BUDGET)

local maxpost = tonumber(mirror('maxpost') or '0') or 0
if maxpost > 0 and tonumber(ARGV[2]) > maxpost then
    return {NOW, outbox_pending(), created, 1, maxpost}
end

local qttl = tonumber(mirror('ttl') or '0') or 0
local qdelay = tonumber(mirror('delay') or '0') or 0
local default_ttl = qttl > 0 and qttl or tonumber(ARGV[3])
local max_delay = tonumber(ARGV[4])
local n = tonumber(ARGV[5])

-- Check every message before writing any.
local plan = {}
for i = 1, n do
    local base = 5 + (i - 1) * 4
    local ttl = ARGV[base + 2] == '' and default_ttl or tonumber(ARGV[base + 2])
    local delay = 0
    -- A message's delay counts only when the queue enables delays (Zaqar drops it).
    if qdelay > 0 then
        if ARGV[base + 3] == '' then
            delay = qdelay
        else
            delay = tonumber(ARGV[base + 3])
            if delay < 0 or delay > max_delay then
                return {NOW, outbox_pending(), created, 2, maxpost}
            end
        end
    end
    plan[i] = {ARGV[base + 1], ttl, delay, ARGV[base + 4]}
end

local tagged = string.sub(Q, 5)
local notify = ARGV[6 + n * 4] == '1' and redis.call('EXISTS', 'z:s:' .. tagged) == 1
local last = redis.call('HINCRBY', Q, 'r', n)
local rank = last - n
for i = 1, n do
    local id, ttl, delay, body = plan[i][1], plan[i][2], plan[i][3], plan[i][4]
    rank = rank + 1
    local env = {r = rank, c = NOW, t = ttl, x = NOW + ttl * 1000, d = 0, u = ARGV[1],
                 k = '', ke = 0, n = 0}
    if delay > 0 then env.d = NOW + delay * 1000 end
    put_env(id, env)
    redis.call('HSET', B, id, body)
    redis.call('ZADD', ALL, rank, id)
    redis.call('ZADD', X, env.x, id)
    if delay > 0 then
        redis.call('ZADD', DL, env.d, id)
    else
        redis.call('ZADD', AV, rank, id)
    end
    if notify then
        redis.call('XADD', 'z:n:' .. tagged, '*', 'k', 'p', 't', NOW, 'i', id, 'l', ttl, 'd',
                   qdelay > 0 and delay or '', 'b', body)
    end
end
return {NOW, outbox_pending(), created, 0, maxpost, notify and 1 or 0}
