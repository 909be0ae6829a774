#!lua
-- Purges a queue's messages (Zaqar's purge of resource type "messages"): everything but
-- the queue hash, whose metadata stays and whose rank counter keeps the queue's markers
-- monotonic; claims, the outbox and the FIFO group keys go with the messages.
-- KEYS: the 11 keys of one queue (see _lib.lua).
-- ARGV: none.
-- Reply: {now ms, outbox size, messages removed}: the live ones (not expired), as stats
--        would have counted them just before.
read_queue()
local removed = live_count()
redis.call('UNLINK', E, B, ALL, AV, CL, DL, X, K, KX, OUT, GM, GH)
return {NOW, outbox_pending(), removed}
