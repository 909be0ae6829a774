// One shard: a thread that owns a Dispatcher and everything attached to it — the Redis
// driver, the api, the REST listener, the WebSocket listener and the notification engine
// (a consumer of the notification job streams). Built and bound on the main thread
// (so a bind failure stops start-up before anything runs), then run on its own thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "notifiers/notification_engine.h"
#include "src/api/api.h"
#include "src/api/waiters.h"
#include "src/auth/keystone_authenticator.h"
#include "src/auth/keystone_trusts.h"
#include "src/auth/rest_gate.h"
#include "src/config/config.h"
#include "src/event/dispatcher.h"
#include "src/runtime/redis_readiness.h"
#include "src/runtime/shard_storage.h"
#include "src/tls/server_tls.h"
#include "storage/sealing/sealing_stores.h"
#include "transports/http/http_server.h"
#include "transports/websocket/ws_transport.h"

namespace zaqard::runtime {

class Shard {
  public:
    // `tls`: the HTTPS/WSS context when [zaqard] ssl_cert_file is set (null: plain only).
    Shard(const config::Config& config, int index,
          std::shared_ptr<const api::policy::Policy> policy = nullptr,
          std::shared_ptr<tls::ServerTls> tls = nullptr);
    ~Shard();  // joins the thread if still running
    Shard(const Shard&) = delete;
    Shard& operator=(const Shard&) = delete;

    // Binds the REST and WebSocket listeners. False + `error` on failure.
    bool listen(std::string& error);
    // Starts the thread: the driver connects, the loop runs. `onRedisAnswered` runs on
    // the shard's thread once, when its storage first answered a PING (start-up
    // readiness); `onStopped` runs on the shard's thread once its loop has ended.
    void start(std::function<void()> onStopped, std::function<void()> onRedisAnswered = {});
    // Thread-safe. Graceful stop: stop accepting, wait (at most `drainTimeout`) for the
    // requests in flight, then stop the driver and the loop. A second call stops at once.
    void stop(std::chrono::milliseconds drainTimeout);
    void join();

  private:
    size_t inFlight() const;
    void beginDrain(std::chrono::milliseconds drainTimeout);
    void finish();

    const int index_;
    event::Dispatcher dispatcher_;
    // auth_strategy = keystone only (null otherwise); before the transports that use them.
    std::unique_ptr<auth::KeystoneAuthenticator> keystone_;
    std::unique_ptr<auth::RestAuthGate> restGate_;
    std::unique_ptr<auth::KeystoneTrusts> trusts_;  // keystone with [trustee] auth_url
    // Before driver_: destroyed after it, so a PING the driver answers while it goes
    // away still finds its probe.
    std::unique_ptr<RedisReadinessProbe> readiness_;
    ShardStorage driver_;
    // Encryption at rest between the api and the driver (docs/security.md).
    storage::SealingStores sealing_;
    api::Waiters waiters_;  // long polling; before the api that uses it
    api::Api api_;
    http::HttpServer http_;
    websocket::WebSocketTransport websocket_;
    notifiers::NotificationEngine notifications_;
    std::thread thread_;
    // Loop-thread state.
    event::TimerPtr drainTimer_;
    event::TimerPtr logFlushTimer_;
    int64_t drainDeadline_ = 0;
    bool draining_ = false;
    bool finished_ = false;
};

}  // namespace zaqard::runtime
