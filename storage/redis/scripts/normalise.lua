#!lua
-- Background housekeeping of one queue (the expiry sweeper): drops expired messages and
-- claims, ends expired claims and delays, fills the dead-letter outbox.
-- KEYS: the 11 keys of one queue (see _lib.lua).
-- ARGV: [1] budget (entries per structure).
-- Reply: {now ms, outbox size, 1 when all due work was done / 0 when some is left}.
-- Skipped, like every reader's, while the queue's due hint lies ahead.
read_queue()
local complete = housekeeping(tonumber(ARGV[1]))
-- Without the ob hint (e.g. outbox entries from before the hint existed) the sweeper
-- still finds a non-empty outbox.
if OB == false then OB = nil end
return {NOW, outbox_pending(), complete and 1 or 0}
