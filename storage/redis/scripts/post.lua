#!lua
-- Posts messages, creating the queue when missing (Zaqar's lazy queues).
-- KEYS: the 11 keys of one queue (see _lib.lua).
-- ARGV: [1] client id, [2] request body size, [3] config default ttl s,
--       [4] config max delay s, [5] n, then n times: id, ttl ("" = absent),
--       delay ("" = absent), body JSON text; then [6 + 4n] "1" when notifications are on,
--       followed by the posting request's id (kept in the jobs as q, for X-Request-ID);
--       then idempotency keys (beyond Zaqar): [7 + 4n] the request's key ("" none), and
--       only when some message has one, n message keys ("" none) from [8 + 4n];
--       then, only when some message has a FIFO group (the message keys are then always
--       there), n group names ("" none) from [8 + 5n].
-- Reply: {now ms, outbox size, created 0/1, refusal (0 none, 1 too large for the queue,
--         2 invalid delay, 3 plaintext for an encrypted queue), queue max post size,
--         notification jobs recorded 0/1,
--         index intent token ("" when none; see queue_create.lua),
--         ids to answer (only when a key was given, else empty: the ids in ARGV)}.
-- Idempotency (docs/api.md "Idempotent publish"): a key's record is the string
-- z:ik:{T}:r:<key> (request) or z:ik:{T}:m:<key> (message) = "<queue c>|<id>[,<id>...]",
-- written in this call with the messages (so a post is never stored without its record)
-- and expiring after the queue's window (mirror `idw`, seconds; default 300). A record
-- whose <queue c> is not the queue's creation time belongs to a deleted namesake: ignored.
-- A known request key answers its ids and stores nothing; a known message key (or one
-- repeated within the batch) answers that message's first id and stores that message not.
-- Notifications: when the queue has subscriptions (their hash z:s:{T} exists; same tag,
-- derived from Q), one delivery job per message goes to the stream z:n:{T} in this same
-- script, so a stored message is never without its job (docs/notifications.md).
-- Nothing is written on a refusal except the lazily created queue itself.
-- Long polling: requests waiting on the queue are woken (wake_waiters, _lib.lua).
-- FIFO groups (_lib.lua): a message whose group already has a head waits behind it in gm
-- instead of entering av/dl; otherwise it becomes its group's head.
local created = 0
-- One HMGET reads the creation time (every queue hash has it), the hints and the mirrors.
local head = read_queue('maxpost', 'ttl', 'delay', 'ix', 'c', 'idw', 'enc', 'r')
local ix = head[4] or ''
local birth = head[5]
if not EXISTS_Q then
    ix = create_queue('{}')
    birth = ix
    created = 1
end

local n = tonumber(ARGV[5])
local tail = 6 + n * 4 -- the notification flag; idempotency keys follow it
local rkey = ARGV[tail + 1] or ''
local keyed = rkey ~= '' or #ARGV > tail + 1
local ik = 'z:ik:' .. string.sub(Q, 5) .. ':'
-- The ids text of a live record of this queue, or nil.
local function recorded(key)
    local v = redis.call('GET', key)
    if not v then return nil end
    local bar = string.find(v, '|', 1, true)
    if not bar or string.sub(v, 1, bar - 1) ~= birth then return nil end
    return string.sub(v, bar + 1)
end
if rkey ~= '' and created == 0 then
    local ids = recorded(ik .. 'r:' .. rkey)
    if ids then
        local answer = {}
        for id in string.gmatch(ids, '[^,]+') do answer[#answer + 1] = id end
        return {NOW, outbox_pending(), 0, 0, tonumber(head[1] or '0') or 0, 0, ix, answer}
    end
end
-- No normalise() here: a post only appends, and readers filter expiry, claims and delays
-- exactly themselves (their own normalise and the sweeper do the housekeeping).

local maxpost = tonumber(head[1] or '0') or 0
if maxpost > 0 and tonumber(ARGV[2]) > maxpost then
    return {NOW, outbox_pending(), created, 1, maxpost, 0, ix}
end

-- An encrypted queue (_enable_encrypt_messages) takes sealed bodies only: they start with
-- '~' (126), which no JSON text does (src/common/message_cipher.h). C++ seals and retries.
if head[7] then
    for i = 1, tonumber(ARGV[5]) do
        if string.byte(ARGV[5 + i * 4]) ~= 126 then
            return {NOW, outbox_pending(), created, 3, maxpost, 0, ix}
        end
    end
end

local qttl = tonumber(head[2] or '0') or 0
local qdelay = tonumber(head[3] or '0') or 0
local default_ttl = qttl > 0 and qttl or tonumber(ARGV[3])
local max_delay = tonumber(ARGV[4])

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
local notify = string.sub(ARGV[tail], 1, 1) == '1' and redis.call('EXISTS', 'z:s:' .. tagged) == 1
local trace = string.sub(ARGV[tail], 2)
-- Messages whose key is known already (or repeated in this batch): id to answer instead.
local dup, answer, stored = {}, {}, n
if keyed and #ARGV > tail + 1 then
    local first = {}
    for i = 1, n do
        local mk = ARGV[tail + 1 + i]
        if mk ~= '' then
            local known = first[mk] or (created == 0 and recorded(ik .. 'm:' .. mk))
            if known then
                dup[i] = known
                stored = stored - 1
            else
                first[mk] = ARGV[5 + (i - 1) * 4 + 1]
            end
        end
    end
end
local keep = {}
for i = 1, n do
    answer[i] = dup[i] or ARGV[5 + (i - 1) * 4 + 1]
    if not dup[i] then keep[#keep + 1] = i end
end
-- The rank counter is read with the queue hash and written back with lx at the end.
local rank = tonumber(head[8] or '0') or 0
local client = ARGV[1]
-- Several fields/members per command: one HSET/ZADD per structure for the whole batch.
-- A message is one field of e (packed envelope + body, pack_message); it goes into x
-- only when its expiry is below the in-order run's (in_order: one TTL per queue never).
local envs, all, xs, avs, dls = {}, {}, {}, {}, {}
local groups_at = tail + 1 + n
local grouped = #ARGV > groups_at
local heads, new_heads, waiting = {}, {}, {}
if grouped then groups_used() end
local due = nil
for _, i in ipairs(keep) do
    local base = 5 + (i - 1) * 4
    local id, ttl, delay, body = ARGV[base + 1], ttls[i], delays[i], ARGV[base + 4]
    local g = grouped and ARGV[groups_at + i] or ''
    rank = rank + 1
    local x = NOW + ttl * 1000
    local d = delay > 0 and NOW + delay * 1000 or 0
    local o = 0
    if not in_order(x) then
        o = 1
        xs[#xs + 1] = x
        xs[#xs + 1] = id
    end
    envs[#envs + 1] = id
    envs[#envs + 1] = pack_message(o, rank, NOW, x, x, d, 0, ttl, 0, client, '', g, body)
    all[#all + 1] = rank
    all[#all + 1] = id
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
                   qdelay > 0 and delay or '', 'b', body, 'q', trace)
    end
end
call_many('HSET', E, envs)
if stored > 0 then redis.call('HSET', Q, 'r', string.format('%d', rank), 'lx', lx_text()) end
call_many('ZADD', ALL, all)
call_many('ZADD', X, xs)
call_many('ZADD', AV, avs)
call_many('ZADD', DL, dls)
call_many('HSET', GH, new_heads)
call_many('ZADD', GM, waiting)
if due then lower_due(due) end
wake_waiters()
if not keyed then return {NOW, outbox_pending(), created, 0, maxpost, notify and 1 or 0, ix, {}} end
local window = (tonumber(head[6] or '') or 300) * 1000
if rkey ~= '' then
    redis.call('SET', ik .. 'r:' .. rkey, birth .. '|' .. table.concat(answer, ','), 'PX', window)
end
for i = 1, n do
    local mk = ARGV[tail + 1 + i]
    if mk and mk ~= '' and not dup[i] then
        redis.call('SET', ik .. 'm:' .. mk, birth .. '|' .. answer[i], 'PX', window)
    end
end
return {NOW, outbox_pending(), created, 0, maxpost, notify and 1 or 0, ix, answer}
