// Service responders (rest-v2.md §4.1): ping and the admin health report, which really
// runs the main operations in a throw-away project and queue, as Zaqar's
// storage/base.py _get_operation_status does, and reports the message volume of all
// queues as Zaqar's MongoDB driver does (HealthStore::messageVolume).
#include <memory>

#include "src/api/errors.h"
#include "src/api/handlers/handlers.h"
#include "src/common/clock.h"
#include "src/common/log.h"
#include "src/common/uuid.h"

namespace zaqard::api::handlers {

void ping(const CallPtr& call) {
    call->storage.health.ping([call](Status alive) {
        // 503 here has no body: Zaqar only sets the status.
        call->reply(emptyResponse(alive ? 204 : 503));
    });
}

namespace {

// One health check in progress. Each step records {"succeeded", "seconds", "ref"} and
// continues like Zaqar: a failed queue creation ends the run, the others do not.
class HealthRun : public std::enable_shared_from_this<HealthRun> {
  public:
    explicit HealthRun(CallPtr call)
        : call_(std::move(call)),
          queue_{randomUuid(), randomUuid()},
          clientId_(randomUuid()),
          operations_(Json::object()) {}

    void start() {
        auto self = shared_from_this();
        call_->storage.health.ping([self](Status alive) {
            // Zaqar's health raises on an unreachable store: a 503 clients retry on,
            // not a 200 report of failures.
            if (!alive) return self->call_->reply(storageError(alive.error(), kUnreadable));
            self->reachable_ = true;
            self->createQueue();
        });
    }

  private:
    static constexpr const char* kUnreadable = "Health status could not be read.";

    // Records the outcome of `name`, started at `startedMicros`.
    bool record(const char* name, int64_t startedMicros, bool ok, const std::string& error) {
        Json status = Json::object();
        status.set("succeeded", Json::boolean(ok));
        status.set(
            "seconds",
            Json::adopt(json_real(static_cast<double>(monotonicMicros() - startedMicros) / 1e6)));
        if (ok) {
            status.set("ref", Json::null());
        } else {
            // The ref ties the response to the log line, as Zaqar's instance_uuid does.
            std::string ref = randomUuid();
            log::warning(std::string("health: ") + name + " failed (ref " + ref + "): " + error);
            status.set("ref", Json::string(ref));
        }
        operations_.set(name, std::move(status));
        return ok;
    }

    void createQueue() {
        auto self = shared_from_this();
        int64_t started = monotonicMicros();
        call_->storage.queues.create(queue_, Json::object(), [self, started](Result<bool> done) {
            if (!self->record("create_queue", started, done.ok(),
                              done.ok() ? "" : done.error().message))
                return self->finish();
            self->postMessages();
        });
    }

    void postMessages() {
        storage::PostRequest post;
        post.queue = queue_;
        post.clientId = clientId_;
        for (int i = 0; i < 100; ++i) {
            storage::NewMessage message;
            message.body = "{\"event\": \"p_" + std::to_string(i) + "\"}";
            message.ttl = 600;
            post.bodySize += static_cast<int64_t>(message.body.size());
            post.messages.push_back(std::move(message));
        }
        auto self = shared_from_this();
        int64_t started = monotonicMicros();
        call_->storage.messages.post(post, [self, started](Result<storage::PostResult> posted) {
            bool ok = posted.ok() && posted->refusal == storage::PostRefusal::None;
            self->record("post_messages", started, ok,
                         posted.ok() ? "post refused" : posted.error().message);
            if (ok) self->ids_ = posted->ids;
            if (self->ids_.empty()) return self->bulkDelete();
            self->claimMessages();
        });
    }

    void claimMessages() {
        storage::ClaimRequest claim;
        claim.queue = queue_;
        claim.ttl = 60;
        claim.grace = 300;
        auto self = shared_from_this();
        int64_t started = monotonicMicros();
        call_->storage.claims.create(claim, [self, started](Result<storage::ClaimResult> claimed) {
            self->record("claim_messages", started, claimed.ok(),
                         claimed.ok() ? "" : claimed.error().message);
            if (claimed) self->claim_ = std::move(claimed.value());
            self->listMessages();
        });
    }

