// The notification engine of one shard: reads delivery jobs from the per-queue Redis
// streams (a consumer in the group shared by every shard of every process), delivers
// each to every subscription of the queue (webhook, e-mail, WebSocket connection),
// records retries, held deliveries and dead letters through storage::NotificationStore,
// and acknowledges a job only once each of its deliveries is done or recorded. So a
// process that dies mid-delivery loses nothing: its jobs are taken over by another
// consumer (XAUTOCLAIM) and its leased retries come due again. docs/notifications.md
// describes the guarantees.
//
// Loop rules: everything runs on the shard's dispatcher thread; storage, webhook and
// e-mail callbacks hold a weak "alive" token, so none runs into a destroyed engine.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "notifiers/delivery_outcome.h"
#include "notifiers/email_sender.h"
#include "notifiers/webhook_client.h"
#include "src/common/json.h"
#include "src/common/message_cipher.h"
#include "src/config/config.h"
#include "src/event/dispatcher.h"
#include "storage/storage.h"

namespace zaqard::notifiers {

class NotificationEngine {
  public:
    // Sends a bare notification frame to a WebSocket connection; `done(true)` when a
    // listener took it.
    using Push = std::function<void(const std::string& connectionId, const Json& frame,
                                    std::function<void(bool)> done)>;

    // `consumer`: this shard's unique name in the consumer group. `poll`: whether this
    // shard also polls the registry (one shard per process is enough: the others only
    // handle the jobs of the posts they stored, which wake them directly).
    NotificationEngine(event::Dispatcher& dispatcher, const config::Config& config,
                       storage::NotificationStore& store, Push push, std::string consumer,
                       bool poll = true);
    ~NotificationEngine();
    NotificationEngine(const NotificationEngine&) = delete;
    NotificationEngine& operator=(const NotificationEngine&) = delete;

    // Starts polling the registry; a no-op unless notifications are enabled.
    void start();
    // Stops polling and abandons deliveries in flight (their jobs stay pending in Redis
    // and are taken over by another consumer).
    void stop();
    // Jobs were recorded for `tag` on this shard: read them now.
    void wake(const std::string& tag);

    size_t deliveriesInFlight() const { return inFlight_; }

    // trust+http(s) subscriptions with a trust_id option (docs/security.md): a
    // trust-scoped Keystone token for that trust, sent as X-Auth-Token. Refused (the trust
    // is gone) dead-letters the delivery with the reason; Unavailable retries it.
    struct TrustToken {
        enum class Status { Ok, Refused, Unavailable } status = Status::Unavailable;
        std::string token;
        std::string reason;
    };
    // `fresh`: not from a cache (the receiver refused the cached one with 401: a deleted
    // trust revokes its tokens, so a new one is asked for, and refused).
    using TrustTokens = std::function<void(const std::string& trustId, bool fresh,
                                           std::function<void(TrustToken)> done)>;
    void setTrustTokens(TrustTokens tokens) { trustTokens_ = std::move(tokens); }

  private:
    struct Delivery;
    struct Job;
    struct TagState {
        bool fetching = false;
        bool again = false;
        std::unordered_set<std::string> jobs;     // job ids being handled here
        std::unordered_set<std::string> records;  // retry record ids being handled here
    };

    void poll();
    void fetch(const std::string& tag);
    void process(storage::NotificationBatch batch);
    void startJob(const storage::NotificationBatch& batch, const storage::NotificationJob& job);
    void startRetry(const storage::NotificationBatch& batch, const storage::PendingRecord& record);
    void attempt(std::shared_ptr<Delivery> delivery);
    void onOutcome(std::shared_ptr<Delivery> delivery, DeliveryOutcome outcome,
                   const std::string& error);
    void deadLetter(std::shared_ptr<Delivery> delivery, const std::string& reason);
    void hold(std::shared_ptr<Delivery> delivery);
    void settled(std::shared_ptr<Delivery> delivery, bool recorded);
    EmailSender* emailSender();
    int64_t redisNowMs(const Delivery& delivery) const;

    event::Dispatcher& dispatcher_;
    const config::Config& config_;
    // Opens bodies of encrypted queues: job streams and retry records keep them sealed.
    MessageCipher cipher_;
    storage::NotificationStore& store_;
    Push push_;
    std::string consumer_;
    std::shared_ptr<bool> alive_;
    WebhookClient webhook_;
    std::unique_ptr<EmailSender> email_;
    bool emailBroken_ = false;
    event::TimerPtr pollTimer_;
    std::unordered_map<std::string, TagState> tags_;
    std::unordered_set<std::string> starved_;  // fetches skipped while too busy
    size_t inFlight_ = 0;
    int64_t lastRegistry_ = 0;
    bool running_ = false;
    bool poll_ = true;
    TrustTokens trustTokens_;  // unset: trust+ subscribers are plain webhooks
};

}  // namespace zaqard::notifiers
