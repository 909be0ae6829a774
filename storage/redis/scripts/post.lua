#!lua
-- Posts messages, creating the queue when missing (Zaqar's lazy queues).
-- KEYS: the 11 keys of one queue (see _lib.lua).
-- ARGV: [1] client id, [2] request body size, [3] config default ttl s,
--       [4] config max delay s, [5] n, then n times: id, ttl ("" = absent),
--       delay ("" = absent), body JSON text; then [6 + 4n] "1" when notifications are on;
--       then, only when some message has a group, n group names ("" = none).
-- Reply: {now ms, outbox size, created 0/1, refusal (0 none, 1 too large for the queue,
--         2 invalid delay), queue max post size, notification jobs recorded 0/1,
--         index intent token ("" when none; see queue_create.lua)}.
-- Notifications: when the queue has subscriptions (their hash z:s:{T} exists; same tag,
-- derived from Q), one delivery job per message goes to the stream z:n:{T} in this same
-- script, so a stored message is never without its job (docs/notifications.md).
-- Nothing is written on a refusal except the lazily created queue itself.
-- FIFO groups (_lib.lua): a message whose group already has a head waits behind it in gm
-- instead of entering av/dl; otherwise it becomes its group's head.
local created = 0
-- One HMGET reads the creation time (every queue hash has it), the hints and the mirrors.
local head = read_queue('maxpost', 'ttl', 'delay', 'ix')
local ix = head[4] or ''
if not EXISTS_Q then
    ix = create_queue('{}')
    created = 1
end
-- No normalise() here: a post only appends, and readers filter expiry, claims and delays
-- exactly themselves (their own normalise and the sweeper do the housekeeping).

local maxpost = tonumber(head[1] or '0') or 0
if maxpost > 0 and tonumber(ARGV[2]) > maxpost then
    return {NOW, outbox_pending(), created, 1, maxpost, 0, ix}
end

local qttl = tonumber(head[2] or '0') or 0
local qdelay = tonumber(head[3] or '0') or 0
local default_ttl = qttl > 0 and qttl or tonumber(ARGV[3])
local max_delay = tonumber(ARGV[4])
local n = tonumber(ARGV[5])

-- Check every message before writing any.
local ttls, delays = {}, {}
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
                return {NOW, outbox_pending(), created, 2, maxpost, 0, ix}
            end
        end
    end
    ttls[i], delays[i] = ttl, delay
end

local tagged = string.sub(Q, 5)
local notify = ARGV[6 + n * 4] == '1' and redis.call('EXISTS', 'z:s:' .. tagged) == 1
local last = redis.call('HINCRBY', Q, 'r', n)
local rank = last - n
-- The envelope is written as text (same JSON get_env decodes): cjson.encode of a fresh
-- table per message cost more than the rest of the post. A client id that needs JSON
-- escaping (not a UUID) still goes through cjson.
-- Same field order as encode_env.
local env_prefix = '{"c":' .. string.format('%d', NOW) .. ',"u":' .. json_string(ARGV[1]) ..
                   ',"k":"","ke":0,"n":0,"r":'
-- Several fields/members per command: one HSET/ZADD per structure for the whole batch.
local envs, bodies, all, xs, avs, dls = {}, {}, {}, {}, {}, {}
local grouped = #ARGV > 6 + n * 4
local heads, new_heads, waiting = {}, {}, {}
if grouped then groups_used() end
local due = nil
for i = 1, n do
    local base = 5 + (i - 1) * 4
    local id, ttl, delay, body = ARGV[base + 1], ttls[i], delays[i], ARGV[base + 4]
    local g = grouped and ARGV[6 + n * 4 + i] or ''
    rank = rank + 1
    local x = NOW + ttl * 1000
    local d = delay > 0 and NOW + delay * 1000 or 0
    envs[#envs + 1] = id
    if g == '' then
        envs[#envs + 1] = env_prefix .. string.format('%d,"t":%d,"x":%d,"d":%d}', rank, ttl, x, d)
    else
        envs[#envs + 1] = env_prefix .. string.format('%d,"t":%d,"x":%d,"d":%d,"g":"%s"}', rank,
                                                      ttl, x, d, g)
    end
    bodies[#bodies + 1] = id
    bodies[#bodies + 1] = body
    all[#all + 1] = rank
    all[#all + 1] = id
    xs[#xs + 1] = x
    xs[#xs + 1] = id
    due = math.min(due or math.huge, x + LAZY_MS)
    local waits = false
    if g ~= '' then
        if heads[g] == nil then heads[g] = group_head(g) or false end
        if heads[g] then
            waits = true
            waiting[#waiting + 1] = 0
            waiting[#waiting + 1] = group_member(g, rank, id)
        else
            heads[g] = id
            new_heads[#new_heads + 1] = g
            new_heads[#new_heads + 1] = id
        end
    end
    if waits then
        -- in line behind its group's head: in no claimable set yet
    elseif delay > 0 then
        due = math.min(due, d)
        dls[#dls + 1] = d
        dls[#dls + 1] = id
    else
        avs[#avs + 1] = rank
        avs[#avs + 1] = id
    end
    if notify then
        redis.call('XADD', 'z:n:' .. tagged, '*', 'k', 'p', 't', NOW, 'i', id, 'l', ttl, 'd',
                   qdelay > 0 and delay or '', 'b', body)
    end
end
call_many('HSET', E, envs)
call_many('HSET', B, bodies)
call_many('ZADD', ALL, all)
call_many('ZADD', X, xs)
call_many('ZADD', AV, avs)
call_many('ZADD', DL, dls)
call_many('HSET', GH, new_heads)
call_many('ZADD', GM, waiting)
if due then lower_due(due) end
return {NOW, outbox_pending(), created, 0, maxpost, notify and 1 or 0, ix}
