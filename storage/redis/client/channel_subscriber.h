// A SUBSCRIBE on a connection of its own: a subscribed connection gets a reply per
// published message, not one per command, so it cannot share HiredisSession's FIFO.
// Connects where the Locator says (with AUTH), subscribes to its channels, and after
// every loss reconnects (backoff 100 ms doubling to 2 s) and subscribes again.
// Used for RedisClient::subscribe() and for the Sentinel client's +switch-master watch.
#pragma once

#include <chrono>
#include <memory>
#include <string>
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
    bool active() const override { return subscribed_ == channels_.size() && ctx_ != nullptr; }

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

    event::Dispatcher& dispatcher_;
    std::shared_ptr<Locator> locator_;
    Credentials credentials_;
    std::chrono::milliseconds timeout_;
    std::vector<std::string> channels_;
    MessageHandler onMessage_;
    std::string name_;
    std::unique_ptr<TlsRelay> relay_;  // rediss:// only: the TLS side of ctx_
    redisAsyncContext* ctx_ = nullptr;
    Endpoint endpoint_;
    event::TimerPtr reconnectTimer_;
    // Bounds the wait for the SUBSCRIBE confirmations; closes from a timer (never from
    // a hiredis callback) when AUTH fails.
    event::TimerPtr checkTimer_;
    std::chrono::milliseconds backoff_{0};
    size_t subscribed_ = 0;
    bool running_ = false;
    bool locating_ = false;
    bool reportedDown_ = false;
    bool authFailed_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace zaqard::storage::redis
