#!lua
-- Queue statistics, exact at the moment of the call (expired messages and claims never
-- count, whether housekeeping already dropped them or not).
-- KEYS: the 11 keys of one queue (see _lib.lua).
-- ARGV: none.
-- Reply: {now ms, outbox size, total, claimed, oldest, newest}; oldest/newest = {} when
--        the queue is empty, else {id, body, ttl, created ms, claim id, claim count, group}.
read_queue()
housekeeping(HOT_BUDGET)
local total = redis.call('ZCOUNT', X, '(' .. NOW, '+inf')
local claimed = redis.call('ZCOUNT', CL, '(' .. NOW, '+inf')

-- First (or last) live message in FIFO order.
local function edge(reverse)
    local start = 0
    while true do
        local ids
        if reverse then
            ids = redis.call('ZREVRANGE', ALL, start, start + 99)
        else
            ids = redis.call('ZRANGE', ALL, start, start + 99)
        end
        if #ids == 0 then return {} end
        for _, id in ipairs(ids) do
            local env = get_env(id)
            if env and not is_expired(env) then return message_reply(id, env) end
        end
        start = start + 100
    end
end

if total == 0 then return {NOW, outbox_pending(), 0, 0, {}, {}} end
return {NOW, outbox_pending(), total, claimed, edge(false), edge(true)}
