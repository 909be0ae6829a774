// A Redis Cluster behind the RedisClient interface, with our own slot routing on hiredis
// (storage/redis/README.md, "Why our own cluster routing").
//
//  1. Slot map: CLUSTER SLOTS from the first node that answers (known masters first, then
//     the seed nodes of the URI), on a session of its own (SlotMapFetcher). Fetched at
//     start, after a MOVED, after a node connection failed, and every few seconds (more
//     often while not Ready); two refreshes are at least kMinRefreshGap apart.
//  2. One NodeClient per master (AUTH, handshake, reconnect with backoff): the handshake
//     (FUNCTION LOAD of the script library) runs on every master connection, including
//     masters that appear later (reshard, failover). A node that left the map is stopped
//     once it has served no slot for kRetireAfter.
//  3. Routing: a command goes to the master of keySlot(Command::key()); a pipeline to the
//     master of its first keyed command (WAIT follows the FCALL); a keyless call to any
//     master (rotating).
//  4. Redirections (the reply of the routing command decides for a pipeline):
//       MOVED  the slot moves in the map at once, a refresh is requested, and the call is
//              sent again to the new master;
//       ASK    the call goes once to the named node, each keyed command behind ASKING
//              (pipelined, one round trip); the map does not change;
//       TRYAGAIN, CLUSTERDOWN, a connection error (Unavailable: the node is down, or no
//              node serves the slot yet): retried after a short backoff (10 ms doubling to
//              100 ms), a connection error also requests a refresh.
//     Retries start only before the call's deadline (the client timeout + the commands'
//     extraTime, from the first send); past it the call answers Unavailable (503). At most
//     kMaxRedirects MOVED/ASK hops per call. A call retried after a connection error may
//     have run on the lost node: like a client's own retry, a post may then be duplicated
//     (never lost).
//  5. Every retry and resend starts from the loop (a timer or a deferred callback), never
//     inside a node's reply callback; nodes are stopped from timers only.
//  6. subscribe(): PUBLISH reaches every node of a cluster, so a subscription lives on ONE
//     master connection (ChannelSubscriber) and, when that drops, reconnects to the next
//     master of the current map.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "src/event/dispatcher.h"
#include "storage/redis/client/cluster_slots.h"
#include "storage/redis/client/endpoint.h"
#include "storage/redis/client/node_client.h"
#include "storage/redis/client/redis_client.h"

namespace zaqard::storage::redis {

struct ClusterClientOptions {
    std::chrono::milliseconds timeout{2000};  // a call's deadline, retries included
    std::vector<Endpoint> seeds;              // the URI's nodes
    Credentials credentials;                  // AUTH on every node connection
    // Refresh period while every master is connected, and while one is not.
    std::chrono::milliseconds refreshEvery{10000};
    std::chrono::milliseconds refreshWhileDegraded{1000};
};

class ClusterClient : public RedisClient {
  public:
    static constexpr int kMaxRedirects = 16;
    static constexpr std::chrono::milliseconds kMinRefreshGap{100};
    static constexpr std::chrono::milliseconds kRetireAfter{10000};

    ClusterClient(event::Dispatcher& dispatcher, ClusterClientOptions options);
    ~ClusterClient() override;
    ClusterClient(const ClusterClient&) = delete;
    ClusterClient& operator=(const ClusterClient&) = delete;

    void start() override;
    void stop() override;
    // Ready when every slot has a master and every such master's connection is ready.
    State state() const override;
    void setHandshake(std::function<std::vector<Command>()> handshake) override;
    void command(Command command, ReplyCallback done) override;
    void pipeline(std::vector<Command> commands, PipelineCallback done) override;
    std::unique_ptr<RedisSubscription> subscribe(std::vector<std::string> channels,
                                                 MessageHandler onMessage) override;

    // For tests and logs: the master serving `slot` in the current map (empty when none),
    // the masters the map names, and how many slot maps were applied so far.
    Endpoint masterOf(int slot) const;
    std::vector<Endpoint> masters() const;
    uint64_t mapsApplied() const { return mapsApplied_; }
    // Asks for a refresh now (rate-limited like every other).
    void refresh() { requestRefresh(); }

  private:
    struct Node;
    struct Call;
    class MasterRotation;

    void dispatch(const std::shared_ptr<Call>& call);
    void onAnswer(const std::shared_ptr<Call>& call, const Endpoint& from,
                  Result<std::vector<RedisValue>> answer);
    void retryLater(const std::shared_ptr<Call>& call, const std::string& why);
    void resendNow(const std::shared_ptr<Call>& call);
    void runRetries();
    void finish(const std::shared_ptr<Call>& call, Result<std::vector<RedisValue>> answer);
    Node* routeOf(const Call& call);
    Node* nodeAt(const Endpoint& endpoint);
    void requestRefresh();
    void startRefresh();
    void applyMap(const std::vector<SlotRange>& ranges);
    void retireIdleNodes();
    std::vector<Endpoint> refreshCandidates() const;

    event::Dispatcher& dispatcher_;
    ClusterClientOptions options_;
    std::function<std::vector<Command>()> handshake_;
    // Every node client by "host:port"; slots_ points into it (null: no master known).
    std::map<std::string, std::unique_ptr<Node>> nodes_;
    std::vector<Node*> slots_;
    std::shared_ptr<std::vector<Endpoint>> masterList_;  // shared with MasterRotation
    size_t nextKeyless_ = 0;
    SlotMapFetcher fetcher_;
    event::TimerPtr refreshTimer_;
    event::TimerPtr retryTimer_;
    std::multimap<int64_t, std::shared_ptr<Call>> retries_;  // by when to resend (micros)
    int64_t lastRefreshStart_ = 0;
    int64_t refreshDue_ = 0;  // when refreshTimer_ fires, while refreshSoon_
    bool refreshSoon_ = false;
    bool covered_ = false;  // every slot of the last map has a master
    bool reportedDown_ = false;
    uint64_t mapsApplied_ = 0;
    bool running_ = false;
    bool refreshWanted_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace zaqard::storage::redis