    void listMessages() {
        storage::ListRequest list;
        list.queue = queue_;
        list.echo = true;
        list.clientId = clientId_;
        list.includeClaimed = true;
        auto self = shared_from_this();
        int64_t started = monotonicMicros();
        call_->storage.messages.list(list, [self, started](Result<storage::MessagePage> page) {
            self->record("list_messages", started, page.ok(),
                         page.ok() ? "" : page.error().message);
            if (self->claim_.claimId.empty() || self->claim_.messages.empty())
                return self->bulkDelete();
            self->deleteClaimedMessage(0);
        });
    }

    void deleteClaimedMessage(size_t index) {
        if (index >= claim_.messages.size()) return deleteClaim();
        auto self = shared_from_this();
        int64_t started = monotonicMicros();
        call_->storage.messages.remove(
            queue_, claim_.messages[index].id, claim_.claimId,
            [self, started, index](Result<storage::DeleteOutcome> outcome) {
                bool ok = outcome.ok() && outcome.value() == storage::DeleteOutcome::Deleted;
                if (!self->record("delete_messages", started, ok,
                                  outcome.ok() ? "claim refused" : outcome.error().message))
                    return self->deleteClaim();
                self->deleteClaimedMessage(index + 1);
            });
    }

    void deleteClaim() {
        auto self = shared_from_this();
        int64_t started = monotonicMicros();
        call_->storage.claims.release(queue_, claim_.claimId, [self, started](Status done) {
            self->record("delete_claim", started, done.ok(), done.ok() ? "" : done.error().message);
            self->bulkDelete();
        });
    }

    void bulkDelete() {
        auto self = shared_from_this();
        int64_t started = monotonicMicros();
        call_->storage.messages.removeMany(queue_, ids_, [self, started](Status done) {
            self->record("bulk_delete_messages", started, done.ok(),
                         done.ok() ? "" : done.error().message);
            self->deleteQueue();
        });
    }

    void deleteQueue() {
        auto self = shared_from_this();
        int64_t started = monotonicMicros();
        call_->storage.queues.remove(queue_, [self, started](Status done) {
            self->record("delete_queue", started, done.ok(), done.ok() ? "" : done.error().message);
            self->finish();
        });
    }

    // Zaqar's MongoDB driver counts after the operations ran (their queue is gone by then).
    void finish() {
        auto self = shared_from_this();
        call_->storage.health.messageVolume([self](Result<storage::MessageVolume> volume) {
            if (!volume) return self->call_->reply(storageError(volume.error(), kUnreadable));
            Json counts = Json::object();
            counts.set("free", Json::integer(volume->free));
            counts.set("claimed", Json::integer(volume->claimed));
            counts.set("total", Json::integer(volume->total));
            Json body = Json::object();
            body.set("storage_reachable", Json::boolean(self->reachable_));
            body.set("operation_status", self->operations_);
            body.set("message_volume", std::move(counts));
            self->addPools(std::move(body));
        });
    }

    // With pooling, each pool's reachability and volume (Zaqar's pooled _health lists its
    // pools' reports): "pools": {name: {...}}, the message store as "virtual_pool".
    void addPools(Json body) {
        auto self = shared_from_this();
        call_->storage.health.poolHealth(
            [self, body](Result<std::vector<storage::PoolHealth>> pools) {
                Json report = body;
                if (pools.ok() && !pools->empty()) {
                    report.set("catalog_reachable", Json::boolean(true));
                    Json named = Json::object();
                    for (const auto& pool : pools.value()) {
                        Json entry = Json::object();
                        entry.set("storage_reachable", Json::boolean(pool.reachable));
                        Json counts = Json::object();
                        counts.set("free", Json::integer(pool.volume.free));
                        counts.set("claimed", Json::integer(pool.volume.claimed));
                        counts.set("total", Json::integer(pool.volume.total));
                        entry.set("message_volume", std::move(counts));
                        if (pool.name.empty())
                            report.set("virtual_pool", std::move(entry));
                        else
                            named.set(pool.name, std::move(entry));
                    }
                    report.set("pools", std::move(named));
                }
                Response response;
                response.body = std::move(report);
                self->call_->reply(std::move(response));
            });
    }

    CallPtr call_;
    storage::QueueRef queue_;
    std::string clientId_;
    Json operations_;
    bool reachable_ = false;
    std::vector<std::string> ids_;
    storage::ClaimResult claim_;
};

}  // namespace

void health(const CallPtr& call) {
    std::make_shared<HealthRun>(call)->start();
}

}  // namespace zaqard::api::handlers
