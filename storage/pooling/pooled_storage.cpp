// PooledStorage; see pooled_storage.h.
#include "storage/pooling/pooled_storage.h"

#include <algorithm>

namespace zaqard::storage::pooling {

namespace {

// Runs `call` on the queue's pool; a queue that is not placed goes to the fallback pool,
// where it is just as absent (Catalog::fallback).
template <typename T, typename F>
void onQueue(Catalog& catalog, const QueueRef& queue, Callback<T> done, F call) {
    catalog.route(queue, [&catalog, done = std::move(done),
                          call = std::move(call)](Result<std::optional<Route>> route) mutable {
        if (!route.ok()) return done(route.error());
        if (route.value()) return call(*route.value()->storage, std::move(done));
        catalog.fallback([done = std::move(done), call = std::move(call)](Result<Route> r) mutable {
            if (!r.ok()) return done(r.error());
            call(*r.value().storage, std::move(done));
        });
    });
}

// Runs `call` on the queue's pool, placing the queue first when it has no pool.
template <typename T, typename F>
void onPlaced(Catalog& catalog, const QueueRef& queue, const std::string& flavor, Callback<T> done,
              F call) {
    catalog.routeOrPlace(
        queue, flavor,
        [done = std::move(done), call = std::move(call)](Result<Route> route) mutable {
            if (!route.ok()) return done(route.error());
            call(*route.value().storage, std::move(done));
        });
}

// Collects one answer per pool, then `finish` runs with them all (in member order).
template <typename T>
struct Gather {
    std::vector<Catalog::Member> members;
    std::vector<std::optional<Result<T>>> results;
    size_t pending = 0;
    std::function<void(std::vector<Catalog::Member>&, std::vector<std::optional<Result<T>>>&)>
        finish;
};

template <typename T, typename Ask, typename Finish>
void overPools(Catalog& catalog, Ask ask, Finish finish, std::function<void(Error)> fail) {
    catalog.members([ask = std::move(ask), finish = std::move(finish),
                     fail = std::move(fail)](Result<std::vector<Catalog::Member>> members) mutable {
        if (!members.ok()) return fail(members.error());
        auto gather = std::make_shared<Gather<T>>();
        gather->members = std::move(members.value());
        gather->results.resize(gather->members.size());
        gather->pending = gather->members.size();
        gather->finish = std::move(finish);
        if (gather->pending == 0) return gather->finish(gather->members, gather->results);
        for (size_t i = 0; i < gather->members.size(); ++i) {
            ask(*gather->members[i].storage, [gather, i](Result<T> result) {
                gather->results[i] = std::move(result);
                if (--gather->pending == 0) gather->finish(gather->members, gather->results);
            });
        }
    });
}

std::string flavorOf(const Json& metadata) {
    json_t* flavor = metadata ? metadata.at("_flavor") : nullptr;
    return json_is_string(flavor) ? json_string_value(flavor) : "";
}

}  // namespace

std::string pooledTag(const Placement& placement, const std::string& tag) {
    // A queue tag holds no newline (project escaped, queue names validated).
    return tag + "\n" + (placement.virtualPool ? "v" : "p:" + placement.pool);
}

namespace {
bool splitTag(const std::string& pooled, Placement& placement, std::string& tag) {
    auto cut = pooled.find('\n');
    if (cut == std::string::npos) return false;
    tag = pooled.substr(0, cut);
    std::string where = pooled.substr(cut + 1);
    if (where == "v") {
        placement = Placement{true, ""};
        return true;
    }
    if (where.rfind("p:", 0) != 0) return false;
    placement = Placement{false, where.substr(2)};
    return true;
}
}  // namespace

class PooledStorage::Queues : public QueueStore {
  public:
    explicit Queues(Catalog& catalog) : catalog_(catalog) {}

