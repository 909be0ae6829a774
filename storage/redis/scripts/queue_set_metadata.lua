#!lua
-- Replaces the metadata of an existing queue and refreshes its reserved mirrors.
-- KEYS: the 11 keys of one queue (see _lib.lua); only q is written.
-- ARGV: [1] metadata JSON, then the reserved-metadata mirrors computed by C++, "" when
--       absent: [2] ttl, [3] delay, [4] maxpost, [5] maxcc, [6] dlq, [7] dlqttl,
--       [8] idw (_idempotency_window, beyond Zaqar).
-- Reply: {now ms, outbox size, found 0/1}.
if not queue_exists() then return {NOW, outbox_pending(), 0} end
redis.call('HSET', Q, 'm', ARGV[1])
local fields = {'ttl', 'delay', 'maxpost', 'maxcc', 'dlq', 'dlqttl', 'idw'}
for i, field in ipairs(fields) do
    if ARGV[i + 1] ~= '' then
        redis.call('HSET', Q, field, ARGV[i + 1])
    else
        redis.call('HDEL', Q, field)
    end
end
return {NOW, outbox_pending(), 1}
