#!lua
-- The storage ceiling for bench/compare: a script with the shape of a message post as
-- design.md describes it (one EVALSHA per API call, every key under the queue's hash tag):
-- lazily create the queue record, take FIFO ranks from a counter, and per message write
-- its hash with an expiry and index it by rank and by expiry time.
-- KEYS[1] queue hash, KEYS[2] rank-ordered message zset, KEYS[3] expiry zset, KEYS[4] rank
-- counter, KEYS[5] message key prefix (all "{project/queue}..." so they share one slot).
-- ARGV: now (s), client id, ttl, then one (id, body) pair per message.
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[3])
if redis.call('EXISTS', KEYS[1]) == 0 then
    redis.call('HSET', KEYS[1], 'm', '{}', 't', now)
end
local count = (#ARGV - 3) / 2
local first = redis.call('INCRBY', KEYS[4], count) - count
for i = 1, count do
    local id = ARGV[2 + 2 * i]
    local key = KEYS[5] .. id
    redis.call('HSET', key, 'b', ARGV[3 + 2 * i], 'u', ARGV[2], 't', ttl, 'cr', now, 'e', now + ttl,
               'r', first + i)
    redis.call('EXPIRE', key, ttl)
    redis.call('ZADD', KEYS[2], first + i, id)
    redis.call('ZADD', KEYS[3], now + ttl, id)
end
return count