    void create(const QueueRef& queue, Json metadata, Callback<bool> done) override {
        std::string flavor = flavorOf(metadata);
        onPlaced(catalog_, queue, flavor, std::move(done),
                 [queue, metadata](Storage& s, Callback<bool> d) {
                     s.queues.create(queue, metadata, std::move(d));
                 });
    }
    void getMetadata(const QueueRef& queue, Callback<std::optional<Json>> done) override {
        onQueue(catalog_, queue, std::move(done),
                [queue](Storage& s, Callback<std::optional<Json>> d) {
                    s.queues.getMetadata(queue, std::move(d));
                });
    }
    void setMetadata(const QueueRef& queue, Json metadata, Callback<Unit> done) override {
        onQueue(catalog_, queue, std::move(done), [queue, metadata](Storage& s, Callback<Unit> d) {
            s.queues.setMetadata(queue, metadata, std::move(d));
        });
    }
    void remove(const QueueRef& queue, Callback<Unit> done) override {
        Catalog& catalog = catalog_;
        catalog_.route(queue, [&catalog, queue,
                               done = std::move(done)](Result<std::optional<Route>> route) mutable {
            if (!route.ok()) return done(route.error());
            if (!route.value()) return done(Unit{});
            route.value()->storage->queues.remove(
                queue, [&catalog, queue, done = std::move(done)](Status removed) mutable {
                    if (!removed.ok()) return done(removed);
                    catalog.unplace(queue, std::move(done));
                });
        });
    }
    void list(const QueueListRequest& request, Callback<std::vector<QueueInfo>> done) override {
        auto shared = std::make_shared<Callback<std::vector<QueueInfo>>>(std::move(done));
        overPools<std::vector<QueueInfo>>(
            catalog_,
            [request](Storage& s, Callback<std::vector<QueueInfo>> d) {
                s.queues.list(request, std::move(d));
            },
            [shared, limit = request.limit](auto&, auto& results) {
                std::vector<QueueInfo> merged;
                for (auto& result : results) {
                    if (!result->ok()) return (*shared)(result->error());
                    for (auto& info : result->value()) merged.push_back(std::move(info));
                }
                std::sort(merged.begin(), merged.end(),
                          [](const auto& a, const auto& b) { return a.name < b.name; });
                // A queue placed on one pool and left (empty) on another is listed once.
                merged.erase(
                    std::unique(merged.begin(), merged.end(),
                                [](const auto& a, const auto& b) { return a.name == b.name; }),
                    merged.end());
                if (limit >= 0 && merged.size() > static_cast<size_t>(limit))
                    merged.resize(static_cast<size_t>(limit));
                (*shared)(std::move(merged));
            },
            [shared](Error e) { (*shared)(std::move(e)); });
    }
    void count(const std::string& project, Callback<int64_t> done) override {
        auto shared = std::make_shared<Callback<int64_t>>(std::move(done));
        overPools<int64_t>(
            catalog_,
            [project](Storage& s, Callback<int64_t> d) { s.queues.count(project, std::move(d)); },
            [shared](auto&, auto& results) {
                int64_t total = 0;
                for (auto& result : results) {
                    if (!result->ok()) return (*shared)(result->error());
                    total += result->value();
                }
                (*shared)(total);
            },
            [shared](Error e) { (*shared)(std::move(e)); });
    }
    void stats(const QueueRef& queue, Callback<QueueStats> done) override {
        onQueue(catalog_, queue, std::move(done), [queue](Storage& s, Callback<QueueStats> d) {
            s.queues.stats(queue, std::move(d));
        });
    }
    void purgeMessages(const QueueRef& queue, Callback<int64_t> done) override {
        onQueue(catalog_, queue, std::move(done), [queue](Storage& s, Callback<int64_t> d) {
            s.queues.purgeMessages(queue, std::move(d));
        });
    }

  private:
    Catalog& catalog_;
};

class PooledStorage::Messages : public MessageStore {
  public:
    explicit Messages(Catalog& catalog) : catalog_(catalog) {}

