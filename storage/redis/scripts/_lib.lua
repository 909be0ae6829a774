#!lua
-- Shared helpers: the top of the one function library ScriptRunner builds (each other
-- script becomes a function registered after it; see script_runner.cpp). Spliced after a
-- script's shebang line instead, it also works as an EVAL script (bench/compare does).
--
-- Every script receives the keys of ONE queue, all inside the hash tag {<project>/<queue>}:
--   KEYS[1]  q    HASH  m=metadata JSON, c=created ms, r=rank counter, mirrors of the
--                       reserved metadata: ttl, delay, maxpost, maxcc, dlq, dlqttl, enc
--   KEYS[2]  e    HASH  message id -> envelope JSON (see env fields below)
--   KEYS[3]  b    HASH  message id -> body JSON text (never decoded here)
--   KEYS[4]  all  ZSET  every message, score rank (FIFO order)
--   KEYS[5]  av   ZSET  available (not claimed, not delayed), score rank
--   KEYS[6]  cl   ZSET  claimed, score claim expiry ms
--   KEYS[7]  dl   ZSET  delayed, score delay-until ms
--   KEYS[8]  x    ZSET  every message, score expiry ms
--   KEYS[9]  k    HASH  claim id -> claim JSON {t, g, x, u, ids}
--   KEYS[10] kx   ZSET  claim id, score claim expiry ms
--   KEYS[11] out  HASH  dead-letter outbox: id -> JSON {c, u, dlq, ttl, body, g group,
--                       r rank (the mover posts a batch in rank order), m dedup member}
--   Derived from q (same hash tag, so the same slot), for FIFO message groups:
--   gm   ZSET  (score 0, by member) messages of a group waiting behind its head:
--              "<group>:<rank, 16 digits>:<id>"; they are in none of av, cl, dl
--   gh   HASH  group -> id of its head, the one message of the group that is available,
--              delayed or claimed (only the head is ever claimable)
--   q also holds two hints kept by these scripts: `due`, a lower bound of the scores in
--   cl and dl and of those in x and kx plus LAZY_MS (housekeeping is skipped before it);
--   `ob` = 1 while the outbox may hold messages (HLEN is skipped without it); and `ix`,
--   the index intent: written with the hash by the script that creates the queue, it
--   says the queue may be missing from its project index and registry bucket (other
--   slots, written by C++ afterwards); queue_indexed clears it once both are written.
--   Scripts that create a queue, and normalise, answer it so C++ can finish the step.
-- Envelope fields: r rank, c created ms, t ttl s, x expires ms, d delay-until ms (0: none),
-- u client id, k claim id ("" when none), ke claim expiry ms, n claim count, g message
-- group (absent when none); written by encode_env in that order (older envelopes may have any order: always cjson.decode them).
-- Times are integer milliseconds from Redis TIME (cjson keeps 14 significant digits, so
-- millisecond timestamps survive a round trip; microseconds would not).

-- Per-call state, set by begin_call() at the start of every call: a library's top level
-- runs once, at FUNCTION LOAD, so these are shared by every call of every function.
local Q, E, B, ALL, AV, CL, DL, X, K, KX, OUT
local GM, GH
local NOW
-- From read_queue(): the queue's due hint (nil: unknown, housekeeping runs), whether the
-- outbox may hold messages (nil: unknown, HLEN decides), whether the queue hash exists,
-- and the dead-letter mirrors (LIMIT_READ false: not read yet); GRP: whether the queue
-- ever held a grouped message (its `grp` field; nil: not read yet).
local DUE, OB, EXISTS_Q, MAXCC, DLQ, LIMIT_READ, GRP

local function now_ms()
    local t = redis.call('TIME')
    return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function begin_call(keys)
    Q, E, B, ALL, AV, CL, DL, X, K, KX, OUT =
        keys[1], keys[2], keys[3], keys[4], keys[5], keys[6], keys[7], keys[8], keys[9], keys[10], keys[11]
    local tagged = string.sub(Q, 5)
    GM, GH = 'z:gm:' .. tagged, 'z:gh:' .. tagged
    NOW = now_ms()
    DUE, OB, EXISTS_Q, MAXCC, DLQ, LIMIT_READ, GRP = nil, nil, nil, nil, nil, false, nil
