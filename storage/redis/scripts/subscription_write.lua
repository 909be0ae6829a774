#!lua
-- Changes subscriptions. KEYS: as subscription_create.lua, plus [15] n STREAM of
-- notification jobs, [16] nr ZSET retry record id by due ms, [17] nj HASH record id ->
-- record, [18] nh ZSET "<subscription id> <record id>" (held deliveries) by expiry ms.
-- ARGV[1] is the operation:
--   update  [2] id, [3] has subscriber 0/1, [4] subscriber, [5] has ttl, [6] ttl,
--           [7] has options, [8] options JSON text
--           -> {now, outbox, 0 ok | 1 not found | 2 subscriber taken}
--   delete  [2] id -> {now, outbox, 0}
--   confirm [2] id, [3] confirmed 0/1 -> {now, outbox, 0 ok | 1 not found, released}
--           An unconfirmed subscription that gets confirmed records in `a` the id of the
--           last job of the stream: jobs up to it were posted while it was unconfirmed and
--           are skipped (docs/notifications.md). Its held deliveries (only subscriptions
--           with options._zaqard_hold_until_confirmed = true get any) move to the retry
--           set, due now; without that option any left (data of an older zaqard, or the
--           option since removed) are dropped.
--   request [2] id, then field/value pairs of a confirmation job -> {now, outbox, 0 | 1}
--   purge   -> {now, outbox, removed}
local S, SU, SX, N, NR, NJ, NH = KEYS[12], KEYS[13], KEYS[14], KEYS[15], KEYS[16], KEYS[17], KEYS[18]

local function drop_held(id)
    local prefix = id .. ' '
    for _, m in ipairs(redis.call('ZRANGE', NH, 0, -1)) do
        if string.sub(m, 1, #prefix) == prefix then
            redis.call('HDEL', NJ, string.sub(m, #prefix + 1))
            redis.call('ZREM', NH, m)
        end
    end
end
drop_expired_subscriptions(S, SU, SX, drop_held)

local op, id = ARGV[1], ARGV[2]
if op == 'purge' then
    local ids = redis.call('HKEYS', S)
    for _, sid in ipairs(ids) do drop_subscription(S, SU, SX, sid) end
    for _, m in ipairs(redis.call('ZRANGE', NH, 0, -1)) do
        local sp = string.find(m, ' ', 1, true)
        if sp then redis.call('HDEL', NJ, string.sub(m, sp + 1)) end
    end
    redis.call('DEL', NH, SU, SX)
    return {NOW, outbox_pending(), #ids}
end
if op == 'delete' then
    drop_subscription(S, SU, SX, id)
    drop_held(id)
    return {NOW, outbox_pending(), 0}
end

local raw = redis.call('HGET', S, id)
if not raw then return {NOW, outbox_pending(), 1, 0} end
local sub = cjson.decode(raw)

if op == 'request' then
    local fields = {}
    for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
    redis.call('XADD', N, '*', unpack(fields))
    return {NOW, outbox_pending(), 0}
end

if op == 'confirm' then
    local confirming = tonumber(ARGV[3]) == 1 and sub.f ~= 1
    sub.f = tonumber(ARGV[3])
    if confirming then
        -- Confirming an already confirmed subscription moves nothing: jobs posted while it
        -- was confirmed stay deliverable.
        sub.a = '0-0'
        if redis.call('EXISTS', N) == 1 then
            local info = redis.call('XINFO', 'STREAM', N)
            for i = 1, #info - 1, 2 do
                if info[i] == 'last-generated-id' then sub.a = info[i + 1] end
            end
        end
    end
    redis.call('HSET', S, id, cjson.encode(sub))
    local released = 0
    local ok, options = pcall(cjson.decode, sub.o or '{}')
    local holds = ok and type(options) == 'table' and options._zaqard_hold_until_confirmed == true
    if sub.f == 1 and not holds then
        drop_held(id)
    elseif sub.f == 1 then
        local prefix = id .. ' '
        for _, m in ipairs(redis.call('ZRANGEBYSCORE', NH, NOW, '+inf')) do
            if string.sub(m, 1, #prefix) == prefix then
                redis.call('ZREM', NH, m)
                redis.call('ZADD', NR, NOW, string.sub(m, #prefix + 1))
                released = released + 1
            end
        end
    end
    return {NOW, outbox_pending(), 0, released}
end

-- update
if ARGV[3] == '1' and ARGV[4] ~= sub.s then
    local other = redis.call('HGET', SU, ARGV[4])
    if other and other ~= id and redis.call('HEXISTS', S, other) == 1 then
        return {NOW, outbox_pending(), 2}
    end
    if redis.call('HGET', SU, sub.s) == id then redis.call('HDEL', SU, sub.s) end
    redis.call('HSET', SU, ARGV[4], id)
    sub.s = ARGV[4]
end
if ARGV[5] == '1' then
    sub.t = tonumber(ARGV[6])
    sub.c = NOW
    redis.call('ZADD', SX, NOW + sub.t * 1000, id)
end
if ARGV[7] == '1' then sub.o = ARGV[8] end
redis.call('HSET', S, id, cjson.encode(sub))
return {NOW, outbox_pending(), 0}
