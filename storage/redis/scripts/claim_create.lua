#!lua
-- Claims up to `limit` available messages (not claimed, not delayed, not expired) from
-- the head, atomically: no message is ever in two live claims.
-- KEYS: the 11 keys of one queue (see _lib.lua).
-- ARGV: [1] claim id, [2] claim ttl s, [3] grace s, [4] limit.
-- Reply: {now ms, outbox size, message...}; message = {id, body, ttl, created ms,
--        claim id, claim count}. No messages: nothing was claimed (no claim stored).
-- A message that would expire before the claim gets ttl = claim ttl + grace. With a
-- dead-letter queue configured, each claim counts, and a message already claimed
-- _max_claim_count times goes to the outbox instead of into the claim.
normalise(HOT_BUDGET)
local reply = {NOW, 0}
if not queue_exists() then return reply end
local cid, ttl, grace, limit = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local expires = NOW + ttl * 1000
local maxcc, dlq = dead_letter_limit()
local ids = {}
local from = '-inf'
while #ids < limit do
    -- A few more than still wanted (skipped entries rarely cost a round); 100 per round
    -- for a claim of 10 made the range read the largest part of the call.
    local batch = redis.call('ZRANGEBYSCORE', AV, from, '+inf', 'WITHSCORES', 'LIMIT', 0,
                             math.min(100, limit - #ids + 10))
    if #batch == 0 then break end
    for i = 1, #batch, 2 do
        local id = batch[i]
        from = '(' .. batch[i + 1]
        local env = get_env(id)
        if not env or is_expired(env) then
            drop_message(id)
        elseif is_claimed(env) then
            redis.call('ZREM', AV, id)
        elseif not is_delayed(env) then
            if maxcc and env.n >= maxcc then
                to_outbox(id, env, dlq)
            else
                if maxcc then env.n = env.n + 1 end
                env.k = cid
                extend_for_claim(id, env, expires, ttl, grace)
                put_env(id, env)
                redis.call('ZREM', AV, id)
                redis.call('ZADD', CL, expires, id)
                ids[#ids + 1] = id
                reply[#reply + 1] = message_reply(id, env)
                if #ids == limit then break end
            end
        end
    end
end
if #ids > 0 then
    redis.call('HSET', K, cid, cjson.encode({t = ttl, g = grace, x = expires, u = NOW, ids = ids}))
    redis.call('ZADD', KX, expires, cid)
end
reply[2] = outbox_pending()
return reply