end

-- Expired messages and claim records are invisible to every reader already (they check
-- x and the claim's expiry themselves), so dropping them may wait this long: the due
-- hint then does not pass again at every call while they expire one after another.
local LAZY_MS = 5000

-- One HMGET of the queue hash: c (exists), due, ob, the dead-letter mirrors, the group
-- hint, then the given fields, whose values it answers in order (false when absent).
local function read_queue(...)
    local v = redis.call('HMGET', Q, 'c', 'due', 'ob', 'maxcc', 'dlq', 'grp', ...)
    EXISTS_Q = v[1] ~= false
    if EXISTS_Q then
        DUE = tonumber(v[2])
        OB = v[3] ~= false
    end
    MAXCC, DLQ, LIMIT_READ = v[4], v[5], true
    GRP = v[6] ~= false
    return {select(7, unpack(v))}
end

-- Whether the queue may hold grouped messages (then dropping a message looks after its
-- group; queues that never had one pay nothing).
local function groups_on()
    if GRP == nil then GRP = redis.call('HEXISTS', Q, 'grp') == 1 end
    return GRP
end

-- Records that the queue holds something due at `at` ms (scores added to cl or dl; x or
-- kx scores + LAZY_MS). Only a known hint is lowered: an unknown one stays unknown.
local function lower_due(at)
    if DUE and at < DUE then
        DUE = at
        redis.call('HSET', Q, 'due', at)
    end
end

-- After complete housekeeping: the hint from the earliest score of each structure.
local function reset_due()
    local due = 9007199254740991
    for _, set in ipairs({{CL, 0}, {DL, 0}, {X, LAZY_MS}, {KX, LAZY_MS}}) do
        local first = redis.call('ZRANGE', set[1], 0, 0, 'WITHSCORES')
        if first[2] then due = math.min(due, tonumber(first[2]) + set[2]) end
    end
    if due ~= DUE then
        redis.call('HSET', Q, 'due', string.format('%d', due))
        DUE = due
    end
end

local function get_env(id)
    local raw = redis.call('HGET', E, id)
    if not raw then return nil end
    return cjson.decode(raw)
end

-- Walks a chunk of ids read from `source` (a set scored by rank, e.g. AV) for list and
-- claim_create: one HMGET for all their envelopes, not one HGET each. visit(id, env) gets
-- each decoded envelope in order (false when it is gone) and returns true to stop there.
-- Returns the rank of the last id visited as a string, for the caller's next range read
-- to start after: env.r, or the id's score in `source` when its envelope is gone (the
-- range read has no WITHSCORES: scores as Lua strings cost more than the read itself).
local function visit_envelopes(source, chunk, visit)
    local raws = redis.call('HMGET', E, unpack(chunk))
    local last_rank
    for k, id in ipairs(chunk) do
        local env = raws[k] and cjson.decode(raws[k])
        if env then
            last_rank = env.r
        else
            last_rank = redis.call('ZSCORE', source, id)
        end
        if visit(id, env) then break end
    end
    if type(last_rank) == 'number' then last_rank = string.format('%d', last_rank) end
    return last_rank
end

-- A JSON string literal; the common ids (UUIDs) need no escaping.
local function json_string(text)
    if string.find(text, '^[%w%-_.]*$') then return '"' .. text .. '"' end
    return cjson.encode(text)
end

-- The envelope as JSON text in a fixed field order (string.format: cjson.encode of the
-- table cost twice as much).
local function encode_env(env)
    local text = string.format('{"c":%d,"u":%s,"k":%s,"ke":%d,"n":%d,"r":%d,"t":%d,"x":%d,"d":%d',
                               env.c, json_string(env.u), json_string(env.k), env.ke, env.n, env.r,
                               env.t, env.x, env.d)
    if env.g then return text .. ',"g":' .. json_string(env.g) .. '}' end
    return text .. '}'
