#!lua
-- Queue statistics, exact at the moment of the call (expired messages and claims never
-- count, whether housekeeping already dropped them or not).
-- KEYS: the 11 keys of one queue (see _lib.lua).
-- ARGV: none.
-- Reply: {now ms, outbox size, total, claimed, oldest, newest}; oldest/newest = {} when
--        the queue is empty, else {id, body, ttl, created ms, claim id, claim count, group}.
read_queue()
housekeeping(HOT_BUDGET)
local total, oldest = live_count(true)
if total == 0 then return {NOW, outbox_pending(), 0, 0, {}, {}} end
local claimed = redis.call('ZCOUNT', CL, '(' .. NOW, '+inf')

-- Last live message in FIFO order.
local function newest()
    local start = 0
    while true do
        local ids = redis.call('ZREVRANGE', ALL, start, start + 99)
        if #ids == 0 then return {} end
        for _, id in ipairs(ids) do
            local env = get_env(id)
            if env and not is_expired(env) then return message_reply(id, env) end
        end
        start = start + 100
    end
end

return {NOW, outbox_pending(), total, claimed, oldest, newest()}
