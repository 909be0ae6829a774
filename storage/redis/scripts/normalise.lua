#!lua
-- Background housekeeping of one queue (the expiry sweeper): drops expired messages and
-- claims, ends expired claims and delays, fills the dead-letter outbox.
-- KEYS: the 11 keys of one queue (see _lib.lua).
-- ARGV: [1] budget (entries per structure).
-- Reply: {now ms, outbox size, 1 when all due work was done / 0 when some is left}.
local complete = normalise(tonumber(ARGV[1]))
return {NOW, outbox_pending(), complete and 1 or 0}