end

local function put_env(id, env)
    redis.call('HSET', E, id, encode_env(env))
end

-- redis.call(cmd, key, pairs...) in chunks: one command for many fields or members, within
-- the argument count Lua's unpack() can pass at once.
local function call_many(cmd, key, args)
    local step = 4000
    for i = 1, #args, step do
        redis.call(cmd, key, unpack(args, i, math.min(i + step - 1, #args)))
    end
end

local function is_expired(env) return env.x <= NOW end
local function is_claimed(env) return env.k ~= '' and env.ke > NOW end
local function is_delayed(env) return env.d > NOW end

-- FIFO message groups. A group's messages are claimable one at a time, in post order:
-- only its head (gh) is in av/dl/cl; the others wait in gm, ordered by rank, and the
-- next one becomes the head when the head leaves the queue (deleted, popped, expired,
-- dead-lettered). A released or expired claim leaves the head where it is, first in line.
local function group_member(g, rank, id)
    return g .. ':' .. string.format('%016d', rank) .. ':' .. id
end

-- Makes the next waiting message of group g its head (available, or delayed until its
-- delay passes); forgets the group when none waits. Waiting entries whose message is
-- gone are skipped (bounded: a longer run of them waits for the next call).
local function group_promote(g)
    for _ = 1, 100 do
        local first = redis.call('ZRANGEBYLEX', GM, '[' .. g .. ':', '[' .. g .. ';', 'LIMIT', 0, 1)[1]
        if not first then
            redis.call('HDEL', GH, g)
            return
        end
        redis.call('ZREM', GM, first)
        local id = string.sub(first, #g + 19)
        local raw = redis.call('HGET', E, id)
        if raw then
            local env = cjson.decode(raw)
            redis.call('HSET', GH, g, id)
            if env.d > NOW then
                redis.call('ZADD', DL, env.d, id)
                lower_due(env.d)
            else
                redis.call('ZADD', AV, env.r, id)
            end
            return
        end
    end
end

-- The head of group g, or nil. A head whose message is gone (removed by a zaqard that
-- knew no groups) hands over to the next waiting message first.
local function group_head(g)
    local head = redis.call('HGET', GH, g)
    if head and redis.call('HEXISTS', E, head) == 0 then
        group_promote(g)
        head = redis.call('HGET', GH, g)
    end
    return head or nil
end

-- Message `id` (rank r) of group g leaves the queue.
local function group_leave(g, id, r)
    if redis.call('HGET', GH, g) == id then
        group_promote(g)
    else
        redis.call('ZREM', GM, group_member(g, r, id))
    end
end

-- Marks the queue as holding grouped messages (see groups_on).
local function groups_used()
    if not groups_on() then
        redis.call('HSET', Q, 'grp', 1)
        GRP = true
    end
end

-- Removes a message from every structure of the queue (its claim's id list is filtered
-- on read instead, so it needs no rewrite). `env`: its envelope when the caller has it.
local function drop_message(id, env)
    if groups_on() then
        if env == nil then env = get_env(id) end
        if env and env.g then group_leave(env.g, id, env.r) end
    end
    redis.call('HDEL', E, id)
    redis.call('HDEL', B, id)
    redis.call('ZREM', ALL, id)
    redis.call('ZREM', AV, id)
    redis.call('ZREM', CL, id)
    redis.call('ZREM', DL, id)
    redis.call('ZREM', X, id)
end

local function mirror(field)
    return redis.call('HGET', Q, field)
end

-- Dead-lettering applies only when the queue has both _max_claim_count and
-- _dead_letter_queue (mirrored by C++ as maxcc and dlq); nil otherwise.
local function dead_letter_limit()
    if not LIMIT_READ then
        local v = redis.call('HMGET', Q, 'maxcc', 'dlq')
        MAXCC, DLQ, LIMIT_READ = v[1], v[2], true
    end
    if MAXCC and DLQ and DLQ ~= '' then return tonumber(MAXCC), DLQ end
    return nil
end

-- Moves a message out of the queue into the outbox; C++ then posts it into the DLQ and
-- acknowledges, so a crash in between never loses it.
local function to_outbox(id, env, dlq)
    local body = redis.call('HGET', B, id) or 'null'
    local dlqttl = tonumber(mirror('dlqttl') or '0') or 0
    local ttl = dlqttl
    if ttl <= 0 then ttl = math.max(1, math.ceil((env.x - NOW) / 1000)) end
    redis.call('HSET', OUT, id, cjson.encode({c = env.c, u = env.u, dlq = dlq, ttl = ttl, body = body,
                                              g = env.g, r = env.r}))
    if OB ~= true then
        redis.call('HSET', Q, 'ob', 1)
        OB = true
    end
    drop_message(id, env)
end

-- A message whose claim ended (expired or released) becomes available again, or goes to
-- the dead-letter outbox when it was already claimed _max_claim_count times.
local function unclaim(id, env)
    env.k = ''
    env.ke = 0
    redis.call('ZREM', CL, id)
    local maxcc, dlq = dead_letter_limit()
    if maxcc and env.n >= maxcc then
        to_outbox(id, env, dlq)
        return
    end
    put_env(id, env)
    if is_delayed(env) then
        redis.call('ZADD', DL, env.d, id)
        lower_due(env.d)
    else
        redis.call('ZADD', AV, env.r, id)
    end
end

-- Bounded housekeeping run first by every script: drops expired messages and claims,
-- returns ended claims and delays to the available set. Readers check expiry, claim and
-- delay themselves, so visibility is exact even when work is left for the next call.
-- Answers true when everything due was done.
local function normalise(budget)
    local complete = true
    local ids = redis.call('ZRANGEBYSCORE', X, '-inf', NOW, 'LIMIT', 0, budget)
    for _, id in ipairs(ids) do drop_message(id) end
    if #ids == budget then complete = false end

    ids = redis.call('ZRANGEBYSCORE', CL, '-inf', NOW, 'LIMIT', 0, budget)
    for _, id in ipairs(ids) do
        local env = get_env(id)
        if env then
            unclaim(id, env)
        else
            redis.call('ZREM', CL, id)
        end
    end
    if #ids == budget then complete = false end

    ids = redis.call('ZRANGEBYSCORE', DL, '-inf', NOW, 'LIMIT', 0, budget)
    for _, id in ipairs(ids) do
        redis.call('ZREM', DL, id)
        local env = get_env(id)
        if env and not is_claimed(env) then redis.call('ZADD', AV, env.r, id) end
    end
    if #ids == budget then complete = false end

    ids = redis.call('ZRANGEBYSCORE', KX, '-inf', NOW, 'LIMIT', 0, budget)
    for _, cid in ipairs(ids) do
        redis.call('HDEL', K, cid)
        redis.call('ZREM', KX, cid)
    end
    if #ids == budget then complete = false end
    return complete
end

-- normalise() unless the due hint says nothing is due yet; when complete, the hint is
-- reset from what is left (only for an existing queue: it never creates the hash).
local function housekeeping(budget)
    if DUE and NOW < DUE then return true end
    local complete = normalise(budget)
    if complete and EXISTS_Q then reset_due() end
    return complete
end

local HOT_BUDGET = 200

-- Holds a message under a claim until `expires` (ms); one that would expire sooner lives
-- on for ttl + grace seconds, as Zaqar's claims extend it.
local function extend_for_claim(id, env, expires, ttl, grace)
    env.ke = expires
    if env.x <= expires then
        env.t = ttl + grace
        env.x = expires + grace * 1000
        redis.call('ZADD', X, env.x, id)
        lower_due(env.x + LAZY_MS)
    end
end

-- The wire form of one message: {id, body, ttl, created ms, live claim id, claim count,
-- group ("" when none)}.
local function message_reply(id, env, body)
    local claim = ''
    if is_claimed(env) then claim = env.k end
    return {id, body or redis.call('HGET', B, id) or 'null', env.t, env.c, claim, env.n, env.g or ''}
end

local function queue_exists()
    return redis.call('EXISTS', Q) == 1
end

-- Creates the queue hash with its index intent (see `ix` above); answers the intent
-- token (the creation time as text: a queue deleted and created again gets another).
local function create_queue(metadata)
    local token = string.format('%d', NOW)
    redis.call('HSET', Q, 'c', NOW, 'r', 0, 'm', metadata, 'ix', token)
    EXISTS_Q = true
    return token
end

-- Flags every reply ends with: whether the outbox holds messages for the DLQ mover.
-- Without the ob hint (read by read_queue) the outbox is empty; the hint is cleared once
-- the mover has emptied it.
local function outbox_pending()
    if OB == false then return 0 end
    local n = redis.call('HLEN', OUT)
    if OB and n == 0 then
        redis.call('HDEL', Q, 'ob')
        OB = false
    end
    return n
end

-- Subscriptions of this tag (subscription and notification scripts pass KEYS[12..14]:
-- s HASH id -> record JSON, su HASH subscriber -> id, sx ZSET id by expiry).
local function drop_subscription(s, su, sx, id)
    local raw = redis.call('HGET', s, id)
    if raw then
        local sub = cjson.decode(raw)
        if redis.call('HGET', su, sub.s) == id then redis.call('HDEL', su, sub.s) end
        redis.call('HDEL', s, id)
    end
    redis.call('ZREM', sx, id)
end

-- A subscription as the subscription and notify scripts reply it: {id, subscriber, ttl,
-- age s, options JSON text, confirmed 0/1, connection id, confirmed-after job id}. The
-- last is the id of the last notification job written before the latest confirmation
-- ("" when never confirmed, or confirmed before zaqard recorded it): jobs up to it carry
-- messages posted while the subscription was unconfirmed.
local function subscription_item(id, sub)
    return {id, sub.s, sub.t, math.floor((NOW - sub.c) / 1000), sub.o, sub.f, sub.w or '',
            sub.a or ''}
end

-- Drops up to 100 expired subscriptions; calls on_drop(id) for each when given.
local function drop_expired_subscriptions(s, su, sx, on_drop)
    for _, id in ipairs(redis.call('ZRANGEBYSCORE', sx, '-inf', NOW, 'LIMIT', 0, 100)) do
        drop_subscription(s, su, sx, id)
        if on_drop then on_drop(id) end
    end
end

-- Long polling (docs/api.md). A list or claim that found nothing and will wait marks the
-- queue with z:w:{T}, a key that lives as long as the longest wait; what makes messages
-- available (post, claim release) publishes on the channel z:wake:{T} only while the
-- mark exists, so a queue nobody waits on pays one EXISTS per post. Plain PUBLISH, not
-- SPUBLISH: Debian's hiredis 0.14 cannot read sharded pub/sub pushes ("smessage"), and a
-- cluster forwards a PUBLISH to every node, where each zaqard shard holds one subscribed
-- connection (RedisPubSub). The channel carries the queue's hash tag all the same, so
-- moving to SPUBLISH/SSUBSCRIBE is a change of command names.
local function wake_waiters()
    local tagged = string.sub(Q, 5)
    if redis.call('EXISTS', 'z:w:' .. tagged) == 1 then
        redis.call('PUBLISH', 'z:wake:' .. tagged, '')
    end
end

-- Marks the queue for `ms` more (never shortens a longer mark), and answers in how many
-- ms a delay or a claim of the queue ends (a message may become visible then), -1 when
-- none: the waiter sets a timer for it.
local function mark_waiting(ms)
    local key = 'z:w:' .. string.sub(Q, 5)
    if redis.call('PTTL', key) < ms then redis.call('SET', key, '1', 'PX', ms) end
    local due = -1
    for _, set in ipairs({CL, DL}) do
        local first = redis.call('ZRANGE', set, 0, 0, 'WITHSCORES')
        if first[2] then
            local at = math.max(0, tonumber(first[2]) - NOW)
            if due < 0 or at < due then due = at end
        end
    end
    return due
end

-- As an EVAL script (no register_function there) the call starts right here.
if not redis.register_function then begin_call(KEYS) end
