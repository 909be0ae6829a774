#!lua
-- Deletes one message, checking its claim as Zaqar's v2 API does.
-- KEYS: the 11 keys of one queue (see _lib.lua).
-- ARGV: [1] message id, [2] 0 no claim id, 1 a claim id, 2 a claim id that is not a
--       UUID, [3] the claim id.
-- Reply: {now ms, outbox size, outcome}: 0 deleted (or nothing to delete),
--        1 claimed but no claim id, 2 claim unknown or expired, 3 claim given but the
--        message is not claimed, 4 claimed by another live claim.
read_queue()
housekeeping(HOT_BUDGET)
local id, has_claim, claim = ARGV[1], ARGV[2] ~= '0', ARGV[3]
local env = get_env(id)
if not env or is_expired(env) then
    if env then drop_message(id, env) end
    return {NOW, outbox_pending(), 0}
end
if ARGV[2] == '2' then return {NOW, outbox_pending(), 2} end
local claimed = is_claimed(env)
if not has_claim then
    if claimed then return {NOW, outbox_pending(), 1} end
elseif not claimed then
    return {NOW, outbox_pending(), 3}
elseif env.k ~= claim then
    local raw = redis.call('HGET', K, claim)
    if not raw or cjson.decode(raw).x <= NOW then return {NOW, outbox_pending(), 2} end
    return {NOW, outbox_pending(), 4}
end
drop_message(id, env)
return {NOW, outbox_pending(), 0}