    void post(const PostRequest& request, Callback<PostResult> done) override {
        // Posting creates the queue (lazy queues): it is placed without a flavor.
        onPlaced(catalog_, request.queue, "", std::move(done),
                 [request](Storage& s, Callback<PostResult> d) {
                     s.messages.post(request, std::move(d));
                 });
    }
    void list(const ListRequest& request, Callback<MessagePage> done) override {
        onQueue(catalog_, request.queue, std::move(done),
                [request](Storage& s, Callback<MessagePage> d) {
                    s.messages.list(request, std::move(d));
                });
    }
    void get(const QueueRef& queue, const std::vector<std::string>& ids,
             Callback<GetMessagesResult> done) override {
        onQueue(catalog_, queue, std::move(done),
                [queue, ids](Storage& s, Callback<GetMessagesResult> d) {
                    s.messages.get(queue, ids, std::move(d));
                });
    }
    void removeMany(const QueueRef& queue, const std::vector<std::string>& ids,
                    Callback<Unit> done) override {
        onQueue(catalog_, queue, std::move(done), [queue, ids](Storage& s, Callback<Unit> d) {
            s.messages.removeMany(queue, ids, std::move(d));
        });
    }
    void removeManyClaimed(const QueueRef& queue, const std::vector<std::string>& ids,
                           const std::vector<std::string>& claimIds, Callback<Unit> done) override {
        onQueue(catalog_, queue, std::move(done),
                [queue, ids, claimIds](Storage& s, Callback<Unit> d) {
                    s.messages.removeManyClaimed(queue, ids, claimIds, std::move(d));
                });
    }
    void remove(const QueueRef& queue, const std::string& id,
                const std::optional<std::string>& claimId, Callback<DeleteOutcome> done) override {
        onQueue(catalog_, queue, std::move(done),
                [queue, id, claimId](Storage& s, Callback<DeleteOutcome> d) {
                    s.messages.remove(queue, id, claimId, std::move(d));
                });
    }
    void pop(const QueueRef& queue, int64_t count, Callback<std::vector<Message>> done) override {
        onQueue(catalog_, queue, std::move(done),
                [queue, count](Storage& s, Callback<std::vector<Message>> d) {
                    s.messages.pop(queue, count, std::move(d));
                });
    }
    // The wake-ups come from the queue's pool (its post script publishes there): the
    // watch is opened there once the catalog answered. A queue not placed yet is watched
    // on the fallback pool; if its first post places it elsewhere, its waiters end at
    // their deadline (or an earlier due time) instead of at the post.
    std::unique_ptr<PubSubListener> watch(const QueueRef& queue,
                                          std::function<void()> onWake) override {
        auto watch = std::make_unique<RoutedWatch>();
        std::weak_ptr<std::unique_ptr<PubSubListener>> slot = watch->inner;
        onQueue(catalog_, queue, Callback<Unit>([](Result<Unit>) {}),
                [queue, onWake, slot](Storage& s, Callback<Unit>) {
                    if (auto inner = slot.lock()) *inner = s.messages.watch(queue, onWake);
                });
        return watch;
    }
    // The dead-letter queue must be on the source's pool (as for dead-lettering).
    void redrive(const RedriveRequest& request, Callback<RedriveResult> done) override {
        onQueue(catalog_, request.source, std::move(done),
                [request](Storage& s, Callback<RedriveResult> d) {
                    s.messages.redrive(request, std::move(d));
                });
    }

  private:
    struct RoutedWatch : PubSubListener {
        std::shared_ptr<std::unique_ptr<PubSubListener>> inner =
            std::make_shared<std::unique_ptr<PubSubListener>>();
        bool active() const override { return *inner && (*inner)->active(); }
    };
    Catalog& catalog_;
};

class PooledStorage::Claims : public ClaimStore {
  public:
    explicit Claims(Catalog& catalog) : catalog_(catalog) {}

    void create(const ClaimRequest& request, Callback<ClaimResult> done) override {
        onQueue(catalog_, request.queue, std::move(done),
                [request](Storage& s, Callback<ClaimResult> d) {
                    s.claims.create(request, std::move(d));
                });
    }
    void get(const QueueRef& queue, const std::string& claimId, Callback<ClaimInfo> done) override {
        onQueue(catalog_, queue, std::move(done),
                [queue, claimId](Storage& s, Callback<ClaimInfo> d) {
                    s.claims.get(queue, claimId, std::move(d));
                });
    }
    void renew(const QueueRef& queue, const std::string& claimId, int64_t ttl, int64_t grace,
               Callback<Unit> done) override {
        onQueue(catalog_, queue, std::move(done),
                [queue, claimId, ttl, grace](Storage& s, Callback<Unit> d) {
                    s.claims.renew(queue, claimId, ttl, grace, std::move(d));
                });
    }
    void release(const QueueRef& queue, const std::string& claimId, Callback<Unit> done) override {
        onQueue(catalog_, queue, std::move(done), [queue, claimId](Storage& s, Callback<Unit> d) {
            s.claims.release(queue, claimId, std::move(d));
        });
    }

  private:
    Catalog& catalog_;
};

class PooledStorage::Health : public HealthStore {
  public:
    explicit Health(Catalog& catalog) : catalog_(catalog) {}

