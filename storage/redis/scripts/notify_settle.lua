#!lua
-- Records the outcome of notification work. KEYS: as notify_fetch.lua, plus [19] nd
-- STREAM of dead letters.
-- ARGV[1] is the operation:
--   ack   [2] group, [3] job entry id: the job is fully handled (acknowledged and deleted)
--   retry [2] record id, [3] record, [4] due ms
--   done  [2] record id
--   hold  [2] record id, [3] record, [4] expires ms, [5] subscription id
--   dead  [2] record id ("" when none), then field/value pairs of the dead letter
-- Reply: {now ms, outbox size}.
local N, NR, NJ, NH, ND = KEYS[15], KEYS[16], KEYS[17], KEYS[18], KEYS[19]
local op = ARGV[1]
if op == 'ack' then
    redis.call('XACK', N, ARGV[2], ARGV[3])
    redis.call('XDEL', N, ARGV[3])
elseif op == 'retry' then
    redis.call('HSET', NJ, ARGV[2], ARGV[3])
    redis.call('ZADD', NR, ARGV[4], ARGV[2])
elseif op == 'done' then
    redis.call('HDEL', NJ, ARGV[2])
    redis.call('ZREM', NR, ARGV[2])
elseif op == 'hold' then
    redis.call('HSET', NJ, ARGV[2], ARGV[3])
    redis.call('ZREM', NR, ARGV[2])
    redis.call('ZADD', NH, ARGV[4], ARGV[5] .. ' ' .. ARGV[2])
elseif op == 'dead' then
    local fields = {}
    for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
    redis.call('XADD', ND, 'MAXLEN', '~', '100000', '*', unpack(fields))
    if ARGV[2] ~= '' then
        redis.call('HDEL', NJ, ARGV[2])
        redis.call('ZREM', NR, ARGV[2])
    end
end
return {NOW, outbox_pending()}
