#!lua
-- Reads a live claim and the messages it still holds.
-- KEYS: the 11 keys of one queue (see _lib.lua).
-- ARGV: [1] claim id.
-- Reply: {now ms, outbox size, found 0/1, claim ttl s, updated ms, message...};
--        message = {id, body, ttl, created ms, claim id, claim count, group}.
read_queue()
housekeeping(HOT_BUDGET)
local cid = ARGV[1]
local raw = redis.call('HGET', K, cid)
if not raw then return {NOW, outbox_pending(), 0, 0, 0} end
local claim = cjson.decode(raw)
if claim.x <= NOW then return {NOW, outbox_pending(), 0, 0, 0} end
local reply = {NOW, outbox_pending(), 1, claim.t, claim.u}
for _, id in ipairs(claim.ids) do
    local env = get_env(id)
    if env and not is_expired(env) and env.k == cid then
        reply[#reply + 1] = message_reply(id, env)
    end
end
return reply