    void ping(Callback<Unit> done) override { catalog_.management().ping(std::move(done)); }
    void messageVolume(Callback<MessageVolume> done) override {
        // Over the reachable pools (each pool's reachability is in poolHealth()).
        poolHealth([done = std::move(done)](Result<std::vector<PoolHealth>> pools) {
            if (!pools.ok()) return done(pools.error());
            MessageVolume total;
            for (const auto& pool : pools.value()) {
                total.free += pool.volume.free;
                total.claimed += pool.volume.claimed;
                total.total += pool.volume.total;
            }
            done(total);
        });
    }
    void poolHealth(Callback<std::vector<PoolHealth>> done) override {
        auto shared = std::make_shared<Callback<std::vector<PoolHealth>>>(std::move(done));
        overPools<MessageVolume>(
            catalog_,
            [](Storage& s, Callback<MessageVolume> d) { s.health.messageVolume(std::move(d)); },
            [shared](auto& members, auto& results) {
                std::vector<PoolHealth> pools;
                for (size_t i = 0; i < members.size(); ++i) {
                    PoolHealth health;
                    health.name = members[i].name;
                    health.reachable = results[i]->ok();
                    if (health.reachable) health.volume = results[i]->value();
                    pools.push_back(std::move(health));
                }
                (*shared)(std::move(pools));
            },
            [shared](Error e) { (*shared)(std::move(e)); });
    }

  private:
    Catalog& catalog_;
};

class PooledStorage::Subscriptions : public SubscriptionStore {
  public:
    explicit Subscriptions(Catalog& catalog) : catalog_(catalog) {}

    void create(const NewSubscription& subscription, Callback<CreatedSubscription> done) override {
        // The queue's notifications are written where its messages go: place it now.
        onPlaced(catalog_, subscription.queue, "", std::move(done),
                 [subscription](Storage& s, Callback<CreatedSubscription> d) {
                     s.subscriptions.create(subscription, std::move(d));
                 });
    }
    void list(const QueueRef& queue, const std::string& marker, int64_t limit,
              Callback<SubscriptionPage> done) override {
        onQueue(catalog_, queue, std::move(done),
                [queue, marker, limit](Storage& s, Callback<SubscriptionPage> d) {
                    s.subscriptions.list(queue, marker, limit, std::move(d));
                });
    }
    void get(const QueueRef& queue, const std::string& id, Callback<Subscription> done) override {
        onQueue(catalog_, queue, std::move(done),
                [queue, id](Storage& s, Callback<Subscription> d) {
                    s.subscriptions.get(queue, id, std::move(d));
                });
    }
    void update(const QueueRef& queue, const std::string& id, const SubscriptionChanges& changes,
                Callback<Unit> done) override {
        onQueue(catalog_, queue, std::move(done),
                [queue, id, changes](Storage& s, Callback<Unit> d) {
                    s.subscriptions.update(queue, id, changes, std::move(d));
                });
    }
    void remove(const QueueRef& queue, const std::string& id, Callback<Unit> done) override {
        onQueue(catalog_, queue, std::move(done), [queue, id](Storage& s, Callback<Unit> d) {
            s.subscriptions.remove(queue, id, std::move(d));
        });
    }
    void confirm(const QueueRef& queue, const std::string& id, bool confirmed,
                 Callback<Unit> done) override {
        onQueue(catalog_, queue, std::move(done),
                [queue, id, confirmed](Storage& s, Callback<Unit> d) {
                    s.subscriptions.confirm(queue, id, confirmed, std::move(d));
                });
    }
    void requestConfirmation(const QueueRef& queue, const std::string& id,
                             const ConfirmationRequest& confirmation,
                             Callback<Unit> done) override {
        onQueue(catalog_, queue, std::move(done),
                [queue, id, confirmation](Storage& s, Callback<Unit> d) {
                    s.subscriptions.requestConfirmation(queue, id, confirmation, std::move(d));
                });
    }
    void purge(const QueueRef& queue, Callback<Unit> done) override {
        onQueue(catalog_, queue, std::move(done), [queue](Storage& s, Callback<Unit> d) {
            s.subscriptions.purge(queue, std::move(d));
        });
    }
    void listDeadLetters(const QueueRef& queue, const std::string& marker, int64_t limit,
                         Callback<NotificationDeadLetterPage> done) override {
        onQueue(catalog_, queue, std::move(done),
                [queue, marker, limit](Storage& s, Callback<NotificationDeadLetterPage> d) {
                    s.subscriptions.listDeadLetters(queue, marker, limit, std::move(d));
                });
    }
    void removeDeadLetters(const QueueRef& queue, const std::vector<std::string>& ids,
                           Callback<Unit> done) override {
        onQueue(catalog_, queue, std::move(done), [queue, ids](Storage& s, Callback<Unit> d) {
            s.subscriptions.removeDeadLetters(queue, ids, std::move(d));
        });
    }

  private:
    Catalog& catalog_;
};

class PooledStorage::Notifications : public NotificationStore {
  public:
    explicit Notifications(Catalog& catalog) : catalog_(catalog) {}

