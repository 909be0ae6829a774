// Coalesced Redis calls; the rules are in coalescing_client.h.
#include "storage/redis/client/coalescing_client.h"

#include <algorithm>
#include <charconv>

#include "src/common/log.h"
#include "src/metrics/record.h"

namespace zaqard::storage::redis {

std::string_view hashTagOf(std::string_view key) {
    auto open = key.find('{');
    if (open != std::string_view::npos) {
        auto close = key.find('}', open + 1);
        if (close != std::string_view::npos && close > open + 1)
            return key.substr(open + 1, close - open - 1);
    }
    return key;
}

namespace {

// Calls (single or batch) of one tag in flight before the next group parks (rule 1): two
// keep Redis busy with one while the next one forms, as a double buffer.
constexpr int kMaxInFlight = 2;

// FCALL <function> <numkeys> <key>...: the number of keys, 0 when not such a call.
size_t fcallKeyCount(const Command& command) {
    const auto& args = command.args;
    if (args.size() < 4 || args[0] != "FCALL") return 0;
    size_t keys = 0;
    auto [end, error] = std::from_chars(args[2].data(), args[2].data() + args[2].size(), keys);
    if (error != std::errc() || end != args[2].data() + args[2].size()) return 0;
    return args.size() >= 3 + keys ? keys : 0;
}

bool sameCommand(const Command& a, const Command& b) {
    return a.args == b.args && a.keyIndex == b.keyIndex && a.extraTime == b.extraTime;
}

}  // namespace

struct CoalescingClient::Group {
    std::string tag;
    BatchTarget target;
    size_t keyCount = 0;
    bool pipelined = false;
    std::vector<Command> trailer;        // the commands after the FCALL (WAIT), when pipelined
    std::vector<Command> calls;          // in arrival order
    std::vector<ReplyCallback> replies;  // when not pipelined
    std::vector<PipelineCallback> pipelineReplies;  // when pipelined
    std::string requestId;                          // of the call that opened it
    bool parked = false;  // rule 1: waits for the tag's calls in flight, not the turn's end

