#!lua
-- Bulk delete. Without claim ids: deletes every id of this queue, claimed or not.
-- With claim ids: every live message among the ids must be held by one of them,
-- otherwise nothing is deleted.
-- KEYS: the 11 keys of one queue (see _lib.lua).
-- ARGV: [1] number of ids n, [2..n+1] ids, then the claim ids (none = no claim check).
-- Reply: {now ms, outbox size, 1 deleted / 0 refused}.
read_queue()
housekeeping(HOT_BUDGET)
local n = tonumber(ARGV[1])
local check = #ARGV > n + 1
local ids = {}
for i = 2, n + 1 do ids[#ids + 1] = ARGV[i] end
-- One HMGET answers both the claim check and which ids are present.
local raws = #ids > 0 and redis.call('HMGET', E, unpack(ids)) or {}
if check then
    local allowed = {}
    for i = n + 2, #ARGV do allowed[ARGV[i]] = true end
    for i = 1, #ids do
        local env = decode_env(raws[i])
        if env and not is_expired(env) and not (is_claimed(env) and allowed[env.k]) then
            return {NOW, outbox_pending(), 0}
        end
    end
end
-- The same as drop_message() per existing id, with one command per structure for all ids.
-- Each set only for the messages in it (MESSAGE_SETS, _lib.lua); the values need no
-- decoding for that (msg_flags). A claimed batch touches e, all and cl only.
local present, old, in_x, in_cl, in_av, in_dl, raw_of = {}, {}, {}, {}, {}, {}, {}
for i, id in ipairs(ids) do
    if raws[i] then
        present[#present + 1] = id
        raw_of[#present] = raws[i]
        local layout1, x, cl, dl = msg_flags(raws[i])
        if layout1 then old[#old + 1] = id end
        if x then in_x[#in_x + 1] = id end
        if cl then in_cl[#in_cl + 1] = id end
        if layout1 or not cl then in_av[#in_av + 1] = id end
        if dl then in_dl[#in_dl + 1] = id end
    end
end
if #present > 0 then
    call_many('HDEL', E, present)
    call_many('ZREM', ALL, present)
    call_many('HDEL', B, old)
    call_many('ZREM', AV, in_av)
    call_many('ZREM', CL, in_cl)
    call_many('ZREM', DL, in_dl)
    call_many('ZREM', X, in_x)
    -- Grouped messages hand their group on (after the bulk removal, so a head and the
    -- messages behind it deleted together are all skipped).
    if groups_on() then
        for i, id in ipairs(present) do
            local env = decode_env(raw_of[i])
            if env.g then group_leave(env.g, id, env.r) end
        end
    end
end
return {NOW, outbox_pending(), 1}