    void registry(Callback<std::vector<std::string>> done) override {
        auto shared = std::make_shared<Callback<std::vector<std::string>>>(std::move(done));
        overPools<std::vector<std::string>>(
            catalog_,
            [](Storage& s, Callback<std::vector<std::string>> d) {
                s.notifications.registry(std::move(d));
            },
            [shared](auto& members, auto& results) {
                // An unreachable pool's queues wait for the next poll; the others go on.
                std::vector<std::string> tags;
                for (size_t i = 0; i < members.size(); ++i) {
                    if (!results[i]->ok()) continue;
                    for (const auto& tag : results[i]->value())
                        tags.push_back(pooledTag(members[i].placement, tag));
                }
                (*shared)(std::move(tags));
            },
            [shared](Error e) { (*shared)(std::move(e)); });
    }
    void fetch(const std::string& tag, const std::string& consumer, int64_t count,
               int64_t claimIdleMs, int64_t leaseMs, Callback<NotificationBatch> done) override {
        Placement placement;
        std::string inner;
        NotificationStore* store = resolve(tag, placement, inner);
        if (!store) return unavailable(std::move(done));
        store->fetch(inner, consumer, count, claimIdleMs, leaseMs,
                     [placement, done = std::move(done)](Result<NotificationBatch> batch) {
                         if (batch.ok())
                             batch.value().tag = pooledTag(placement, batch.value().tag);
                         done(std::move(batch));
                     });
    }
    void ack(const std::string& tag, const std::string& jobId, Callback<Unit> done) override {
        forward(tag, std::move(done), [&](NotificationStore& s, const std::string& t, auto d) {
            s.ack(t, jobId, std::move(d));
        });
    }
    void scheduleRetry(const std::string& tag, const std::string& recordId,
                       const std::string& record, int64_t dueMs, Callback<Unit> done) override {
        forward(tag, std::move(done), [&](NotificationStore& s, const std::string& t, auto d) {
            s.scheduleRetry(t, recordId, record, dueMs, std::move(d));
        });
    }
    void finishRetry(const std::string& tag, const std::string& recordId,
                     Callback<Unit> done) override {
        forward(tag, std::move(done), [&](NotificationStore& s, const std::string& t, auto d) {
            s.finishRetry(t, recordId, std::move(d));
        });
    }
    void hold(const std::string& tag, const std::string& subscriptionId,
              const std::string& recordId, const std::string& record, int64_t expiresMs,
              Callback<Unit> done) override {
        forward(tag, std::move(done), [&](NotificationStore& s, const std::string& t, auto d) {
            s.hold(t, subscriptionId, recordId, record, expiresMs, std::move(d));
        });
    }
    void deadLetter(const std::string& tag, const std::string& recordId,
                    const std::vector<std::pair<std::string, std::string>>& entry,
                    Callback<Unit> done) override {
        forward(tag, std::move(done), [&](NotificationStore& s, const std::string& t, auto d) {
            s.deadLetter(t, recordId, entry, std::move(d));
        });
    }

  private:
    NotificationStore* resolve(const std::string& pooled, Placement& placement,
                               std::string& inner) {
        if (!splitTag(pooled, placement, inner)) return nullptr;
        Storage* storage = catalog_.storageOf(placement);
        return storage ? &storage->notifications : nullptr;
    }
    template <typename T>
    static void unavailable(Callback<T> done) {
        done(Error{ErrorKind::Unavailable, "the queue's pool is not registered here"});
    }
    template <typename F>
    void forward(const std::string& tag, Callback<Unit> done, F call) {
        Placement placement;
        std::string inner;
        NotificationStore* store = resolve(tag, placement, inner);
        if (!store) return unavailable(std::move(done));
        call(*store, inner, std::move(done));
    }

    Catalog& catalog_;
};

PooledStorage::PooledStorage(Catalog& catalog)
    : catalog_(catalog),
      queues_(std::make_unique<Queues>(catalog)),
      messages_(std::make_unique<Messages>(catalog)),
      claims_(std::make_unique<Claims>(catalog)),
      health_(std::make_unique<Health>(catalog)),
      subscriptions_(std::make_unique<Subscriptions>(catalog)),
      notifications_(std::make_unique<Notifications>(catalog)) {}

PooledStorage::~PooledStorage() = default;

Storage PooledStorage::storage() {
    Storage s{*queues_,
              *messages_,
              *claims_,
              *health_,
              *subscriptions_,
              *notifications_,
              catalog_.management().pubsub()};
    s.management = &catalog_.management();
    return s;
}

}  // namespace zaqard::storage::pooling
