#include "src/runtime/shard.h"

#include <unistd.h>

#include <climits>

#include "src/common/clock.h"
#include "src/common/log.h"
#include "src/metrics/registry.h"
#include "src/runtime/redis_options.h"

namespace zaqard::runtime {

namespace {
// How often a draining shard looks at its requests in flight.
constexpr std::chrono::milliseconds kDrainPoll{20};
// How long an access-log line may wait in this thread's buffer (log::access).
constexpr std::chrono::milliseconds kLogFlush{100};

// This shard's name in the notifiers' consumer group: unique per process and shard.
std::string consumerName(int index) {
    char host[HOST_NAME_MAX + 1] = {};
    if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
    return std::string(host) + ":" + std::to_string(getpid()) + ":" + std::to_string(index);
}
}  // namespace

Shard::Shard(const config::Config& config, int index,
             std::shared_ptr<const api::policy::Policy> policy, std::shared_ptr<tls::ServerTls> tls)
    : index_(index),
      driver_(dispatcher_, config, /*sweep=*/index == 0),
      sealing_(driver_.storage(),
               std::make_shared<const MessageCipher>(config.message_encryption_key)),
      waiters_(dispatcher_, driver_.storage().messages),
      api_(config, sealing_.storage(), std::move(policy)),
      http_(dispatcher_, config, api_),
      websocket_(dispatcher_, config, api_),
      notifications_(
          dispatcher_, config, driver_.storage().notifications,
          [this](const std::string& connectionId, const Json& frame,
                 std::function<void(bool)> done) {
              websocket_.push(connectionId, frame, std::move(done));
          },
          consumerName(index), /*poll=*/index == 0) {
    api_.setWaiters(&waiters_);
    driver_.setNotificationHandler([this](const std::string& tag) { notifications_.wake(tag); });
    if (tls) {
        if (config.ssl_port >= 0) http_.setTls(tls);
        if (config.ssl_websocket_port >= 0)
            websocket_.server().setTls(tls, config.ssl_websocket_port);
    }
    if (config.auth_strategy == "keystone") {
        keystone_ = std::make_unique<auth::KeystoneAuthenticator>(dispatcher_, config.keystone);
        restGate_ = std::make_unique<auth::RestAuthGate>(*keystone_, config.keystone);
        http_.setAuthGate(restGate_.get());
        websocket_.setAuthenticator(keystone_.get());
        if (!config.trustee_options.auth_url.empty()) {
            trusts_ = std::make_unique<auth::KeystoneTrusts>(dispatcher_, config.trustee_options,
                                                             config.keystone);
            api_.setTrustMaker([this](const api::TrustRequest& request,
                                      std::function<void(Result<std::string>)> done) {
                trusts_->create(request, std::move(done));
            });
            notifications_.setTrustTokens(
                [this](const std::string& trustId, bool fresh,
                       std::function<void(notifiers::NotificationEngine::TrustToken)> done) {
                    trusts_->token(trustId, fresh, [done = std::move(done)](auth::TrustToken t) {
                        using Status = notifiers::NotificationEngine::TrustToken::Status;
                        Status status = t.status == auth::TrustTokenStatus::Ok ? Status::Ok
                                        : t.status == auth::TrustTokenStatus::Refused
                                            ? Status::Refused
                                            : Status::Unavailable;
                        done({status, std::move(t.token), std::move(t.reason)});
                    });
                });
        }
    }
}

Shard::~Shard() {
    join();
}

bool Shard::listen(std::string& error) {
    return http_.listen(error) && websocket_.listen(error);
}

size_t Shard::inFlight() const {
    return http_.inFlight() + websocket_.inFlight();
}

void Shard::start(std::function<void()> onStopped, std::function<void()> onRedisAnswered) {
    readiness_ = std::make_unique<RedisReadinessProbe>(dispatcher_, driver_.storage().health,
                                                       index_, std::move(onRedisAnswered));
    thread_ = std::thread([this, onStopped = std::move(onStopped)] {
        log::setThreadShard(index_);
        metrics::setThreadShard(index_);
        driver_.start();
        notifications_.start();
        readiness_->start();
        logFlushTimer_ = dispatcher_.createTimer([this] {
            log::flushThread();
            logFlushTimer_->enable(kLogFlush);
        });
        logFlushTimer_->enable(kLogFlush);
        dispatcher_.run();
        drainTimer_.reset();
        logFlushTimer_.reset();
        readiness_->stop();
        log::flushThread();
        if (onStopped) onStopped();
    });
}

void Shard::stop(std::chrono::milliseconds drainTimeout) {
    dispatcher_.post([this, drainTimeout] {
        if (draining_) {
            log::warning("shard " + std::to_string(index_) + ": stopping now, " +
                         std::to_string(inFlight()) + " request(s) unanswered");
            finish();
        } else {
            beginDrain(drainTimeout);
        }
    });
}

void Shard::beginDrain(std::chrono::milliseconds drainTimeout) {
    draining_ = true;
    http_.stopAccepting();
    websocket_.stopAccepting();
    // Long polls answer now (with what a last look finds) instead of at their deadline.
    waiters_.finishAll();
    drainDeadline_ = monotonicMicros() + drainTimeout.count() * 1000;
    drainTimer_ = dispatcher_.createTimer([this] {
        if (inFlight() == 0) {
            finish();
        } else if (monotonicMicros() >= drainDeadline_) {
            log::warning("shard " + std::to_string(index_) + ": drain timed out with " +
                         std::to_string(inFlight()) + " request(s) in flight");
            finish();
        } else {
            drainTimer_->enable(kDrainPoll);
        }
    });
    drainTimer_->enable(std::chrono::milliseconds(0));
}

void Shard::finish() {
    if (finished_) return;
    finished_ = true;
    if (drainTimer_) drainTimer_->disable();
    notifications_.stop();
    readiness_->stop();
    // Pending storage calls fail with Unavailable: their clients get a 503, not silence.
    driver_.stop();
    dispatcher_.exit();
}

void Shard::join() {
    if (thread_.joinable()) thread_.join();
}

}  // namespace zaqard::runtime
