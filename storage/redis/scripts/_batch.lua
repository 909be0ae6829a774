#!lua
-- Coalesced calls: several calls of ONE script on ONE queue in one FCALL, the way a
-- database groups commits (storage/redis/coalescing_client.h gathers the concurrent
-- calls of a loop turn). script_runner.cpp registers this body as the function
-- zaqard_<hash>_batch after every script, and fills CALLS (script name -> the function
-- it registered), so this file knows nothing of the scripts themselves.
-- KEYS: the keys the script's calls share (the same for every call of the group).
-- ARGV: [1] script name, then for each call: its ARGV count n, then its n ARGV.
-- Reply: one element per call, in order: that call's reply, or an error element when it
--        failed (only its own: the calls before it stand, the calls after it run). Each
--        call starts with begin_call like a call of its own, and sees the writes of the
--        calls before it, as the same calls sent one after another would.
local run = CALLS[ARGV[1]]
if run == nil then
    return redis.error_reply('ERR zaqard batch: unknown script ' .. tostring(ARGV[1]))
end
local replies = {}
local at, count = 2, #ARGV
while at <= count do
    local n = tonumber(ARGV[at])
    if n == nil or n < 0 or at + n > count then
        return redis.error_reply('ERR zaqard batch: bad argument count at ' .. at)
    end
    local args = {}
    for j = 1, n do args[j] = ARGV[at + j] end
    at = at + n + 1
    local ok, reply = pcall(run, KEYS, args)
    if not ok then
        -- redis.call raises a table {err = ...}; a Lua runtime error is a string.
        if type(reply) == 'table' and reply.err ~= nil then
            reply = {err = reply.err}
        else
            reply = {err = 'ERR ' .. tostring(reply)}
        end
    elseif reply == nil then
        reply = false  -- a nil would end the array; false is a nil reply too
    end
    replies[#replies + 1] = reply
end
return replies
