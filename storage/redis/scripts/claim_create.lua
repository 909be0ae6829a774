#!lua
-- Claims up to `limit` available messages (not claimed, not delayed, not expired) from
-- the head, atomically: no message is ever in two live claims.
-- KEYS: the 11 keys of one queue (see _lib.lua).
-- ARGV: [1] claim id, [2] claim ttl s, [3] grace s, [4] limit, [5] long polling: ms the
--       caller waits when nothing is claimed (absent or 0: it does not wait).
-- Reply: {now ms, outbox size, message...}; message = {id, body, ttl, created ms,
--        claim id, claim count, group ("" none)}. No messages: nothing was claimed (no
--        claim stored); with ARGV[5] the reply is then {now ms, outbox size, wake in ms}
--        (mark_waiting).
-- A message that would expire before the claim gets ttl = claim ttl + grace. With a
-- dead-letter queue configured, each claim counts, and a message already claimed
-- _max_claim_count times goes to the outbox instead of into the claim.
-- FIFO groups: only a group's head is in av (_lib.lua), so a claim takes at most one
-- message of a group and none while another claim holds the group's head.
read_queue()
housekeeping(HOT_BUDGET)
local reply = {NOW, 0}
local wait = tonumber(ARGV[5] or '0') or 0
if not EXISTS_Q then
    if wait > 0 then reply[3] = mark_waiting(wait) end
    return reply
end
local cid, ttl, grace, limit = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local expires = NOW + ttl * 1000
local maxcc, dlq = dead_letter_limit()
-- Envelopes are read with one HMGET per round and the claimed ones written back with one
-- command per structure at the end (the loop only skips past them, it never reads them
-- again).
local ids, envs = {}, {}
local from = '-inf'
while #ids < limit do
    -- A few more than still wanted (skipped entries rarely cost a round); 100 per round
    -- for a claim of 10 made the range read the largest part of the call.
    -- No WITHSCORES (scores as Lua strings cost more than the read): an available
    -- message's score is its rank, which its envelope holds.
    local round = redis.call('ZRANGEBYSCORE', AV, from, '+inf', 'LIMIT', 0,
                             math.min(100, limit - #ids + 10))
    if #round == 0 then break end
    local last_rank
    local j = 1
    -- Envelopes are read for as many ids as are still wanted, more only when some
    -- were skipped.
    while j <= #round and #ids < limit do
        local chunk = {unpack(round, j, math.min(#round, j + limit - #ids - 1))}
        j = j + #chunk
        last_rank = visit_envelopes(AV, chunk, function(id, env)
            if not env or is_expired(env) then
                drop_message(id, env)
            elseif is_claimed(env) then
                redis.call('ZREM', AV, id)
            elseif not is_delayed(env) then
                if maxcc and env.n >= maxcc then
                    to_outbox(id, env, dlq)
                else
                    if maxcc then env.n = env.n + 1 end
                    env.k = cid
                    extend_for_claim(id, env, expires, ttl, grace)
                    ids[#ids + 1] = id
                    envs[#envs + 1] = env
                    return #ids == limit
                end
            end
        end)
    end
    from = '(' .. last_rank
end
if #ids > 0 then
    local fields, members = {}, {}
    for i, id in ipairs(ids) do
        fields[#fields + 1] = id
        fields[#fields + 1] = encode_env(id, envs[i])
        members[#members + 1] = expires
        members[#members + 1] = id
    end
    call_many('HSET', E, fields)
    call_many('ZREM', AV, ids)
    call_many('ZADD', CL, members)
    for i, id in ipairs(ids) do reply[#reply + 1] = message_reply(id, envs[i]) end
    redis.call('HSET', K, cid, cjson.encode({t = ttl, g = grace, x = expires, u = NOW, ids = ids}))
    redis.call('ZADD', KX, expires, cid)
    lower_due(expires)
elseif wait > 0 then
    reply[3] = mark_waiting(wait)
end
reply[2] = outbox_pending()
return reply
