// NotificationEngine: jobs and retries in, deliveries out; see notification_engine.h.
#include "notifiers/notification_engine.h"

#include <algorithm>

#include "notifiers/confirmation_gate.h"
#include "notifiers/email_message.h"
#include "notifiers/filter_policy.h"
#include "notifiers/payload.h"
#include "notifiers/retry_policy.h"
#include "notifiers/webhook_request.h"
#include "src/common/clock.h"
#include "src/common/log.h"
#include "src/common/uuid.h"
#include "src/metrics/record.h"

namespace zaqard::notifiers {

namespace {

// Jobs and due retries read per queue per fetch (each job fans out to every subscriber).
constexpr int64_t kFetchCount = 16;
// Beyond this many deliveries in flight a shard stops taking work (other shards and
// processes take it instead); jobs wait in Redis meanwhile. Kept modest: curl's multi
// handle walks its queue of waiting transfers, so a huge backlog there costs CPU.
constexpr size_t kMaxInFlight = 256;
// The registry is re-read at most this often.
constexpr int64_t kRegistryRefreshMicros = 2'000'000;

std::chrono::milliseconds millis(double seconds, int64_t fallback) {
    auto ms = static_cast<int64_t>(seconds * 1000);
    return std::chrono::milliseconds(ms > 0 ? ms : fallback);
}

std::string field(const storage::NotificationJob& job, const char* name) {
    for (const auto& [key, value] : job.fields)
        if (key == name) return value;
    return "";
}

int64_t toInt(const std::string& text) {
    try {
        return text.empty() ? 0 : std::stoll(text);
    } catch (...) {
        return 0;
    }
}

std::string schemeOf(const std::string& uri) {
    auto colon = uri.find(':');
    std::string scheme = colon == std::string::npos ? "" : uri.substr(0, colon);
    std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return scheme;
}

// The `kind` label of a delivery's metrics: the channel attempt() picks.
metrics::DeliveryKind deliveryKind(const storage::Subscription& sub) {
    if (!sub.connectionId.empty()) return metrics::DeliveryKind::WebSocket;
    std::string scheme = schemeOf(sub.subscriber);
    if (scheme == "http" || scheme == "https" || scheme == "trust+http" || scheme == "trust+https")
        return metrics::DeliveryKind::Webhook;
    if (scheme == "mailto") return metrics::DeliveryKind::Email;
    return metrics::DeliveryKind::Other;
}

}  // namespace

// One payload for one subscription: the first attempt of a job, or a stored retry.
struct NotificationEngine::Delivery {
    std::string tag;
    storage::QueueRef queue;
    storage::Subscription subscription;
    Json queuePolicy;          // the queue's _retry_policy (may be null)
    std::shared_ptr<Job> job;  // set for first attempts
    std::string recordId;      // set once a retry record exists
    // The record's content (engine-owned JSON): kind "p" (notification) or "c"
    // (confirmation), the message or confirmation data, the retries done so far.
    Json record;
    int64_t batchNowMs = 0;      // Redis time of the fetch that produced it
    int64_t batchMonotonic = 0;  // local monotonic time of that fetch (µs)
    std::string lastError;
};

// A stream entry being handled: acknowledged once every delivery is settled, unless a
// record could not be written (then another consumer takes the job over later).
struct NotificationEngine::Job {
    std::string tag;
    std::string id;
    size_t pending = 0;
    bool failed = false;
};

NotificationEngine::NotificationEngine(event::Dispatcher& dispatcher, const config::Config& config,
                                       storage::NotificationStore& store, Push push,
                                       std::string consumer, bool poll)
    : dispatcher_(dispatcher),
      config_(config),
      cipher_(config.message_encryption_key),
      store_(store),
      push_(std::move(push)),
      consumer_(std::move(consumer)),
      alive_(std::make_shared<bool>(true)),
      webhook_(dispatcher, WebhookOptions{}),
      poll_(poll) {}

NotificationEngine::~NotificationEngine() {
    *alive_ = false;
}

void NotificationEngine::start() {
    if (!config_.notificationsEnabled() || running_) return;
    running_ = true;
    if (!poll_) return;
    pollTimer_ = dispatcher_.createTimer([this] { poll(); });
    pollTimer_->enable(std::chrono::milliseconds(0));
}

void NotificationEngine::stop() {
    running_ = false;
    if (pollTimer_) pollTimer_->disable();
}

void NotificationEngine::wake(const std::string& tag) {
    if (!running_) return;
    fetch(tag);
}

void NotificationEngine::poll() {
    if (!running_) return;
    int64_t now = monotonicMicros();
    auto interval = millis(config_.notification_poll_interval, 500);
    if (now - lastRegistry_ >= kRegistryRefreshMicros || tags_.empty()) {
        lastRegistry_ = now;
        std::weak_ptr<bool> alive = alive_;
        store_.registry([this, alive](Result<std::vector<std::string>> tags) {
            if (alive.expired() || !*alive.lock() || !running_) return;
            if (!tags) return;
            for (const auto& tag : tags.value()) fetch(tag);
        });
    } else {
        for (auto& [tag, state] : tags_) fetch(tag);
    }
    pollTimer_->enable(interval);
}

void NotificationEngine::fetch(const std::string& tag) {
    TagState& state = tags_[tag];
    if (state.fetching) {
        state.again = true;
        return;
    }
    if (inFlight_ >= kMaxInFlight) {
        starved_.insert(tag);
        return;
    }
    state.fetching = true;
    int64_t idle = millis(config_.notification_claim_idle, 60000).count();
    std::weak_ptr<bool> alive = alive_;
    store_.fetch(tag, consumer_, kFetchCount, idle, idle,
                 [this, alive, tag](Result<storage::NotificationBatch> batch) {
                     if (alive.expired() || !*alive.lock()) return;
                     TagState& state = tags_[tag];
                     state.fetching = false;
                     if (!running_) return;
                     bool more = state.again;
                     state.again = false;
                     if (batch) {
                         more = more || static_cast<int64_t>(batch->jobs.size()) >= kFetchCount ||
                                static_cast<int64_t>(batch->retries.size()) >= kFetchCount;
                         process(std::move(batch.value()));
                     }
                     if (more)
                         dispatcher_.defer([this, alive, tag] {
                             if (!alive.expired() && *alive.lock()) wake(tag);
                         });
                 });
}

void NotificationEngine::process(storage::NotificationBatch batch) {
    for (const auto& job : batch.jobs) startJob(batch, job);
    for (const auto& record : batch.retries) startRetry(batch, record);
}

void NotificationEngine::startJob(const storage::NotificationBatch& batch,
                                  const storage::NotificationJob& entry) {
    TagState& state = tags_[batch.tag];
    // Reclaimed while still being handled here (a slow delivery outlived the idle time).
    if (!state.jobs.insert(entry.id).second) return;
    auto job = std::make_shared<Job>();
    job->tag = batch.tag;
    job->id = entry.id;

    Json record = Json::object();
    std::string kind = field(entry, "k");
    record.set("k", Json::string(kind));
    record.set("a", Json::integer(0));
    record.set("j", Json::string(entry.id));
    std::string only;  // a confirmation goes to one subscription
    if (kind == "p") {
        record.set("t", Json::integer(toInt(field(entry, "t"))));
        record.set("m", Json::string(field(entry, "i")));
        record.set("l", Json::integer(toInt(field(entry, "l"))));
        std::string delay = field(entry, "d");
        record.set("d", delay.empty() ? Json::null() : Json::integer(toInt(delay)));
        record.set("b", Json::string(field(entry, "b")));
        record.set("q", Json::string(field(entry, "q")));  // the posting request's id
    } else if (kind == "c") {
        only = field(entry, "s");
        record.set("t", Json::integer(batch.nowMs));
        record.set("y", Json::string(field(entry, "y")));
        record.set("g", Json::string(field(entry, "g")));
        record.set("p", Json::string(field(entry, "p")));
        record.set("e", Json::string(field(entry, "e")));
    }

    std::vector<std::shared_ptr<Delivery>> deliveries;
    std::vector<std::shared_ptr<Delivery>> held;
    // The body is parsed once per job, and only when some subscription filters.
    Json body;
    bool bodyParsed = false;
    if (kind == "p" || kind == "c") {
        for (const auto& sub : batch.subscriptions) {
            if (!only.empty() && sub.id != only) continue;
            // WebSocket subscriptions never get a confirmation request.
            if (kind == "c" && !sub.connectionId.empty()) continue;
            // A notification its filter policy does not match is not this subscriber's:
            // counted, neither delivered nor dead-lettered (docs/api.md "Filter policies").
            const json_t* filter = sub.options.at("filter_policy");
            if (kind == "p" && json_is_object(filter)) {
                if (!bodyParsed) {
                    body = parseJsonValue(field(entry, "b"));
                    bodyParsed = true;
                }
                if (!matchesFilterPolicy(filter, body.get())) {
                    metrics::notificationFiltered(deliveryKind(sub));
                    continue;
                }
            }
            Gate gate = kind == "p" ? confirmationGate(sub, entry.id,
                                                       config_.notification.require_confirmation)
                                    : Gate::Deliver;
            if (gate == Gate::Skip) continue;
            auto delivery = std::make_shared<Delivery>();
            delivery->tag = batch.tag;
            delivery->queue = batch.queue;
            delivery->subscription = sub;
            delivery->queuePolicy = Json::borrow(batch.queueMetadata.at("_retry_policy"));
            delivery->job = job;
            delivery->record = Json::adopt(json_deep_copy(record.get()));
            delivery->record.set("s", Json::string(sub.id));
            delivery->batchNowMs = batch.nowMs;
            delivery->batchMonotonic = monotonicMicros();
            (gate == Gate::Hold ? held : deliveries).push_back(std::move(delivery));
        }
    }
    job->pending = deliveries.size() + held.size();
    if (job->pending == 0) {
        auto tag = batch.tag;
        std::weak_ptr<bool> alive = alive_;
        store_.ack(tag, entry.id, [this, alive, tag, id = entry.id](Status) {
            if (alive.expired() || !*alive.lock()) return;
            tags_[tag].jobs.erase(id);
        });
        return;
    }
    inFlight_ += job->pending;
    for (auto& delivery : held) hold(delivery);
    for (auto& delivery : deliveries) attempt(delivery);
}

void NotificationEngine::startRetry(const storage::NotificationBatch& batch,
                                    const storage::PendingRecord& pending) {
    TagState& state = tags_[batch.tag];
    if (!state.records.insert(pending.id).second) return;
    auto delivery = std::make_shared<Delivery>();
    delivery->tag = batch.tag;
    delivery->queue = batch.queue;
    delivery->recordId = pending.id;
    delivery->record = parseJsonValue(pending.record);
    delivery->queuePolicy = Json::borrow(batch.queueMetadata.at("_retry_policy"));
    delivery->batchNowMs = batch.nowMs;
    delivery->batchMonotonic = monotonicMicros();
    ++inFlight_;
    const json_t* sid = delivery->record ? delivery->record.at("s") : nullptr;
    const storage::Subscription* found = nullptr;
    for (const auto& sub : batch.subscriptions)
        if (json_is_string(sid) && sub.id == json_string_value(sid)) found = &sub;
    auto text = [&delivery](const char* key) {
        const json_t* v = delivery->record.at(key);
        return json_is_string(v) ? std::string(json_string_value(v)) : std::string();
    };
    // No subscription (deleted or expired): nobody to deliver to any more. A notification
    // posted before the latest confirmation (it was unsubscribed meanwhile) is dropped too.
    Gate gate = Gate::Skip;
    if (found != nullptr) {
        delivery->subscription = *found;
        gate = text("k") == "p"
                   ? confirmationGate(*found, text("j"), config_.notification.require_confirmation)
                   : Gate::Deliver;
    }
    if (gate == Gate::Skip) {
        std::weak_ptr<bool> alive = alive_;
        return store_.finishRetry(batch.tag, pending.id, [this, alive, delivery](Status) {
            if (alive.expired() || !*alive.lock()) return;
            settled(delivery, true);
        });
    }
    if (gate == Gate::Hold) return hold(delivery);
    attempt(delivery);
}

int64_t NotificationEngine::redisNowMs(const Delivery& delivery) const {
    return delivery.batchNowMs + (monotonicMicros() - delivery.batchMonotonic) / 1000;
}

EmailSender* NotificationEngine::emailSender() {
    if (email_ || emailBroken_) return email_.get();
    auto options = emailSenderOptions(config_.notification);
    if (!options) {
        emailBroken_ = true;
        log::error("notifications: e-mail disabled: " + options.error().message);
        return nullptr;
    }
    // A few workers per shard: e-mail is rare next to webhooks.
    options->workers = std::min<size_t>(options->workers, 2);
    email_ = std::make_unique<EmailSender>(std::move(options.value()));
    return email_.get();
}

void NotificationEngine::attempt(std::shared_ptr<Delivery> delivery) {
    const Json& record = delivery->record;
    const storage::Subscription& sub = delivery->subscription;
    std::string kind = json_is_string(record.at("k")) ? json_string_value(record.at("k")) : "";
    auto text = [&record](const char* key) {
        const json_t* v = record.at(key);
        return json_is_string(v) ? std::string(json_string_value(v)) : std::string();
    };

    Json payload;
    ConfirmationInput confirmation;
    if (kind == "p") {
        NotificationInput input;
        input.ttl = json_integer_value(record.at("l"));
        auto body = cipher_.reveal(text("b"));
        if (!body)
            return onOutcome(delivery, DeliveryOutcome::GiveUp,
                             "the message body does not decrypt (tampered, or sealed under "
                             "another [transport] message_encryption_key)");
        input.body = parseJsonValue(*body);
        if (!input.body) input.body = Json::null();
        if (json_is_integer(record.at("d"))) input.delay = json_integer_value(record.at("d"));
        input.queueName = delivery->queue.name;
        input.topic = delivery->queue.kind == storage::ResourceKind::Topic;
        payload = notificationPayload(input);
    } else if (kind == "c") {
        confirmation.kind =
            text("y") == "u" ? ConfirmationKind::Unsubscribe : ConfirmationKind::Subscribe;
        confirmation.queueName = delivery->queue.name;
        confirmation.topic = delivery->queue.kind == storage::ResourceKind::Topic;
        confirmation.signature = text("g");
        confirmation.paths = text("p");
        confirmation.projectId = delivery->queue.project;
        confirmation.expires = text("e");
        payload = confirmationPayload(confirmation);
    } else {
        return onOutcome(delivery, DeliveryOutcome::GiveUp, "unknown job kind");
    }

    std::weak_ptr<bool> alive = alive_;
    auto finish = [this, alive, delivery](DeliveryOutcome outcome, const std::string& error) {
        if (alive.expired() || !*alive.lock()) return;
        onOutcome(delivery, outcome, error);
    };

    if (!sub.connectionId.empty()) {
        if (!push_) return finish(DeliveryOutcome::GiveUp, "no WebSocket transport");
        return push_(sub.connectionId, payload, [finish](bool received) {
            finish(received ? DeliveryOutcome::Success : DeliveryOutcome::GiveUp,
                   received ? "" : "the connection's listener is gone");
        });
    }

    std::string scheme = schemeOf(sub.subscriber);
    if (scheme == "http" || scheme == "https" || scheme == "trust+http" ||
        scheme == "trust+https") {
        WebhookDelivery webhook;
        webhook.subscriber = sub.subscriber;
        webhook.options = sub.options.get();
        webhook.payload = payload;
        const json_t* secret = sub.options.at("signing_secret");
        if (json_is_string(secret)) webhook.signingSecret = json_string_value(secret);
        webhook.deliveryId = text("j") + "/" + sub.id;
        webhook.requestId = text("q");
        webhook.timestamp = redisNowMs(*delivery) / 1000;
        auto send = [this, finish](const WebhookDelivery& webhook,
                                   std::function<bool(const WebhookResult&)> intercept) {
            webhook_.post(
                buildWebhookRequest(webhook), [finish, intercept](const WebhookResult& result) {
                    if (intercept && intercept(result)) return;
                    std::string error = result.curlCode != CURLE_OK
                                            ? result.error
                                            : "HTTP status " + std::to_string(result.httpStatus);
                    finish(classifyWebhookResult(result), error);
                });
        };
        const json_t* trustId = sub.options.at("trust_id");
        if (scheme.rfind("trust+", 0) == 0 && trustTokens_ && json_is_string(trustId)) {
            // With a token: first a cached one; a 401 from the receiver asks Keystone again
            // once (a revoked trust then answers Refused).
            auto withToken = std::make_shared<std::function<void(bool)>>();
            *withToken = [this, alive, delivery, finish, send, webhook,
                          id = std::string(json_string_value(trustId)),
                          weak = std::weak_ptr<std::function<void(bool)>>(withToken)](bool fresh) {
                // `delivery` keeps sub.options (which webhook.options points into) alive;
                // the pending callbacks hold this closure (it holds itself only weakly).
                auto self = weak.lock();
                trustTokens_(
                    id, fresh,
                    [alive, delivery, finish, send, webhook, fresh, self](TrustToken t) mutable {
                        if (alive.expired() || !*alive.lock()) return;
                        if (t.status == TrustToken::Status::Refused)
                            return finish(DeliveryOutcome::GiveUp, t.reason);
                        if (t.status != TrustToken::Status::Ok)
                            return finish(DeliveryOutcome::Retry, t.reason);
                        webhook.trustToken = std::move(t.token);
                        send(webhook, [fresh, again = self](const WebhookResult& result) {
                            if (fresh || !again || result.curlCode != CURLE_OK ||
                                result.httpStatus != 401)
                                return false;
                            (*again)(true);
                            return true;
                        });
                    });
            };
            return (*withToken)(false);
        }
        return send(webhook, nullptr);
    }
    if (scheme == "mailto") {
        std::optional<EmailMessage> message;
        if (kind == "p") {
            message = notificationEmail(sub.subscriber, sub.options.get(), payload);
        } else {
            const auto& templ = confirmation.kind == ConfirmationKind::Subscribe
                                    ? config_.notification.subscription_confirmation_email_template
                                    : config_.notification.unsubscribe_confirmation_email_template;
            message = confirmationEmail(sub.subscriber, confirmation, templ,
                                        config_.notification.external_confirmation_url);
        }
        if (!message) return finish(DeliveryOutcome::GiveUp, "no e-mail could be built");
        EmailSender* sender = emailSender();
        if (!sender) return finish(DeliveryOutcome::GiveUp, "e-mail is not configured");
        return sender->send(std::move(*message), dispatcher_, [finish](const EmailResult& result) {
            finish(result.outcome, result.error);
        });
    }
    finish(DeliveryOutcome::GiveUp, "unsupported subscriber scheme '" + scheme + "'");
}

void NotificationEngine::onOutcome(std::shared_ptr<Delivery> delivery, DeliveryOutcome outcome,
                                   const std::string& error) {
    delivery->lastError = error;
    std::weak_ptr<bool> alive = alive_;
    if (outcome == DeliveryOutcome::Success) {
        const auto kind = deliveryKind(delivery->subscription);
        metrics::delivery(kind, metrics::DeliveryOutcome::Delivered);
        // A notification's "t" is its message's post time (Redis ms); a confirmation's is
        // only when it was fetched.
        const json_t* k = delivery->record.at("k");
        if (json_is_string(k) && std::string_view(json_string_value(k)) == "p")
            metrics::deliveryLag(
                kind, redisNowMs(*delivery) - json_integer_value(delivery->record.at("t")));
        if (delivery->recordId.empty()) return settled(delivery, true);
        return store_.finishRetry(delivery->tag, delivery->recordId,
                                  [this, alive, delivery](Status done) {
                                      if (alive.expired() || !*alive.lock()) return;
                                      settled(delivery, done.ok());
                                  });
    }
    if (outcome == DeliveryOutcome::GiveUp) return deadLetter(delivery, error);

    const json_t* options = delivery->subscription.options.get();
    RetryPolicy policy =
        selectRetryPolicy(json_object_get(options, "_retry_policy"), delivery->queuePolicy.get());
    uint64_t done = static_cast<uint64_t>(json_integer_value(delivery->record.at("a")));
    auto delay = policy.delayBeforeRetry(done);
    if (!delay) return deadLetter(delivery, "retries exhausted; last error: " + error);
    delivery->record.set("a", Json::integer(static_cast<int64_t>(done + 1)));
    metrics::delivery(deliveryKind(delivery->subscription), metrics::DeliveryOutcome::Retried);
    if (delivery->recordId.empty()) delivery->recordId = randomUuid();
    int64_t due = redisNowMs(*delivery) + std::max<int64_t>(*delay, 0) * 1000;
    std::string tag = delivery->tag;
    store_.scheduleRetry(tag, delivery->recordId, delivery->record.dump(), due,
                         [this, alive, delivery, tag, delay = *delay](Status stored) {
                             if (alive.expired() || !*alive.lock()) return;
                             settled(delivery, stored.ok());
                             // Immediate retries need not wait for the next poll.
                             if (stored && delay <= 0) wake(tag);
                         });
}

void NotificationEngine::deadLetter(std::shared_ptr<Delivery> delivery, const std::string& reason) {
    const Json& record = delivery->record;
    const storage::Subscription& sub = delivery->subscription;
    auto text = [&record](const char* key) {
        const json_t* v = record.at(key);
        return json_is_string(v) ? std::string(json_string_value(v)) : std::string();
    };
    int64_t attempts = json_integer_value(record.at("a")) + 1;
    metrics::delivery(deliveryKind(sub), metrics::DeliveryOutcome::DeadLettered);
    std::string kind = text("k") == "c" ? "confirmation" : "notification";
    log::warning("notifications: gave up on a " + kind + " of queue " + delivery->queue.name +
                 " (project " + delivery->queue.project + ") for subscription " + sub.id + " (" +
                 sub.subscriber + ") after " + std::to_string(attempts) + " attempt(s): " + reason +
                 "; recorded in the dead-letter stream");
    std::vector<std::pair<std::string, std::string>> entry{
        {"subscription_id", sub.id}, {"subscriber", sub.subscriber},         {"kind", kind},
        {"message_id", text("m")},   {"attempts", std::to_string(attempts)}, {"reason", reason},
        {"record", record.dump()},
    };
    std::weak_ptr<bool> alive = alive_;
    store_.deadLetter(delivery->tag, delivery->recordId, entry,
                      [this, alive, delivery](Status done) {
                          if (alive.expired() || !*alive.lock()) return;
                          settled(delivery, done.ok());
                      });
}

void NotificationEngine::hold(std::shared_ptr<Delivery> delivery) {
    if (delivery->recordId.empty()) delivery->recordId = randomUuid();
    int64_t posted = json_integer_value(delivery->record.at("t"));
    int64_t expires = posted + json_integer_value(delivery->record.at("l")) * 1000;
    std::weak_ptr<bool> alive = alive_;
    store_.hold(delivery->tag, delivery->subscription.id, delivery->recordId,
                delivery->record.dump(), expires, [this, alive, delivery](Status done) {
                    if (alive.expired() || !*alive.lock()) return;
                    settled(delivery, done.ok());
                });
}

void NotificationEngine::settled(std::shared_ptr<Delivery> delivery, bool recorded) {
    --inFlight_;
    if (!starved_.empty() && inFlight_ <= kMaxInFlight / 2) {
        // Take more work as soon as there is room, not at the next poll.
        auto tags = std::move(starved_);
        starved_.clear();
        std::weak_ptr<bool> alive = alive_;
        dispatcher_.defer([this, alive, tags = std::move(tags)] {
            if (alive.expired() || !*alive.lock()) return;
            for (const auto& tag : tags) wake(tag);
        });
    }
    if (!delivery->job) {
        tags_[delivery->tag].records.erase(delivery->recordId);
        return;
    }
    auto job = delivery->job;
    if (!recorded) job->failed = true;
    if (--job->pending > 0) return;
    if (job->failed) {
        // Left pending in the group: another consumer takes it over after the idle time.
        log::warning("notifications: job " + job->id +
                     " not acknowledged (a record could not be stored); it will be retried");
        tags_[job->tag].jobs.erase(job->id);
        return;
    }
    std::weak_ptr<bool> alive = alive_;
    store_.ack(job->tag, job->id, [this, alive, job](Status) {
        if (alive.expired() || !*alive.lock()) return;
        tags_[job->tag].jobs.erase(job->id);
    });
}

}  // namespace zaqard::notifiers
