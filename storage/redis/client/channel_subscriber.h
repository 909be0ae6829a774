// A SUBSCRIBE on a connection of its own: a subscribed connection gets a reply per
// published message, not one per command, so it cannot share HiredisSession's FIFO.
// Connects where the Locator says (with AUTH), subscribes to its channels, and after
// every loss reconnects (backoff 100 ms doubling to 2 s) and subscribes again.
// Used for RedisClient::subscribe() and for the Sentinel client's +switch-master watch.
//
// Channels may be added and removed while it runs (RedisSubscription::add/remove). Each
// channel of the current connection is Subscribing (SUBSCRIBE sent), Subscribed
// (confirmed) or Unsubscribing (UNSUBSCRIBE sent). A channel added again while its
// UNSUBSCRIBE is unconfirmed is subscribed once the confirmation came: hiredis 0.14 keeps
// one callback per channel name and deletes it on the "unsubscribe" reply, so a SUBSCRIBE
// sent before that reply would lose its callback.
#pragma once

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "src/event/dispatcher.h"
#include "storage/redis/client/endpoint.h"
#include "storage/redis/client/redis_client.h"

struct redisAsyncContext;

namespace zaqard::storage::redis {

class TlsRelay;

class ChannelSubscriber : public RedisSubscription {
  public:
    ChannelSubscriber(event::Dispatcher& dispatcher, std::shared_ptr<Locator> locator,
                      Credentials credentials, std::chrono::milliseconds timeout,
                      std::vector<std::string> channels, MessageHandler onMessage,
                      std::string name);
    ~ChannelSubscriber() override;
    ChannelSubscriber(const ChannelSubscriber&) = delete;
    ChannelSubscriber& operator=(const ChannelSubscriber&) = delete;

    void start();
    void stop();
    // Every wanted channel is confirmed on the current connection.
    bool active() const override;
    void add(const std::string& channel) override;
    void remove(const std::string& channel) override;
    bool subscribed(const std::string& channel) const override;
    void setOnSubscribed(std::function<void(const std::string& channel)> handler) override {
        onSubscribed_ = std::move(handler);
    }

  private:
    static void onConnect(const redisAsyncContext* ctx, int status);
    static void onDisconnect(const redisAsyncContext* ctx, int status);
    static void onAuth(redisAsyncContext* ctx, void* reply, void* privdata);
    static void onMessage(redisAsyncContext* ctx, void* reply, void* privdata);
    void connect();
    void open(const Endpoint& endpoint);
    void lost(const std::string& why);
    void drop(const std::string& why);
    void scheduleReconnect();
    void sendSubscribe(const std::vector<std::string>& channels);
    void sendUnsubscribe(const std::string& channel);
    void onSubscribeReply(const std::string& channel);
    void onUnsubscribeReply(const std::string& channel);
    enum class ChannelState { Subscribing, Subscribed, Unsubscribing };

    event::Dispatcher& dispatcher_;
    std::shared_ptr<Locator> locator_;
    Credentials credentials_;
    std::chrono::milliseconds timeout_;
    std::set<std::string> wanted_;
    std::unordered_map<std::string, ChannelState> states_;  // of the current connection
    MessageHandler onMessage_;
    std::function<void(const std::string&)> onSubscribed_;
    std::string name_;
    std::unique_ptr<TlsRelay> relay_;  // rediss:// only: the TLS side of ctx_
    redisAsyncContext* ctx_ = nullptr;
    Endpoint endpoint_;
    event::TimerPtr reconnectTimer_;
    // Bounds the wait for the SUBSCRIBE confirmations; closes from a timer (never from
    // a hiredis callback) when AUTH fails.
    event::TimerPtr checkTimer_;
    std::chrono::milliseconds backoff_{0};
    bool running_ = false;
    bool locating_ = false;
    bool reportedDown_ = false;
    bool authFailed_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace zaqard::storage::redis
