// Coalesced Redis calls (issue #12): a RedisClient in front of a shard's client that
// gathers the concurrent FCALLs of one loop turn to the same function with the same keys
// (the producers of one queue posting at once, its consumers claiming or deleting) and
// sends them as ONE call of the library's batch function (scripts/_batch.lua), the way a
// database groups commits. Redis then parses, looks up and starts one function instead
// of N; zaqard sends and parses one command.
//
// Rules:
//  1. No timer. A group is sent at the end of the loop turn it was opened in
//     (event::TurnEnd, dispatcher.h rule 4), before hiredis writes the turn's commands;
//     but while two calls of its queue sent earlier are still in flight it is parked and
//     goes the moment one of them answers (group commit: the calls that arrive while Redis
//     works on a queue's batches form the next one; two in flight keep Redis busy while
//     it forms). Under a light load nothing waits; when Redis is the bottleneck the
//     batches grow by themselves. A group of one call is sent as that call.
//  2. Each caller gets its own answer: the batch replies one element per call, in order;
//     a call that failed in Redis gets its error element (the others their replies).
//     When the batch gets no answer (connection lost, deadline, 503) or an error of its
//     own ("Function not found": each caller's ScriptRunner reloads and retries alone),
//     every caller gets that.
//  3. Order: a queue (a hash tag: every key of a queue carries it) has at most one open
//     group, holding consecutive calls in their arrival order. Any other call touching
//     that tag (another function, other keys, a plain command, a pipeline) first sends
//     the open group, so Redis runs every queue's calls in the order they were made, as
//     without coalescing. Groups of different queues are sent in the order they opened.
//  4. Write concern: a pipeline [FCALL f, WAIT ...] (ScriptRunner with redis_wait_replicas)
//     groups with others of the same trailer, sent as [FCALL batch, WAIT ...]; every
//     caller gets the WAIT reply, which confirms the whole batch.
//  5. Cluster: a batch addresses the group's first key like its calls (one slot), so
//     routing, MOVED/ASK and retries treat it as one call. Slow-call warnings name the
//     batch function and the request that opened the group.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "src/event/dispatcher.h"
#include "storage/redis/client/redis_client.h"

namespace zaqard::storage::redis {

// What the batch function needs to run a coalescible function's calls.
struct BatchTarget {
    std::string_view batchFunction;  // FCALL this instead
    std::string_view script;         // its first ARGV: the script the calls run
};
// The batch target of a function, nullopt when its calls are not coalesced.
using BatchLookup = std::function<std::optional<BatchTarget>(std::string_view function)>;

class CoalescingClient : public RedisClient {
  public:
    CoalescingClient(event::Dispatcher& dispatcher, std::unique_ptr<RedisClient> inner,
                     BatchLookup lookup);
    ~CoalescingClient() override;

    void start() override { inner_->start(); }
    // Sends the open groups first: they fail with the inner client's pending calls.
    void stop() override;
    State state() const override { return inner_->state(); }
    void setHandshake(std::function<std::vector<Command>()> handshake) override {
        inner_->setHandshake(std::move(handshake));
    }
    void command(Command command, ReplyCallback done) override;
    void pipeline(std::vector<Command> commands, PipelineCallback done) override;
    std::unique_ptr<RedisSubscription> subscribe(std::vector<std::string> channels,
                                                 MessageHandler onMessage) override {
        return inner_->subscribe(std::move(channels), std::move(onMessage));
    }

    RedisClient& inner() { return *inner_; }

  private:
    struct Group;

    // Puts `command` (an FCALL; with `trailer` when it came as a pipeline) into the open
    // group of its tag, or a new one. False when it is not coalescible: then nothing of
    // it was taken.
    bool tryJoin(Command& command, std::vector<Command>* trailer, ReplyCallback& reply,
                 PipelineCallback& pipelined);
    void sendGroupOf(std::string_view tag);  // rule 3: before a call touching `tag`
    void send(std::unique_ptr<Group> group);
    void flush(bool all);  // all: the parked groups too (stop)
    void settle(const std::string& tag);

    std::unique_ptr<RedisClient> inner_;
    BatchLookup lookup_;
    event::TurnEndPtr turnEnd_;
    // Open groups in opening order; byTag_ points at the open one of each tag.
    std::vector<std::unique_ptr<Group>> open_;
    std::unordered_map<std::string, Group*> byTag_;
    bool stopped_ = false;
    // Calls sent by send() and not answered yet, per tag (rule 1).
    std::unordered_map<std::string, int> inFlight_;
    // Callbacks that outlive the client skip its bookkeeping.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// The hash tag of a key (the content of its first non-empty {...}), or the key itself.
std::string_view hashTagOf(std::string_view key);

}  // namespace zaqard::storage::redis
