#!lua
-- Renews a live claim: claim and messages expire at now + ttl; messages that would
-- expire before get ttl = claim ttl + grace.
-- KEYS: the 11 keys of one queue (see _lib.lua).
-- ARGV: [1] claim id, [2] ttl s, [3] grace s.
-- Reply: {now ms, outbox size, found 0/1}.
read_queue()
housekeeping(HOT_BUDGET)
local cid, ttl, grace = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local raw = redis.call('HGET', K, cid)
if not raw then return {NOW, outbox_pending(), 0} end
local claim = cjson.decode(raw)
if claim.x <= NOW then return {NOW, outbox_pending(), 0} end
local expires = NOW + ttl * 1000
local kept = {}
for _, id in ipairs(claim.ids) do
    local env = get_env(id)
    if env and not is_expired(env) and env.k == cid then
        extend_for_claim(id, env, expires, ttl, grace)
        put_env(id, env)
        redis.call('ZADD', CL, expires, id)
        kept[#kept + 1] = id
    end
end
claim.t, claim.g, claim.x, claim.u = ttl, grace, expires, NOW
claim.ids = kept
redis.call('HSET', K, cid, cjson.encode(claim))
redis.call('ZADD', KX, expires, cid)
lower_due(expires)
return {NOW, outbox_pending(), 1}
