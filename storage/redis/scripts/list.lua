#!lua
-- Lists messages in FIFO order after a marker, filters applied before the limit.
-- KEYS: the 11 keys of one queue (see _lib.lua).
-- ARGV: [1] marker (rank of the last message seen, decimal; "" = from the head),
--       [2] limit, [3] echo 1/0, [4] client id, [5] include claimed 1/0,
--       [6] include delayed 1/0, [7] long polling: ms the caller waits on an empty page
--       (absent or 0: it does not wait).
-- Reply: {now ms, outbox size, delays enabled 0/1, next marker ("" when nothing was
--         returned), message...}; message = {id, body, ttl, created ms, claim id, count,
--         group}. With ARGV[7] and no message: {now, outbox, delays, marker, wake in ms}.
-- A marker that is not a decimal rank answers an empty page. Delayed messages are
-- included whenever the queue has no _default_message_delay (as Zaqar forces).
local head = read_queue('delay')
local complete = housekeeping(HOT_BUDGET)
local delays = (tonumber(head[1] or '0') or 0) > 0 and 1 or 0
local marker = ARGV[1]
local wait = tonumber(ARGV[7] or '0') or 0
if marker ~= '' and not string.match(marker, '^%d+$') then
    return {NOW, outbox_pending(), delays, ''}
end
if not EXISTS_Q then
    if wait > 0 then return {NOW, outbox_pending(), delays, '', mark_waiting(wait)} end
    return {NOW, outbox_pending(), delays, ''}
end

local limit = tonumber(ARGV[2])
local echo = ARGV[3] == '1'
local client = ARGV[4]
local include_claimed = ARGV[5] == '1'
local include_delayed = ARGV[6] == '1' or delays == 0

-- The available set already excludes claimed and delayed messages: walk it when those
-- are filtered out anyway (and housekeeping is up to date), else walk every message.
-- Messages waiting behind their group's head are listed too, and they are not in it.
local source = ALL
if not include_claimed and complete and
        (not include_delayed or redis.call('ZCARD', DL) == 0) and
        (not GRP or redis.call('ZCARD', GM) == 0) then
    source = AV
end

-- Bounds the work of one call when filters hide long runs of messages; the marker then
-- continues after the last message examined.
local SCAN_BUDGET = 5000
local reply = {NOW, outbox_pending(), delays, ''}
local found, scanned = 0, 0
local from = marker == '' and '-inf' or '(' .. marker
local last_rank = nil
-- Envelopes and bodies are read with one HMGET per batch, not one HGET per message. The
-- range read has no WITHSCORES (turning 20 scores into Lua strings cost more than the
-- read itself): a message's score is its rank, which its envelope holds.
local hits, hit_envs = {}, {}
while found < limit and scanned < SCAN_BUDGET do
    -- A few more than still wanted, so that filtered-out messages rarely cost a round;
    -- fetching 100 ids for a page of 10 was a third of the call. Envelopes are read for
    -- as many as are still wanted, then for more only when filters dropped some.
    local ids = redis.call('ZRANGEBYSCORE', source, from, '+inf', 'LIMIT', 0,
                           math.min(100, limit - found + 10))
    if #ids == 0 then break end
    local j = 1
    while j <= #ids and found < limit and scanned < SCAN_BUDGET do
        local chunk = {unpack(ids, j, math.min(#ids, j + limit - found - 1))}
        j = j + #chunk
        last_rank = visit_envelopes(source, chunk, function(id, env)
            scanned = scanned + 1
            if env and not is_expired(env)
                    and (include_claimed or not is_claimed(env))
                    and (include_delayed or not is_delayed(env))
                    and (echo or env.u ~= client) then
                hits[#hits + 1] = id
                hit_envs[#hit_envs + 1] = env
                found = found + 1
                if found == limit then return true end
            end
            return scanned >= SCAN_BUDGET
        end)
    end
    from = '(' .. last_rank
end
if #hits > 0 then
    for i, id in ipairs(hits) do reply[#reply + 1] = message_reply(id, hit_envs[i]) end
end
if last_rank then reply[4] = last_rank end
if #hits == 0 and wait > 0 then reply[5] = mark_waiting(wait) end
return reply
