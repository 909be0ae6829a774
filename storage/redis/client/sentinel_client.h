// The master of a Redis Sentinel group, after the Redis "Sentinel client spec":
//  1. Discovery: SENTINEL get-master-addr-by-name <master> asked of each listed sentinel in
//     turn (AUTH with sentinel_username/sentinel_password first); the first that answers
//     an address moves to the front of the list. No sentinel answers -> retry after the
//     backoff; meanwhile calls answer 503.
//  2. Verification: ROLE on every new master connection, right after AUTH/SELECT; a server
//     that is not a master drops the connection and discovery starts again.
//  3. Failover: a connection subscribed to +switch-master on a sentinel (the first of the
//     list that accepts it); a switch of our master reconnects at once. Sentinels close
//     the clients of a server they turn replica; a READONLY error reply (a master demoted
//     some other way keeps its clients) also reconnects.
// Calls made during the switch answer 503 (Unavailable), like calls while Redis is down;
// they succeed again as soon as the new master completed the handshake.
#pragma once

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "src/event/dispatcher.h"
#include "storage/redis/client/endpoint.h"
#include "storage/redis/client/node_client.h"
#include "storage/redis/client/redis_client.h"

namespace zaqard::storage::redis {

class HiredisSession;

// Discovery: answers the address of the master named `masterName`.
class SentinelLocator : public Locator, public std::enable_shared_from_this<SentinelLocator> {
  public:
    SentinelLocator(event::Dispatcher& dispatcher, std::vector<Endpoint> sentinels,
                    std::string masterName, Credentials credentials,
                    std::chrono::milliseconds timeout);
    ~SentinelLocator() override;

    void locate(std::function<void(Result<Endpoint>)> done) override;
    std::string describe() const override;

    // The sentinels, the last one that answered first.
    const std::vector<Endpoint>& sentinels() const { return sentinels_; }
    const std::string& masterName() const { return masterName_; }
    const Credentials& credentials() const { return credentials_; }

  private:
    struct Query;
    void ask(std::shared_ptr<Query> query);
    void finish(const std::shared_ptr<Query>& query, Result<Endpoint> found);

    event::Dispatcher& dispatcher_;
    std::vector<Endpoint> sentinels_;
    std::string masterName_;
    Credentials credentials_;
    std::chrono::milliseconds timeout_;
    // Discoveries in flight (each holds its sentinel session); ended with the locator.
    std::set<std::shared_ptr<Query>> queries_;
};

// The sentinels one after the other, starting with the front of SentinelLocator's list:
// where the +switch-master subscription connects.
class SentinelRotation : public Locator {
  public:
    explicit SentinelRotation(std::shared_ptr<SentinelLocator> sentinels)
        : sentinels_(std::move(sentinels)) {}
    void locate(std::function<void(Result<Endpoint>)> done) override;
    std::string describe() const override { return "the sentinels"; }

  private:
    std::shared_ptr<SentinelLocator> sentinels_;
    size_t next_ = 0;
};

struct SentinelClientOptions {
    std::chrono::milliseconds timeout{2000};          // a command's deadline
    std::chrono::milliseconds sentinelTimeout{2000};  // a sentinel's answer
    std::vector<Endpoint> sentinels;
    std::string masterName;
    Credentials sentinelCredentials;
    Credentials masterCredentials;
    int db = 0;
    std::string metricsStore;  // NodeClientOptions::metricsStore of the master's commands
};

class SentinelClient : public RedisClient {
  public:
    SentinelClient(event::Dispatcher& dispatcher, SentinelClientOptions options);
    ~SentinelClient() override;

    void start() override;
    void stop() override;
    State state() const override { return node_.state(); }
    void setHandshake(std::function<std::vector<Command>()> handshake) override {
        node_.setHandshake(std::move(handshake));
    }
    void command(Command command, ReplyCallback done) override {
        node_.command(std::move(command), std::move(done));
    }
    void pipeline(std::vector<Command> commands, PipelineCallback done) override {
        node_.pipeline(std::move(commands), std::move(done));
    }
    // Subscribes on the current master (a new master after a failover).
    std::unique_ptr<RedisSubscription> subscribe(std::vector<std::string> channels,
                                                 MessageHandler onMessage) override {
        return node_.subscribe(std::move(channels), std::move(onMessage));
    }

    // The master of the current connection (tests); empty when there is none.
    Endpoint master() const { return node_.endpoint(); }
    bool watching() const { return watch_ && watch_->active(); }
    // The sentinels in the order they are asked (the last that answered first).
    std::vector<Endpoint> sentinels() const { return locator_->sentinels(); }

  private:
    void onSentinelEvent(const std::string& channel, std::string_view payload);

    event::Dispatcher& dispatcher_;
    std::shared_ptr<SentinelLocator> locator_;
    NodeClient node_;
    std::unique_ptr<RedisSubscription> watch_;
    std::chrono::milliseconds sentinelTimeout_;
};

}  // namespace zaqard::storage::redis
