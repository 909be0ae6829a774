#!lua
-- Background housekeeping of one queue (the expiry sweeper): drops expired messages and
-- claims, ends expired claims and delays, fills the dead-letter outbox.
-- KEYS: the 11 keys of one queue (see _lib.lua).
-- ARGV: [1] budget (entries per structure).
-- Reply: {now ms, outbox size, 1 when all due work was done / 0 when some is left,
--         queue exists 0/1, index intent token ("" when none; see queue_create.lua)}.
-- A registry entry of a missing queue is stale (its deletion stopped halfway).
-- Always run, whatever the due hint says: whatever a hint missed (a write by an older
-- zaqard during a rolling upgrade, which never lowers it) waits one sweep at most.
local head = read_queue('ix')
local complete = normalise(tonumber(ARGV[1]))
if complete and EXISTS_Q then reset_due() end
-- Without the ob hint (e.g. outbox entries from before the hint existed) the sweeper
-- still finds a non-empty outbox.
if OB == false then OB = nil end
return {NOW, outbox_pending(), complete and 1 or 0, EXISTS_Q and 1 or 0, head[1] or ''}
