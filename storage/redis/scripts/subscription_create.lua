#!lua
-- Creates a subscription unless the subscriber already has one on this queue.
-- KEYS: the 11 queue keys (see _lib.lua), then the subscription keys of the same tag:
--   [12] s HASH id -> record JSON {s subscriber, t ttl s, c created ms, o options JSON
--        text, f confirmed 0/1, w WebSocket connection id or "", a confirmed-after job id
--        (set by subscription_write.lua confirm)}
--   [13] su HASH subscriber URI -> id   [14] sx ZSET id by expiry ms
-- ARGV: [1] new id, [2] subscriber, [3] ttl s, [4] options JSON text, [5] connection id.
-- Reply: {now ms, outbox size, created 0/1, id, confirmed 0/1}.
local S, SU, SX = KEYS[12], KEYS[13], KEYS[14]

drop_expired_subscriptions(S, SU, SX)

local existing = redis.call('HGET', SU, ARGV[2])
if existing then
    local raw = redis.call('HGET', S, existing)
    if raw then
        return {NOW, outbox_pending(), 0, existing, cjson.decode(raw).f}
    end
    redis.call('HDEL', SU, ARGV[2])
end
local ttl = tonumber(ARGV[3])
redis.call('HSET', S, ARGV[1],
           cjson.encode({s = ARGV[2], t = ttl, c = NOW, o = ARGV[4], f = 0, w = ARGV[5]}))
redis.call('HSET', SU, ARGV[2], ARGV[1])
redis.call('ZADD', SX, NOW + ttl * 1000, ARGV[1])
return {NOW, outbox_pending(), 1, ARGV[1], 0}
