#!lua
-- Redrive, step 1 of 2 (storage/redis/README.md, "Cross-slot operations"): takes messages
-- out of a dead-letter queue into its outbox, addressed to the source queue; the
-- dead-letter mover then posts them there (dead_letter_post) and acknowledges, as for a
-- dead-lettered message, so a crash in between never loses one.
-- KEYS: the 11 keys of the dead-letter queue (see _lib.lua). Its dd set (ids moved into
--       it, see dead_letter_post.lua) is z:dd:{T}, derived from q (same slot).
-- ARGV: [1] source queue name, [2] at most this many, [3] marker: rank after which the
--       walk starts ("" = the head; ignored with ids), [4..] ids (none: walk in FIFO order).
-- Reply: {now ms, outbox size, next marker ("" when the walk reached the end, or ids
--         were given), moved id...}.
-- Messages under a live claim stay (someone is working on them); expired ones are
-- dropped. A moved message keeps its id, body, creation time, client id and group; its
-- TTL is what it had left here (at least 1 s); its claim count starts again at 0. Its id
-- leaves dd, so it can be dead-lettered here again.
read_queue()
housekeeping(HOT_BUDGET)
local source, limit = ARGV[1], tonumber(ARGV[2])
local reply = {NOW, 0, ''}
if not EXISTS_Q then return reply end
local DD = 'z:dd:' .. string.sub(Q, 5)

local function take(id, env)
    local body = body_of(id, env)
    local ttl = math.max(1, math.ceil((env.x - NOW) / 1000))
    redis.call('HSET', OUT, id, cjson.encode({c = env.c, u = env.u, dlq = source, ttl = ttl,
                                              body = body, g = env.g, r = env.r,
                                              m = id .. '@' .. string.format('%d', NOW)}))
    if OB ~= true then
        redis.call('HSET', Q, 'ob', 1)
        OB = true
    end
    drop_message(id, env)
    redis.call('ZREM', DD, id)
    reply[#reply + 1] = id
end

local function visit(id, env)
    if not env then return false end
    if is_expired(env) then
        drop_message(id, env)
    elseif not is_claimed(env) then
        take(id, env)
    end
    return #reply - 3 >= limit
end

if #ARGV > 3 then
    for i = 4, #ARGV do
        if visit(ARGV[i], get_env(ARGV[i])) then break end
    end
else
    -- Bounded walk: claimed messages are skipped, and the marker lets the caller go on.
    local SCAN_BUDGET = 1000
    local from = ARGV[3] == '' and '-inf' or '(' .. ARGV[3]
    local scanned, last_rank, finished = 0, nil, false
    while #reply - 3 < limit and scanned < SCAN_BUDGET do
        local ids = redis.call('ZRANGEBYSCORE', ALL, from, '+inf', 'LIMIT', 0,
                               math.min(100, limit - (#reply - 3) + 10))
        if #ids == 0 then
            finished = true
            break
        end
        scanned = scanned + #ids
        last_rank = visit_envelopes(ALL, ids, function(id, env) return visit(id, env) end)
        if last_rank == nil then break end
        from = '(' .. last_rank
    end
    if not finished and last_rank then reply[3] = last_rank end
end
reply[2] = outbox_pending()
return reply
