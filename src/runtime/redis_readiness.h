// Start-up readiness of one shard: PINGs its storage (the health store: the message
// store's Redis, or the management store's with pooling) until one answers, then calls
// `onAnswered` once. The process tells systemd it is ready (READY=1) only when every
// shard's probe answered, so `systemctl start` returns when zaqard can serve.
#pragma once

#include <functional>

#include "src/event/dispatcher.h"
#include "storage/storage.h"

namespace zaqard::runtime {

class RedisReadinessProbe {
  public:
    RedisReadinessProbe(event::Dispatcher& dispatcher, storage::HealthStore& health, int shard,
                        std::function<void()> onAnswered);
    // Loop thread only.
    void start();
    // No further PING, no call to onAnswered (a ping in flight is ignored when it answers).
    void stop();

  private:
    void ping();

    event::Dispatcher& dispatcher_;
    storage::HealthStore& health_;
    const int shard_;
    std::function<void()> onAnswered_;
    event::TimerPtr retry_;
    bool stopped_ = false;
    bool answered_ = false;
    bool warned_ = false;
};

}  // namespace zaqard::runtime
