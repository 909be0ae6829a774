#!lua
-- Removes and returns up to N available messages (not claimed, not delayed, not
-- expired) from the head of the queue.
-- KEYS: the 11 keys of one queue (see _lib.lua).
-- ARGV: [1] N.
-- Reply: {now ms, outbox size, message...}; message = {id, body, ttl, created ms,
--        claim id (always ""), claim count, group}.
read_queue()
housekeeping(HOT_BUDGET)
local limit = tonumber(ARGV[1])
local reply = {NOW, outbox_pending()}
local from = '-inf'
while #reply - 2 < limit do
    local batch = redis.call('ZRANGEBYSCORE', AV, from, '+inf', 'WITHSCORES', 'LIMIT', 0, 100)
    if #batch == 0 then break end
    for i = 1, #batch, 2 do
        local id = batch[i]
        from = '(' .. batch[i + 1]
        local env = get_env(id)
        if not env or is_expired(env) then
            drop_message(id, env)
        elseif not is_claimed(env) and not is_delayed(env) then
            reply[#reply + 1] = message_reply(id, env)
            drop_message(id, env)
            if #reply - 2 == limit then break end
        end
    end
end
return reply
