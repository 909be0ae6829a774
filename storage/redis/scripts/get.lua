#!lua
-- Reads messages by id (claimed and delayed ones included); ids that are not in this
-- queue, or expired, are skipped: an id never resolves outside its own queue.
-- KEYS: the 11 keys of one queue (see _lib.lua).
-- ARGV: the ids.
-- Reply: {now ms, outbox size, queue exists 0/1, message...} in request order;
--        message = {id, body, ttl, created ms, claim id, claim count, group}.
read_queue()
housekeeping(HOT_BUDGET)
local reply = {NOW, outbox_pending(), EXISTS_Q and 1 or 0}
for _, id in ipairs(ARGV) do
    local env = get_env(id)
    if env and not is_expired(env) then reply[#reply + 1] = message_reply(id, env) end
end
return reply
