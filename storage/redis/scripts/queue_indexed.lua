#!lua
-- Second step of a queue creation, done: C++ wrote the queue's project index and
-- registry entries (other slots), so the index intent is cleared, unless it belongs to
-- a newer creation (the queue was deleted and created again meanwhile).
-- KEYS: the 11 keys of one queue (see _lib.lua); only q is written.
-- ARGV: [1] the intent token a creating script (or normalise) answered.
-- Reply: {now ms, outbox size, cleared 0/1}.
local head = read_queue('ix')
if EXISTS_Q and head[1] == ARGV[1] then
    redis.call('HDEL', Q, 'ix')
    return {NOW, outbox_pending(), 1}
end
return {NOW, outbox_pending(), 0}
