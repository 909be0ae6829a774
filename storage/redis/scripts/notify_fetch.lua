#!lua
-- One notifier read of a queue: new jobs of its notification stream (consumer group),
-- jobs left pending by consumers idle too long (a dead process), and retries due now,
-- each retry leased (re-scored) so that a crash mid-delivery makes it due again.
-- KEYS: as subscription_write.lua ([12] s, [13] su, [14] sx, [15] n, [16] nr, [17] nj,
--       [18] nh).
-- ARGV: [1] group, [2] consumer, [3] count, [4] claim idle ms, [5] lease ms.
-- Reply: {now ms, outbox size, jobs, retries, subscriptions, queue metadata JSON}
--   jobs = {{entry id, {field, value, ...}}...}; retries = {record id, record, ...};
--   subscriptions (only when there is work) = {subscription_item() of _lib.lua...}. Jobs
--   and subscriptions are read in this one call, so comparing a job's id with a
--   subscription's confirmed-after id decides exactly whether its message was posted
--   before the confirmation.
local S, SU, SX, N, NR, NJ, NH = KEYS[12], KEYS[13], KEYS[14], KEYS[15], KEYS[16], KEYS[17], KEYS[18]

drop_expired_subscriptions(S, SU, SX)
-- Held deliveries whose message expired are dropped.
for _, m in ipairs(redis.call('ZRANGEBYSCORE', NH, '-inf', NOW, 'LIMIT', 0, 100)) do
    local sp = string.find(m, ' ', 1, true)
    if sp then redis.call('HDEL', NJ, string.sub(m, sp + 1)) end
    redis.call('ZREM', NH, m)
end

-- The group is created once (checked first, so no error reply is ever counted).
local has_group = false
if redis.call('EXISTS', N) == 1 then
    for _, group in ipairs(redis.call('XINFO', 'GROUPS', N)) do
        if group[2] == ARGV[1] then has_group = true end
    end
end
if not has_group then redis.call('XGROUP', 'CREATE', N, ARGV[1], '0', 'MKSTREAM') end
local jobs = {}
local reclaimed = redis.call('XAUTOCLAIM', N, ARGV[1], ARGV[2], ARGV[4], '0-0', 'COUNT', ARGV[3])
for _, entry in ipairs(reclaimed[2]) do
    if entry then jobs[#jobs + 1] = entry end
end
local fresh = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', ARGV[3], 'STREAMS', N, '>')
if fresh then
    for _, entry in ipairs(fresh[1][2]) do jobs[#jobs + 1] = entry end
end

local retries = {}
local lease = NOW + tonumber(ARGV[5])
for _, rid in ipairs(redis.call('ZRANGEBYSCORE', NR, '-inf', NOW, 'LIMIT', 0, tonumber(ARGV[3]))) do
    local record = redis.call('HGET', NJ, rid)
    if record then
        redis.call('ZADD', NR, lease, rid)
        retries[#retries + 1] = rid
        retries[#retries + 1] = record
    else
        redis.call('ZREM', NR, rid)
    end
end

local subs = {}
local meta = ''
if #jobs > 0 or #retries > 0 then
    local all = redis.call('HGETALL', S)
    for i = 1, #all, 2 do
        subs[#subs + 1] = subscription_item(all[i], cjson.decode(all[i + 1]))
    end
    meta = redis.call('HGET', Q, 'm') or '{}'
end
return {NOW, outbox_pending(), jobs, retries, subs, meta}
