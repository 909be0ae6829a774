#!lua
-- Creates a queue with its metadata unless it exists (an existing queue is untouched).
-- KEYS: the 11 keys of one queue (see _lib.lua); only q is written.
-- ARGV: [1] metadata JSON, then the reserved-metadata mirrors computed by C++, "" when
--       absent: [2] ttl, [3] delay, [4] maxpost, [5] maxcc, [6] dlq, [7] dlqttl.
-- Reply: {now ms, outbox size, created 0/1}.
if queue_exists() then return {NOW, outbox_pending(), 0} end
redis.call('HSET', Q, 'c', NOW, 'r', 0, 'm', ARGV[1])
local fields = {'ttl', 'delay', 'maxpost', 'maxcc', 'dlq', 'dlqttl'}
for i, field in ipairs(fields) do
    if ARGV[i + 1] ~= '' then redis.call('HSET', Q, field, ARGV[i + 1]) end
end
return {NOW, outbox_pending(), 1}
