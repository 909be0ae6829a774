#!lua
-- Creates a queue with its metadata unless it exists (an existing queue is untouched).
-- KEYS: the 11 keys of one queue (see _lib.lua); only q is written.
-- ARGV: [1] metadata JSON, then the reserved-metadata mirrors computed by C++, "" when
--       absent: [2] ttl, [3] delay, [4] maxpost, [5] maxcc, [6] dlq, [7] dlqttl,
--       [8] idw (_idempotency_window, beyond Zaqar).
-- Reply: {now ms, outbox size, created 0/1, index intent token ("" when none)}.
-- A token means C++ must (still) write the project index and registry entries, then
-- run queue_indexed with it: also for an existing queue whose creator stopped halfway.
local head = read_queue('ix')
if EXISTS_Q then return {NOW, outbox_pending(), 0, head[1] or ''} end
local token = create_queue(ARGV[1])
local fields = {'ttl', 'delay', 'maxpost', 'maxcc', 'dlq', 'dlqttl', 'idw'}
for i, field in ipairs(fields) do
    if ARGV[i + 1] ~= '' then redis.call('HSET', Q, field, ARGV[i + 1]) end
end
return {NOW, outbox_pending(), 1, token}
