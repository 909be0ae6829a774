// The slot map of a Redis Cluster: which master serves which slot, read with CLUSTER SLOTS
// from the first node (of a candidate list) that answers it. Each ask opens a short-lived
// session of its own (AUTH first when a password is set), so a refresh never queues
// behind the commands of a node connection and works while every node connection is down.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "src/event/dispatcher.h"
#include "storage/redis/client/endpoint.h"
#include "storage/redis/reply.h"

namespace zaqard::storage::redis {

class HiredisSession;

struct SlotRange {
    int first = 0;
    int last = 0;  // inclusive
    Endpoint master;
};

// A CLUSTER SLOTS reply: [[first, last, [host, port, id, ...], replica...], ...]. A master
// host that is empty or "?" (the node does not know its address) is `asked`'s host.
// False + `error` when the reply has another shape.
bool parseClusterSlots(const RedisValue& reply, const Endpoint& asked,
                       std::vector<SlotRange>& ranges, std::string& error);

class SlotMapFetcher {
  public:
    using Done = std::function<void(Result<std::vector<SlotRange>>)>;

    SlotMapFetcher(event::Dispatcher& dispatcher, Credentials credentials,
                   std::chrono::milliseconds timeout);
    ~SlotMapFetcher();
    SlotMapFetcher(const SlotMapFetcher&) = delete;
    SlotMapFetcher& operator=(const SlotMapFetcher&) = delete;

    // Asks `candidates` one after the other; `done` runs once, from the loop (never inside
    // this call), unless the fetcher is destroyed first. One fetch at a time.
    void fetch(std::vector<Endpoint> candidates, Done done);
    bool busy() const { return static_cast<bool>(done_); }

  private:
    void askNext();
    void finish(Result<std::vector<SlotRange>> result);

    event::Dispatcher& dispatcher_;
    Credentials credentials_;
    std::chrono::milliseconds timeout_;
    std::vector<Endpoint> candidates_;
    size_t next_ = 0;
    std::string lastError_;
    Done done_;
    std::unique_ptr<HiredisSession> session_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace zaqard::storage::redis
