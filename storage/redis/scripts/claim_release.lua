#!lua
-- Releases a claim: its messages are available at once (claim counts kept; one that
-- reached _max_claim_count goes to the dead-letter outbox). Unknown ids are fine.
-- KEYS: the 11 keys of one queue (see _lib.lua).
-- ARGV: [1] claim id.
-- Reply: {now ms, outbox size}.
read_queue()
housekeeping(HOT_BUDGET)
local cid = ARGV[1]
local raw = redis.call('HGET', K, cid)
if raw then
    for _, id in ipairs(cjson.decode(raw).ids) do
        local env = get_env(id)
        if env and env.k == cid then
            if is_expired(env) then drop_message(id, env) else unclaim(id, env) end
        end
    end
    redis.call('HDEL', K, cid)
    redis.call('ZREM', KX, cid)
    wake_waiters()  -- long polling: the messages are claimable again
end
return {NOW, outbox_pending()}
