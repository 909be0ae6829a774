#!lua
-- Reads subscriptions: one by id, or a page in id order after a marker.
-- KEYS: as subscription_create.lua ([12] s, [13] su, [14] sx).
-- ARGV: [1] "get" | "list", then get: [2] id; list: [2] marker ("" = first), [3] limit.
-- Reply: {now ms, outbox size, item...}, item = subscription_item() of _lib.lua. Expired
-- subscriptions are removed on the way.
local S, SU, SX = KEYS[12], KEYS[13], KEYS[14]

drop_expired_subscriptions(S, SU, SX)

local function item(id, raw) return subscription_item(id, cjson.decode(raw)) end
local function live(id)
    local x = redis.call('ZSCORE', SX, id)
    return x and tonumber(x) > NOW
end

local reply = {NOW, outbox_pending()}
if ARGV[1] == 'get' then
    local raw = redis.call('HGET', S, ARGV[2])
    if raw and live(ARGV[2]) then reply[3] = item(ARGV[2], raw) end
    return reply
end
local ids = redis.call('HKEYS', S)
table.sort(ids)
local limit = tonumber(ARGV[3])
for _, id in ipairs(ids) do
    if #reply - 2 >= limit then break end
    if (ARGV[2] == '' or id > ARGV[2]) and live(id) then
        reply[#reply + 1] = item(id, redis.call('HGET', S, id))
    end
end
return reply
