#!lua
-- Shared helpers: the top of the one function library ScriptRunner builds (each other
-- script becomes a function registered after it; see script_runner.cpp). Spliced after a
-- script's shebang line instead, it also works as an EVAL script (bench/compare does).
--
-- Every script receives the keys of ONE queue, all inside the hash tag {<project>/<queue>}:
--   KEYS[1]  q    HASH  m=metadata JSON, c=created ms, r=rank counter, mirrors of the
--                       reserved metadata: ttl, delay, maxpost, maxcc, dlq, dlqttl, enc
--   KEYS[2]  e    HASH  message id -> the message: packed envelope + body (layout 2, see
--                       MSG_FMT below), or, written by a zaqard before layout 2, an
--                       envelope JSON whose body is in b (read both: upgrade_body)
--   KEYS[3]  b    HASH  layout 1 only: message id -> body JSON text; emptied as its
--                       messages are rewritten or leave (nothing new is written here)
--   KEYS[4]  all  ZSET  every message, score rank (FIFO order)
--   KEYS[5]  av   ZSET  available (not claimed, not delayed), score rank
--   KEYS[6]  cl   ZSET  claimed, score claim expiry ms
--   KEYS[7]  dl   ZSET  delayed, score delay-until ms
--   KEYS[8]  x    ZSET  messages outside the in-order run, score expiry ms: a message
--                       whose expiry is below the queue's `lx` when posted, one a claim
--                       extended, every layout-1 message (envelope flag o). The others
--                       expire in rank order and are found from the low end of all.
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
--   `lx` (layout 2): the highest expiry ms of a message posted into the in-order run,
--   never lowered while the queue holds messages (absent: a layout-1 queue, taken from
--   max(x) by the first layout-2 writer); and `ix`,
--   the index intent: written with the hash by the script that creates the queue, it
--   says the queue may be missing from its project index and registry bucket (other
--   slots, written by C++ afterwards); queue_indexed clears it once both are written.
--   Scripts that create a queue, and normalise, answer it so C++ can finish the step.
-- Envelope fields: r rank, c created ms, t ttl s, x expires ms, x0 expiry when posted,
-- d delay-until ms (0: none), u client id, k claim id ("" when none), ke claim expiry ms,
-- n claim count, g message group (absent when none), o 1 when the message is in x, b the
-- body JSON text. Layout 2 stores them with struct.pack (MSG_FMT) and the body after them:
-- one hash field per message, decoded in C. Times are integer milliseconds from Redis
-- TIME (doubles: exact up to 2^53).
--
-- The in-order run: a message not in x (o = 0) was posted with an expiry x >= lx, so
-- their expiries grow with their ranks; one posted below lx goes into x. Hence (x0 > lx
-- at the time of any earlier x member's post) every in-order message ranked after a
-- message whose x0 lies ahead is itself alive: a walk from the low end of all that stops
-- at the first x0 > now has seen every expired in-order message (in_order_front).

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
-- LX: the queue's lx (nil: absent in the hash); LX_DIRTY: changed by this call.
-- FIRST_X: set by normalise, the x0 where its walk of all stopped (false: all is empty).
local LX, LX_DIRTY, FIRST_X
-- WU: the queue's wu (ms until which a long-polling request may wait on it; nil: none).
local WU

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
    LX, LX_DIRTY, FIRST_X, WU = nil, false, nil, nil
end

-- Expired messages and claim records are invisible to every reader already (they check
-- x and the claim's expiry themselves), so dropping them may wait this long: the due
-- hint then does not pass again at every call while they expire one after another.
local LAZY_MS = 5000

-- One HMGET of the queue hash: c (exists), due, ob, the dead-letter mirrors, the group
-- hint, lx, wu, then the given fields, whose values it answers in order (false when absent).
local function read_queue(...)
    local v = redis.call('HMGET', Q, 'c', 'due', 'ob', 'maxcc', 'dlq', 'grp', 'lx', 'wu', ...)
    EXISTS_Q = v[1] ~= false
    if EXISTS_Q then
        DUE = tonumber(v[2])
        OB = v[3] ~= false
    end
    MAXCC, DLQ, LIMIT_READ = v[4], v[5], true
    GRP = v[6] ~= false
    LX = tonumber(v[7])
    WU = tonumber(v[8])
    return {select(9, unpack(v))}
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
    if FIRST_X then due = FIRST_X + LAZY_MS end
    for _, set in ipairs({{CL, 0}, {DL, 0}, {X, LAZY_MS}, {KX, LAZY_MS}}) do
        local first = redis.call('ZRANGE', set[1], 0, 0, 'WITHSCORES')
        if first[2] then due = math.min(due, tonumber(first[2]) + set[2]) end
    end
    if due ~= DUE then
        redis.call('HSET', Q, 'due', string.format('%d', due))
        DUE = due
    end
end

-- Layout 2 message value: version 2, o, r, c, x, x0, d, ke, t, n, u, k, g, then the body.
local MSG_FMT = '<BBddddddi4i4Hc0Hc0Hc0'

-- A message value as an envelope table (nil for nil). A layout-1 value is an envelope
-- JSON (it starts with '{'), indexed in x, its body in b (env.old: see upgrade_body).
local function decode_env(raw)
    if not raw then return nil end
    if string.byte(raw) == 123 then
        local env = cjson.decode(raw)
        env.o, env.x0, env.old = 1, env.x, true
        return env
    end
    local _, o, r, c, x, x0, d, ke, t, n, u, k, g, pos = struct.unpack(MSG_FMT, raw)
    local env = {o = o, r = r, c = c, x = x, x0 = x0, d = d, ke = ke, t = t, n = n, u = u, k = k,
                 b = string.sub(raw, pos)}
    if g ~= '' then env.g = g end
    return env
end

-- MESSAGE_SETS: which sets hold a message follows from its envelope, so removing it
-- touches only those: cl only while ke > 0 (a claim sets ke with its cl entry, unclaim
-- clears both), av only while ke = 0 (a claim takes it out of av), dl only when d > 0,
-- x only when o = 1. A layout-1 message may be anywhere (all are tried).
local ZERO8 = '\0\0\0\0\0\0\0\0' -- (the library's top level has no string library)

-- The same of a message value without decoding it: layout 1 (body in b; every flag then
-- true), in x, in cl (else maybe in av), in dl. d and ke are the doubles at bytes 35 and
-- 43 of MSG_FMT; 0.0 packs as eight zero bytes.
local function msg_flags(raw)
    if string.byte(raw) == 123 then return true, true, true, true end
    return false, string.byte(raw, 2) == 1, string.sub(raw, 43, 50) ~= ZERO8,
           string.sub(raw, 35, 42) ~= ZERO8
end

local function get_env(id)
    return decode_env(redis.call('HGET', E, id))
end

-- The body of a layout-1 message moves into its value when the value is rewritten.
local function upgrade_body(id, env)
    if env.old then
        env.b = redis.call('HGET', B, id) or 'null'
        redis.call('HDEL', B, id)
        env.old = nil
    end
end

local function body_of(id, env)
    if env.old then return redis.call('HGET', B, id) or 'null' end
    return env.b
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
        local env = decode_env(raws[k])
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

-- MSG_FMT with the body as a last c0 (pack: the whole string), so the value is built in
-- one buffer: `pack(...) .. body` made a second copy of every value (a claim rewrites
-- each message it takes).
local PACK_FMT = MSG_FMT .. 'c0'

-- The message value (layout 2) of an envelope table holding its body (pack_message).
local function pack_message(o, r, c, x, x0, d, ke, t, n, u, k, g, body)
    return struct.pack(PACK_FMT, 2, o, r, c, x, x0, d, ke, t, n, #u, u, #k, k, #g, g, body)
end

local function encode_env(id, env)
    upgrade_body(id, env)
    return pack_message(env.o, env.r, env.c, env.x, env.x0, env.d, env.ke, env.t, env.n, env.u,
                        env.k, env.g or '', env.b)
end

local function put_env(id, env)
    redis.call('HSET', E, id, encode_env(id, env))
end

-- Whether a message posted now with expiry x joins the in-order run (else it goes into
-- x). A queue without lx (layout 1: every message in x) starts the run above max(x).
local function in_order(x)
    if LX == nil then
        local last = redis.call('ZRANGE', X, -1, -1, 'WITHSCORES')
        LX = tonumber(last[2] or '0')
        LX_DIRTY = true
    end
    if x >= LX then
        if x > LX then LX, LX_DIRTY = x, true end
        return true
    end
    return false
end

-- lx as text for the queue hash (written by post with the rank counter).
local function lx_text()
    return string.format('%d', LX)
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
        local env = get_env(id)
        if env then
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
    redis.call('ZREM', ALL, id)
    if env == nil or env.old then
        -- Unknown, or layout 1: every structure it may be in.
        redis.call('HDEL', B, id)
        for _, set in ipairs({AV, CL, DL, X}) do redis.call('ZREM', set, id) end
        return
    end
    -- The envelope says where the message is (see MESSAGE_SETS).
    if env.ke > 0 then redis.call('ZREM', CL, id) else redis.call('ZREM', AV, id) end
    if env.d > 0 then redis.call('ZREM', DL, id) end
    if env.o == 1 then redis.call('ZREM', X, id) end
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
    local body = body_of(id, env)
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
-- Walks all from the low end over the messages whose post-time expiry x0 has passed,
-- up to the first whose x0 lies ahead (every in-order message after it is alive; see the
-- in-order run above). visit(id, env) gets each (env nil: a stale entry); the walk stops
-- Chunks grow from 4: usually the first message ends it. visit answers true for an
-- entry it left in all (the walk reads on after it). Answers the x0 where the walk
-- stopped (false: all ended; nil: the limit ended it), the number of entries left in
-- place before that point, and the id and envelope of the message it stopped at.
local function in_order_front(visit, limit)
    local kept, seen, chunk = 0, 0, 4
    while seen < limit do
        local ids = redis.call('ZRANGE', ALL, kept, kept + math.min(chunk, limit - seen) - 1)
        if #ids == 0 then return false, kept end
        local raws = redis.call('HMGET', E, unpack(ids))
        for k, id in ipairs(ids) do
            seen = seen + 1
            local env = decode_env(raws[k])
            if env and env.x0 > NOW then return env.x0, kept, id, env end
            if visit(id, env) then kept = kept + 1 end
        end
        chunk = math.min(100, chunk * 4)
    end
    return nil, kept
end

local function normalise(budget)
    local complete = true
    local ids = redis.call('ZRANGEBYSCORE', X, '-inf', NOW, 'LIMIT', 0, budget)
    if #ids > 0 then
        local raws = redis.call('HMGET', E, unpack(ids))
        for k, id in ipairs(ids) do drop_message(id, decode_env(raws[k])) end
    end
    if #ids == budget then complete = false end

    -- The in-order run expires in rank order: its expired messages lead all.
    local first, kept = in_order_front(function(id, env)
        if env and env.o == 1 then return true end -- in x: dropped above when expired
        drop_message(id, env)
    end, budget)
    if first == nil then
        complete = false
    else
        FIRST_X = first
        if first == false and kept == 0 and EXISTS_Q and LX and LX > 0 then
            -- An empty queue starts a new run (a long-lived message no longer holds it up).
            LX = 0
            redis.call('HSET', Q, 'lx', 0)
        end
    end

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
        env.o = 1
        redis.call('ZADD', X, env.x, id)
        lower_due(env.x + LAZY_MS)
    end
end

-- The wire form of one message: {id, body, ttl, created ms, live claim id, claim count,
-- group ("" when none)}.
local function message_reply(id, env, body)
    local claim = ''
    if is_claimed(env) then claim = env.k end
    return {id, body or body_of(id, env), env.t, env.c, claim, env.n, env.g or ''}
end

-- The number of live messages (exact: expired ones never count, dropped or not) and, when
-- want_oldest, the first live one in FIFO order as message_reply ({}: none). Expired are
-- the members of x up to now and the in-order messages of the expired front of all
-- (in_order_front; it reads no further than the first message whose x0 lies ahead).
local function live_count(want_oldest)
    local card = redis.call('ZCARD', ALL)
    if card == 0 then return 0, {} end
    local expired = redis.call('ZCOUNT', X, '-inf', NOW)
    local oldest
    local _, _, id, env = in_order_front(function(id, env)
        if env == nil or env.o ~= 1 then
            expired = expired + 1 -- an in-order message whose x0 (= x) has passed
        elseif want_oldest and not oldest and env.x > NOW then
            oldest = message_reply(id, env) -- a claim extended it
        end
        return true
    end, math.huge)
    if want_oldest and not oldest and id then oldest = message_reply(id, env) end
    return card - expired, oldest or {}
end

local function queue_exists()
    return redis.call('EXISTS', Q) == 1
end

-- Creates the queue hash with its index intent (see `ix` above); answers the intent
-- token (the creation time as text: a queue deleted and created again gets another).
local function create_queue(metadata)
    local token = string.format('%d', NOW)
    redis.call('HSET', Q, 'c', NOW, 'r', 0, 'm', metadata, 'ix', token, 'lx', 0)
    EXISTS_Q = true
    LX = 0
    -- A request may wait on the queue from before it existed (or from before a delete):
    -- its mark becomes the new hash's wu (see wake_waiters).
    local pttl = redis.call('PTTL', 'z:w:' .. string.sub(Q, 5))
    if pttl > 0 then
        WU = NOW + pttl
        redis.call('HSET', Q, 'wu', string.format('%d', WU))
    end
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
-- mark lasts. The queue hash mirrors the mark's end as `wu` (read with the other fields
-- by read_queue; create_queue copies a mark older than the hash), so a queue nobody waits
-- on pays nothing per post. Plain PUBLISH, not
-- SPUBLISH: Debian's hiredis 0.14 cannot read sharded pub/sub pushes ("smessage"), and a
-- cluster forwards a PUBLISH to every node, where each zaqard shard holds one subscribed
-- connection (RedisPubSub). The channel carries the queue's hash tag all the same, so
-- moving to SPUBLISH/SSUBSCRIBE is a change of command names.
local function wake_waiters()
    if WU and WU > NOW then redis.call('PUBLISH', 'z:wake:' .. string.sub(Q, 5), '') end
end

-- Marks the queue for `ms` more (never shortens a longer mark), and answers in how many
-- ms a delay or a claim of the queue ends (a message may become visible then), -1 when
-- none: the waiter sets a timer for it.
local function mark_waiting(ms)
    local key = 'z:w:' .. string.sub(Q, 5)
    if redis.call('PTTL', key) < ms then
        redis.call('SET', key, '1', 'PX', ms)
        if EXISTS_Q and not (WU and WU >= NOW + ms) then
            WU = NOW + ms
            redis.call('HSET', Q, 'wu', string.format('%d', WU))
        end
    end
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