    // Whether `command` (with `trailer`) may join: same function, same keys, same trailer.
    bool accepts(const Command& command, size_t keys, const std::vector<Command>* more) const {
        const Command& first = calls.front();
        if (keys != keyCount || (more != nullptr) != pipelined) return false;
        if (command.args[1] != first.args[1]) return false;
        if (!std::equal(command.args.begin() + 3, command.args.begin() + 3 + keys,
                        first.args.begin() + 3))
            return false;
        if (more == nullptr) return true;
        return std::equal(more->begin(), more->end(), trailer.begin(), trailer.end(), sameCommand);
    }
};

CoalescingClient::CoalescingClient(event::Dispatcher& dispatcher,
                                   std::unique_ptr<RedisClient> inner, BatchLookup lookup)
    : inner_(std::move(inner)),
      lookup_(std::move(lookup)),
      turnEnd_(dispatcher.createTurnEnd([this] { flush(false); })) {}

CoalescingClient::~CoalescingClient() {
    stop();
}

void CoalescingClient::stop() {
    if (!stopped_) flush(true);
    stopped_ = true;
    inner_->stop();
}

bool CoalescingClient::tryJoin(Command& command, std::vector<Command>* trailer,
                               ReplyCallback& reply, PipelineCallback& pipelined) {
    size_t keys = fcallKeyCount(command);
    if (keys == 0) return false;
    auto target = lookup_(command.args[1]);
    if (!target) return false;
    std::string_view tag = hashTagOf(command.args[3]);
    Group* group = nullptr;
    auto found = byTag_.find(std::string(tag));
    if (found != byTag_.end()) {
        if (found->second->accepts(command, keys, trailer))
            group = found->second;
        else
            sendGroupOf(tag);  // rule 3: what came before goes first
    }
    if (group == nullptr) {
        auto opened = std::make_unique<Group>();
        opened->tag = std::string(tag);
        opened->target = *target;
        opened->keyCount = keys;
        opened->pipelined = trailer != nullptr;
        if (trailer != nullptr) opened->trailer = std::move(*trailer);
        opened->requestId = std::string(log::currentRequestId());
        auto flying = inFlight_.find(opened->tag);
        opened->parked = flying != inFlight_.end() && flying->second >= kMaxInFlight;
        group = opened.get();
        byTag_[group->tag] = group;
        open_.push_back(std::move(opened));
        if (!group->parked) turnEnd_->schedule();
    }
    group->calls.push_back(std::move(command));
    if (group->pipelined)
        group->pipelineReplies.push_back(std::move(pipelined));
    else
        group->replies.push_back(std::move(reply));
    return true;
}

void CoalescingClient::command(Command command, ReplyCallback done) {
    if (!stopped_) {
        PipelineCallback none;
        if (tryJoin(command, nullptr, done, none)) return;
        if (!byTag_.empty() && !command.key().empty()) sendGroupOf(hashTagOf(command.key()));
    }
    inner_->command(std::move(command), std::move(done));
}

void CoalescingClient::pipeline(std::vector<Command> commands, PipelineCallback done) {
    if (!stopped_) {
        // [FCALL, keyless trailer...]: the write-concern shape (rule 4).
        bool shaped =
            commands.size() >= 2 && std::all_of(commands.begin() + 1, commands.end(),
                                                [](const Command& c) { return c.key().empty(); });
        if (shaped) {
            std::vector<Command> trailer(std::make_move_iterator(commands.begin() + 1),
                                         std::make_move_iterator(commands.end()));
            ReplyCallback none;
            if (tryJoin(commands[0], &trailer, none, done)) return;
            // Not taken: put the trailer back (tryJoin moves it only when it opens a group).
            std::move(trailer.begin(), trailer.end(), commands.begin() + 1);
        }
        if (!byTag_.empty())
            for (const auto& command : commands)
                if (!command.key().empty()) sendGroupOf(hashTagOf(command.key()));
    }
    inner_->pipeline(std::move(commands), std::move(done));
}

void CoalescingClient::sendGroupOf(std::string_view tag) {
    auto found = byTag_.find(std::string(tag));
    if (found == byTag_.end()) return;
    Group* group = found->second;
    byTag_.erase(found);
    auto at = std::find_if(open_.begin(), open_.end(),
                           [group](const std::unique_ptr<Group>& g) { return g.get() == group; });
    std::unique_ptr<Group> taken = std::move(*at);
    open_.erase(at);
    send(std::move(taken));
}

void CoalescingClient::flush(bool all) {
    std::vector<std::unique_ptr<Group>> groups;
    groups.swap(open_);
    for (auto& group : groups) {
        if (group->parked && !all) {
            open_.push_back(std::move(group));
            continue;
        }
        byTag_.erase(group->tag);
        send(std::move(group));
    }
}

// A call of `tag` sent by send() answered: when none is left in flight, the group parked
// behind them goes now (rule 1).
void CoalescingClient::settle(const std::string& tag) {
    auto found = inFlight_.find(tag);
    if (found == inFlight_.end()) return;
    if (--found->second == 0) inFlight_.erase(found);
    auto open = byTag_.find(tag);
    if (open != byTag_.end() && open->second->parked) sendGroupOf(tag);
}

void CoalescingClient::send(std::unique_ptr<Group> group) {
    // Slow-call warnings name the request that opened the group.
    log::RequestScope scope(group->requestId);
    ++inFlight_[group->tag];
    // Runs first in every answer: the parked group goes out before the callers' own work.
    auto settled = [this, alive = std::weak_ptr<bool>(alive_), tag = group->tag] {
        if (!alive.expired()) settle(tag);
    };
    size_t count = group->calls.size();
    if (count == 1) {  // rule 1: a lone call goes as it came
        if (!group->pipelined)
            return inner_->command(
                std::move(group->calls.front()),
                [settled, done = std::move(group->replies.front())](Result<RedisValue> reply) {
                    settled();
                    done(std::move(reply));
                });
        std::vector<Command> commands;
        commands.push_back(std::move(group->calls.front()));
        for (auto& more : group->trailer) commands.push_back(std::move(more));
        return inner_->pipeline(std::move(commands),
                                [settled, done = std::move(group->pipelineReplies.front())](
                                    Result<std::vector<RedisValue>> replies) {
                                    settled();
                                    done(std::move(replies));
                                });
    }
    metrics::redisCoalesced(count);

    // FCALL <batch> <numkeys> <keys...> <script> then per call: <n> <its n ARGV>.
    const size_t keys = group->keyCount;
    std::vector<std::string> words;
    size_t total = 4 + keys;
    for (const auto& call : group->calls) total += call.args.size() - 2 - keys;
    words.reserve(total);
    words.emplace_back("FCALL");
    words.emplace_back(group->target.batchFunction);
    Command& first = group->calls.front();
    for (size_t i = 2; i < 3 + keys; ++i) words.push_back(first.args[i]);
    words.emplace_back(group->target.script);
    for (auto& call : group->calls) {
        words.push_back(std::to_string(call.args.size() - 3 - keys));
        for (size_t i = 3 + keys; i < call.args.size(); ++i)
            words.push_back(std::move(call.args[i]));
    }
    Command batch(std::move(words), first.keyIndex);
    batch.extraTime = first.extraTime;

    auto shared = std::shared_ptr<Group>(std::move(group));
    // The element of call i, or what every call gets when the batch has no elements.
    auto split = [](const Group& g, RedisValue& reply, size_t i) -> Result<RedisValue> {
        if (reply.isArray() && reply.elements.size() == g.calls.size())
            return std::move(reply.elements[i]);
        if (reply.isError()) return reply;  // every caller sees the batch's own error
        return Error{ErrorKind::Unavailable, "redis: batch reply of the wrong shape"};
    };
    if (!shared->pipelined) {
        inner_->command(std::move(batch), [shared, split, settled](Result<RedisValue> reply) {
            settled();
            for (size_t i = 0; i < shared->replies.size(); ++i) {
                if (!reply.ok())
                    shared->replies[i](reply.error());
                else
                    shared->replies[i](split(*shared, reply.value(), i));
            }
        });
        return;
    }
    std::vector<Command> commands;
    commands.push_back(std::move(batch));
    for (const auto& more : shared->trailer) commands.push_back(more);
    inner_->pipeline(std::move(commands),
                     [shared, split, settled](Result<std::vector<RedisValue>> replies) {
                         settled();
                         for (size_t i = 0; i < shared->pipelineReplies.size(); ++i) {
                             if (!replies.ok()) {
                                 shared->pipelineReplies[i](replies.error());
                                 continue;
                             }
                             auto mine = split(*shared, replies.value()[0], i);
                             if (!mine.ok()) {
                                 shared->pipelineReplies[i](mine.error());
                                 continue;
                             }
                             std::vector<RedisValue> values;
                             values.reserve(replies.value().size());
                             values.push_back(std::move(mine.value()));
                             for (size_t k = 1; k < replies.value().size(); ++k)
                                 values.push_back(replies.value()[k]);
                             shared->pipelineReplies[i](std::move(values));
                         }
                     });
}

}  // namespace zaqard::storage::redis
