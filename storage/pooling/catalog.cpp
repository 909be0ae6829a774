// Catalog; see catalog.h.
#include "storage/pooling/catalog.h"

#include <random>

#include "src/common/log.h"

namespace zaqard::storage::pooling {

namespace {
std::string cacheKey(const QueueRef& queue) {
    return queue.project + "\n" + queue.name;
}
uint64_t randomRoll() {
    thread_local std::mt19937_64 generator{std::random_device{}()};
    return generator();
}
}  // namespace

int weightedChoice(const std::vector<int64_t>& weights, uint64_t roll) {
    uint64_t total = 0;
    for (int64_t w : weights)
        if (w > 0) total += static_cast<uint64_t>(w);
    if (total == 0) return -1;
    uint64_t pick = roll % total;
    for (size_t i = 0; i < weights.size(); ++i) {
        if (weights[i] <= 0) continue;
        if (pick < static_cast<uint64_t>(weights[i])) return static_cast<int>(i);
        pick -= static_cast<uint64_t>(weights[i]);
    }
    return -1;
}

Catalog::Catalog(event::Dispatcher& dispatcher, ManagementStore& management, BackendFactory factory,
                 PoolBackend* virtualPool)
    : dispatcher_(dispatcher),
      management_(management),
      factory_(std::move(factory)),
      virtualPool_(virtualPool),
      alive_(std::make_shared<bool>(true)) {
    if (virtualPool_) virtualStorage_.emplace(virtualPool_->storage());
}

Catalog::~Catalog() {
    *alive_ = false;
    stop();
}

void Catalog::start() {
    listener_ = management_.pubsub().listen(
        kPoolingChannel, [this](std::string_view message) { onMessage(message); });
    withTable(true, [](Status) {});
}

void Catalog::stop() {
    listener_.reset();
    for (auto& [name, pool] : pools_) pool->backend->stop();
}

bool Catalog::trusted() const {
    return listener_ && listener_->active();
}

void Catalog::invalidateAll() {
    ++epoch_;
    cache_.clear();
    tableLoaded_ = false;
}

void Catalog::onMessage(std::string_view message) {
    ++epoch_;
    if (message.rfind("q ", 0) == 0) {
        cache_.erase(std::string(message.substr(2)));
        return;
    }
    // "pools" (or anything unknown): reload now, so new pools are swept and notified.
    invalidateAll();
    withTable(true, [](Status) {});
}

void Catalog::withTable(bool refresh, std::function<void(Status)> done) {
    bool trust = trusted();
    if (trust && !wasTrusted_) invalidateAll();  // messages may have been missed meanwhile
    wasTrusted_ = trust;
    if (!refresh && tableLoaded_ && trust) return done(Unit{});
    tableWaiters_.push_back(std::move(done));
    if (tableWaiters_.size() > 1) return;  // a load is in flight: share it
    management_.pools([this, alive = alive_](Result<std::vector<PoolInfo>> pools) {
        if (!*alive) return;
        auto waiters = std::move(tableWaiters_);
        tableWaiters_.clear();
        Status status = Unit{};
        if (pools.ok()) {
            applyTable(std::move(pools.value()));
        } else {
            status = pools.error();
        }
        for (auto& waiter : waiters) waiter(status);
    });
}

void Catalog::applyTable(std::vector<PoolInfo> pools) {
    std::map<std::string, std::unique_ptr<Pool>> next;
    for (auto& info : pools) {
        auto old = pools_.find(info.name);
        if (old != pools_.end() && old->second->info.uri == info.uri) {
            old->second->info = std::move(info);
            next.emplace(old->first, std::move(old->second));
            pools_.erase(old);
            continue;
        }
        auto backend = factory_(info);
        if (!backend) {
            log::warning("pooling: pool '" + info.name + "' has a URI zaqard cannot serve");
            continue;
        }
        Placement placement{false, info.name};
        backend->setNotificationHandler([this, placement](const std::string& tag) {
            if (notificationHandler_) notificationHandler_(placement, tag);
        });
        backend->start();
        Storage storage = backend->storage();
        std::string name = info.name;
        next.emplace(name,
                     std::unique_ptr<Pool>(new Pool{std::move(info), std::move(backend), storage}));
    }
    // Removed or re-pointed pools: their pending calls fail (503), freed after this
    // iteration (a call's callback may be on the stack).
    for (auto& [name, pool] : pools_) {
        pool->backend->stop();
        dispatcher_.deferDelete(std::move(pool));
    }
    pools_ = std::move(next);
    tableLoaded_ = true;
}

Storage* Catalog::storageOf(const Placement& placement) {
    if (placement.virtualPool) return virtualStorage_ ? &*virtualStorage_ : nullptr;
    auto it = pools_.find(placement.pool);
    return it == pools_.end() ? nullptr : &it->second->storage;
}

void Catalog::resolve(const Placement& placement, bool reloaded,
                      std::function<void(Result<Route>)> done) {
    if (Storage* storage = storageOf(placement)) return done(Route{placement, storage});
    if (reloaded || placement.virtualPool) {
        return done(
            Error{ErrorKind::Unavailable, placement.virtualPool
                                              ? "the queue is on the virtual pool, which is "
                                                "not enabled"
                                              : "pool '" + placement.pool + "' is not registered"});
    }
    withTable(true, [this, placement, done = std::move(done)](Status status) mutable {
        if (!status.ok()) return done(status.error());
        resolve(placement, true, std::move(done));
    });
}

void Catalog::lookup(const QueueRef& queue,
                     std::function<void(Result<std::optional<Placement>>)> done) {
    withTable(false, [this, queue, done = std::move(done)](Status status) mutable {
        if (!status.ok()) return done(status.error());
        std::string key = cacheKey(queue);
        if (trusted()) {
            auto hit = cache_.find(key);
            if (hit != cache_.end()) return done(std::optional<Placement>(hit->second));
        }
        uint64_t epoch = epoch_;
        management_.placement(queue, [this, alive = alive_, key, epoch, done = std::move(done)](
                                         Result<std::optional<Placement>> placement) mutable {
            if (!*alive) return done(Error{ErrorKind::Unavailable, "shutting down"});
            // Cached only if no invalidation arrived while we read (it may concern
            // this queue) and none can have been missed.
            if (placement.ok() && placement.value() && epoch == epoch_ && trusted())
                cache_[key] = *placement.value();
            done(std::move(placement));
        });
    });
}

void Catalog::route(const QueueRef& queue, std::function<void(Result<std::optional<Route>>)> done) {
    lookup(queue,
           [this, done = std::move(done)](Result<std::optional<Placement>> placement) mutable {
               if (!placement.ok()) return done(placement.error());
               if (!placement.value()) return done(std::optional<Route>());
               resolve(*placement.value(), false, [done = std::move(done)](Result<Route> route) {
                   if (!route.ok()) return done(route.error());
                   done(std::optional<Route>(route.value()));
               });
           });
}

void Catalog::routeOrPlace(const QueueRef& queue, const std::string& flavor,
                           std::function<void(Result<Route>)> done) {
    route(queue, [this, queue, flavor,
                  done = std::move(done)](Result<std::optional<Route>> route) mutable {
        if (!route.ok()) return done(route.error());
        if (route.value()) return done(*route.value());
        // A queue of the virtual pool from before pooling (or before the catalog knew it)
        // stays there: place it where it is.
        if (virtualStorage_ && flavor.empty()) {
            virtualStorage_->queues.getMetadata(
                queue, [this, alive = alive_, queue, flavor,
                        done = std::move(done)](Result<std::optional<Json>> metadata) mutable {
                    if (!*alive) return done(Error{ErrorKind::Unavailable, "shutting down"});
                    if (metadata.ok() && metadata.value())
                        return record(queue, Placement{true, ""}, std::move(done));
                    choose(queue, flavor, std::move(done));
                });
            return;
        }
        choose(queue, flavor, std::move(done));
    });
}

void Catalog::choose(const QueueRef& queue, const std::string& flavor,
                     std::function<void(Result<Route>)> done) {
    using Done = std::function<void(Result<Route>)>;
    auto shared = std::make_shared<Done>(std::move(done));
    auto pick = [this, queue, flavor, shared](Status status) {
        if (!status.ok()) return (*shared)(status.error());
        std::vector<const Pool*> candidates;
        std::vector<int64_t> weights;
        for (const auto& [name, pool] : pools_) {
            if (pool->info.flavor != flavor) continue;
            candidates.push_back(pool.get());
            weights.push_back(pool->info.weight);
        }
        int chosen = weightedChoice(weights, randomRoll());
        if (chosen < 0) {
            if (flavor.empty() && virtualStorage_)
                return record(queue, Placement{true, ""}, std::move(*shared));
            return (*shared)(Error{ErrorKind::Unavailable, "No pools registered"});
        }
        record(queue, Placement{false, candidates[chosen]->info.name}, std::move(*shared));
    };
    if (flavor.empty()) return withTable(false, std::move(pick));
    // A flavor is looked up in the queue's project (rest-v2.md §9.2).
    management_.flavors(queue.project, [this, alive = alive_, flavor, shared,
                                        pick](Result<std::vector<FlavorInfo>> flavors) mutable {
        if (!*alive) return (*shared)(Error{ErrorKind::Unavailable, "shutting down"});
        if (!flavors.ok()) return (*shared)(flavors.error());
        bool known = false;
        for (const auto& f : flavors.value()) known = known || f.name == flavor;
        if (!known)
            return (*shared)(Error{ErrorKind::BadRequest, "Flavor " + flavor + " does not exist"});
        withTable(false, std::move(pick));
    });
}

void Catalog::record(const QueueRef& queue, const Placement& placement,
                     std::function<void(Result<Route>)> done) {
    management_.place(
        queue, placement,
        [this, alive = alive_, queue, done = std::move(done)](Result<Placement> held) mutable {
            if (!*alive) return done(Error{ErrorKind::Unavailable, "shutting down"});
            if (!held.ok()) return done(held.error());
            // Another process may have placed it first: its choice holds.
            resolve(held.value(), false, std::move(done));
        });
}

void Catalog::fallback(std::function<void(Result<Route>)> done) {
    withTable(false, [this, done = std::move(done)](Status status) mutable {
        if (!status.ok()) return done(status.error());
        if (virtualStorage_) return done(Route{Placement{true, ""}, &*virtualStorage_});
        if (pools_.empty()) return done(Error{ErrorKind::Unavailable, "No pools registered"});
        auto& first = *pools_.begin()->second;
        done(Route{Placement{false, first.info.name}, &first.storage});
    });
}

void Catalog::unplace(const QueueRef& queue, std::function<void(Status)> done) {
    management_.unplace(queue,
                        [this, alive = alive_, queue, done = std::move(done)](Status status) {
                            if (*alive) {
                                cache_.erase(cacheKey(queue));
                                ++epoch_;
                                management_.announce("q " + cacheKey(queue));
                            }
                            done(status);
                        });
}

void Catalog::members(std::function<void(Result<std::vector<Member>>)> done) {
    withTable(false, [this, done = std::move(done)](Status status) mutable {
        if (!status.ok()) return done(status.error());
        std::vector<Member> all;
        for (auto& [name, pool] : pools_)
            all.push_back({name, Placement{false, name}, &pool->storage});
        if (virtualStorage_) all.push_back({"", Placement{true, ""}, &*virtualStorage_});
        done(std::move(all));
    });
}

void Catalog::setNotificationHandler(
    std::function<void(const Placement&, const std::string&)> handler) {
    notificationHandler_ = std::move(handler);
    if (virtualPool_) {
        virtualPool_->setNotificationHandler([this](const std::string& tag) {
            if (notificationHandler_) notificationHandler_(Placement{true, ""}, tag);
        });
    }
}

}  // namespace zaqard::storage::pooling
