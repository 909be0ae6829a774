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
-- The score as text once: a Lua number argument costs Redis a %.17g print and a parse
-- for every member of ZADD cl.
local expires_text = string.format('%d', expires)
local maxcc, dlq = dead_letter_limit()
-- Envelopes are read with one HMGET per round and the claimed ones written back with one
-- command per structure at the end (the loop only skips past them, it never reads them
-- again). `fields`: id, new value pairs for HSET e; reply rows are appended as claimed.
local ids, fields = {}, {}
local from = '-inf'
while #ids < limit do
    -- As many as still wanted: av rarely holds an entry a claim skips (expired messages
    -- are dropped by housekeeping, claimed and delayed ones are not in av), and every id
    -- read costs (20 read for a claim of 10 made the range read a tenth of the call);
    -- a skip costs another round. No WITHSCORES (scores as Lua strings cost more than
    -- the read): an available message's score is its rank, which its envelope holds.
    local want = math.min(100, limit - #ids)
    local round = redis.call('ZRANGEBYSCORE', AV, from, '+inf', 'LIMIT', 0, want)
    if #round == 0 then break end
    local raws = redis.call('HMGET', E, unpack(round))
    local last_rank
    for i, id in ipairs(round) do
        local raw = raws[i]
        local general = not raw or string.byte(raw) == 123
        if not general then
            -- Layout 2, unpacked into locals: the common case (available, alive, below
            -- _max_claim_count) builds no envelope table and calls no helper per message
            -- (the Lua work per message was about half of a claim's time inside Redis).
            -- Everything else takes the general path below, with decode_env.
            local _, o, r, c, x, x0, d, ke, t, n, u, k, g, pos = struct.unpack(MSG_FMT, raw)
            last_rank = r
            if x <= NOW or (k ~= '' and ke > NOW) or (maxcc and n >= maxcc) then
                general = true
            elseif d <= NOW then
                if maxcc then n = n + 1 end
                if x <= expires then
                    t = ttl + grace
                    x = expires + grace * 1000
                    o = 1
                    redis.call('ZADD', X, x, id)
                    lower_due(x + LAZY_MS)
                end
                local body = string.sub(raw, pos)
                ids[#ids + 1] = id
                fields[#fields + 1] = id
                fields[#fields + 1] = struct.pack(PACK_FMT, 2, o, r, c, x, x0, d, expires, t, n, #u, u,
                                                  #cid, cid, #g, g, body)
                reply[#reply + 1] = {id, body, t, c, cid, n, g}
                if #ids == limit then break end
            end
        end
        if general then
            local env = decode_env(raw)
            if env then last_rank = env.r else last_rank = redis.call('ZSCORE', AV, id) end
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
                    fields[#fields + 1] = id
                    fields[#fields + 1] = encode_env(id, env)
                    reply[#reply + 1] = message_reply(id, env)
                    if #ids == limit then break end
                end
            end
        end
    end
    if type(last_rank) == 'number' then last_rank = string.format('%d', last_rank) end
    -- A short round read the rest of av: no further round to find it empty.
    if #round < want then break end
    from = '(' .. last_rank
end
if #ids > 0 then
    local members = {}
    for _, id in ipairs(ids) do
        members[#members + 1] = expires_text
        members[#members + 1] = id
    end
    call_many('HSET', E, fields)
    call_many('ZREM', AV, ids)
    call_many('ZADD', CL, members)
    redis.call('HSET', K, cid, cjson.encode({t = ttl, g = grace, x = expires, u = NOW, ids = ids}))
    redis.call('ZADD', KX, expires_text, cid)
    lower_due(expires)
elseif wait > 0 then
    reply[3] = mark_waiting(wait)
end
reply[2] = outbox_pending()
return reply
