// RedisManagementStore; see redis_management_store.h.
#include "storage/redis/redis_management_store.h"

#include <algorithm>

#include "src/config/config_loader.h"
#include "storage/redis/client/client_factory.h"
#include "storage/redis/key_layout.h"

namespace zaqard::storage::redis {

namespace {

const std::string kPoolsKey = "z:pools";

// KEYS[1] z:pools; ARGV name, uri, entry JSON.
// Reply: 1 stored, 0 another pool has the URI (nothing written).
const char* kPutPoolScript = R"(#!lua
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if all[i] ~= ARGV[1] then
    local ok, entry = pcall(cjson.decode, all[i + 1])
    if ok and type(entry) == 'table' and entry.u == ARGV[2] then return 0 end
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
)";

std::string flavorsKey(const std::string& project) {
    return "z:flavors:{" + escapeKeyPart(project) + "}";
}
std::string catalogKey(const std::string& project) {
    return "z:cat:{" + escapeKeyPart(project) + "}";
}
std::string poolQueuesKey(const std::string& pool) {
    return "z:pq:{" + escapeKeyPart(pool) + "}";
}
std::string member(const QueueRef& queue) {
    return escapeKeyPart(queue.project) + "/" + queue.name;
}

std::string encodePlacement(const pooling::Placement& placement) {
    return placement.virtualPool ? "v" : "p:" + placement.pool;
}
std::optional<pooling::Placement> decodePlacement(const RedisValue& value) {
    if (value.isNil()) return std::nullopt;
    std::string text = value.asString();
    if (text == "v") return pooling::Placement{true, ""};
    if (text.rfind("p:", 0) == 0) return pooling::Placement{false, text.substr(2)};
    return std::nullopt;
}

// Error replies and lost connections both answer Unavailable (503).
bool failed(const Result<RedisValue>& reply, const std::function<void(Error)>& fail) {
    if (!reply.ok()) {
        fail(reply.error());
        return true;
    }
    if (reply.value().isError()) {
        fail(Error{ErrorKind::Unavailable, reply.value().str});
        return true;
    }
    return false;
}

pooling::PoolInfo decodePool(const std::string& name, const std::string& text) {
    pooling::PoolInfo pool;
    pool.name = name;
    Json entry = parseJsonValue(text);
    if (!entry || !json_is_object(entry.get())) return pool;
    if (json_t* u = entry.at("u"); json_is_string(u)) pool.uri = json_string_value(u);
    if (json_t* w = entry.at("w"); json_is_integer(w)) pool.weight = json_integer_value(w);
    if (json_t* f = entry.at("f"); json_is_string(f)) pool.flavor = json_string_value(f);
    if (json_t* o = entry.at("o"); json_is_object(o)) pool.options = Json::borrow(o);
    return pool;
}

std::string encodePool(const pooling::PoolInfo& pool) {
    Json entry = Json::object();
    entry.set("u", Json::string(pool.uri));
    entry.set("w", Json::integer(pool.weight));
    entry.set("f", Json::string(pool.flavor));
    entry.set("o", pool.options ? pool.options : Json::object());
    return entry.dump();
}

}  // namespace

// One probe in flight: its own client, polled until ready, then PING; freed deferred.
struct RedisManagementStore::Probe {
    std::unique_ptr<RedisClient> client;
    event::TimerPtr timer;
    int64_t ticksLeft = 0;
    Callback<Unit> done;
    bool finished = false;
};

RedisManagementStore::RedisManagementStore(event::Dispatcher& dispatcher, RedisClient& client,
                                           std::chrono::milliseconds probeTimeout)
    : dispatcher_(dispatcher),
      redis_(client),
      pubsub_(client),
      probeTimeout_(probeTimeout),
      alive_(std::make_shared<bool>(true)) {}

RedisManagementStore::~RedisManagementStore() {
    *alive_ = false;
    for (auto& probe : probes_) {
        probe->finished = true;
        probe->timer.reset();
        probe->client->stop();
    }
}

void RedisManagementStore::pools(Callback<std::vector<pooling::PoolInfo>> done) {
    redis_.command({"HGETALL", kPoolsKey}, [done = std::move(done)](Result<RedisValue> reply) {
        if (failed(reply, done)) return;
        std::vector<pooling::PoolInfo> pools;
        const RedisValue& all = reply.value();
        for (size_t i = 0; i + 1 < all.size(); i += 2)
            pools.push_back(decodePool(all.at(i).asString(), all.at(i + 1).asString()));
        std::sort(pools.begin(), pools.end(),
                  [](const auto& a, const auto& b) { return a.name < b.name; });
        done(std::move(pools));
    });
}

void RedisManagementStore::putPool(const pooling::PoolInfo& pool, Callback<Unit> done) {
    redis_.command(
        Command::keyAt(
            {"EVAL", kPutPoolScript, "1", kPoolsKey, pool.name, pool.uri, encodePool(pool)}, 3),
        [done = std::move(done)](Result<RedisValue> reply) {
            if (failed(reply, done)) return;
            if (reply.value().asInt() == 0)
                return done(
                    Error{ErrorKind::Conflict, "The database URI is in use by another pool."});
            done(Unit{});
        });
}

void RedisManagementStore::removePool(const std::string& name, Callback<Unit> done) {
    redis_.command({"HDEL", kPoolsKey, name}, [done = std::move(done)](Result<RedisValue> reply) {
        if (failed(reply, done)) return;
        done(Unit{});
    });
}

void RedisManagementStore::poolQueueCount(const std::string& name, Callback<int64_t> done) {
    redis_.command({"SCARD", poolQueuesKey(name)},
                   [done = std::move(done)](Result<RedisValue> reply) {
                       if (failed(reply, done)) return;
                       done(reply.value().asInt());
                   });
}

void RedisManagementStore::flavors(const std::string& project,
                                   Callback<std::vector<pooling::FlavorInfo>> done) {
    redis_.command({"HGETALL", flavorsKey(project)},
                   [project, done = std::move(done)](Result<RedisValue> reply) {
                       if (failed(reply, done)) return;
                       std::vector<pooling::FlavorInfo> flavors;
                       const RedisValue& all = reply.value();
                       for (size_t i = 0; i + 1 < all.size(); i += 2) {
                           pooling::FlavorInfo flavor;
                           flavor.name = all.at(i).asString();
                           flavor.project = project;
                           Json caps = parseJsonValue(all.at(i + 1).asString());
                           if (caps) flavor.capabilities = caps;
                           flavors.push_back(std::move(flavor));
                       }
                       std::sort(flavors.begin(), flavors.end(),
                                 [](const auto& a, const auto& b) { return a.name < b.name; });
                       done(std::move(flavors));
                   });
}

void RedisManagementStore::putFlavor(const pooling::FlavorInfo& flavor, Callback<Unit> done) {
    std::string caps = flavor.capabilities ? flavor.capabilities.dump() : "{}";
    redis_.command({"HSET", flavorsKey(flavor.project), flavor.name, caps},
                   [done = std::move(done)](Result<RedisValue> reply) {
                       if (failed(reply, done)) return;
                       done(Unit{});
                   });
}

void RedisManagementStore::removeFlavor(const std::string& project, const std::string& name,
                                        Callback<Unit> done) {
    redis_.command({"HDEL", flavorsKey(project), name},
                   [done = std::move(done)](Result<RedisValue> reply) {
                       if (failed(reply, done)) return;
                       done(Unit{});
                   });
}

void RedisManagementStore::placement(const QueueRef& queue,
                                     Callback<std::optional<pooling::Placement>> done) {
    redis_.command({"HGET", catalogKey(queue.project), queue.name},
                   [done = std::move(done)](Result<RedisValue> reply) {
                       if (failed(reply, done)) return;
                       done(decodePlacement(reply.value()));
                   });
}

void RedisManagementStore::place(const QueueRef& queue, const pooling::Placement& placement,
                                 Callback<pooling::Placement> done) {
    // The pool's member set first: a pool delete that checks it between the two writes
    // sees the queue (refuses), never a catalog entry pointing at a deleted pool.
    auto record = [this, queue, placement, done = std::move(done)]() mutable {
        std::string key = catalogKey(queue.project);
        redis_.pipeline(
            {{"HSETNX", key, queue.name, encodePlacement(placement)}, {"HGET", key, queue.name}},
            [this, queue, placement, alive = alive_,
             done = std::move(done)](Result<std::vector<RedisValue>> replies) {
                if (!replies.ok()) return done(replies.error());
                auto held = decodePlacement(replies.value().at(1));
                if (!held) return done(Error{ErrorKind::Unavailable, "catalog write lost"});
                if (*alive && !(*held == placement) && !placement.virtualPool)
                    redis_.command({"SREM", poolQueuesKey(placement.pool), member(queue)},
                                   [](Result<RedisValue>) {});
                done(*held);
            });
    };
    if (placement.virtualPool) return record();
    redis_.command({"SADD", poolQueuesKey(placement.pool), member(queue)},
                   [record = std::move(record)](Result<RedisValue> reply) mutable {
                       if (!reply.ok() || reply.value().isError())
                           return record();  // the catalog write answers the failure
                       record();
                   });
}

void RedisManagementStore::unplace(const QueueRef& queue, Callback<Unit> done) {
    std::string key = catalogKey(queue.project);
    redis_.pipeline({{"HGET", key, queue.name}, {"HDEL", key, queue.name}},
                    [this, queue, alive = alive_,
                     done = std::move(done)](Result<std::vector<RedisValue>> replies) {
                        if (!replies.ok()) return done(replies.error());
                        auto held = decodePlacement(replies.value().at(0));
                        if (!*alive || !held || held->virtualPool) return done(Unit{});
                        redis_.command(
                            {"SREM", poolQueuesKey(held->pool), member(queue)},
                            [done = std::move(done)](Result<RedisValue>) { done(Unit{}); });
                    });
}

void RedisManagementStore::ping(Callback<Unit> done) {
    redis_.command({"PING"}, [done = std::move(done)](Result<RedisValue> reply) {
        if (failed(reply, done)) return;
        done(Unit{});
    });
}

void RedisManagementStore::announce(std::string message) {
    pubsub_.publish(pooling::kPoolingChannel, std::move(message), [](Result<int64_t>) {});
}

void RedisManagementStore::probe(const std::string& uri, Callback<Unit> done) {
    auto fail = [&] {
        dispatcher_.defer([done = std::move(done), uri] {
            done(Error{ErrorKind::BadRequest, "cannot connect to " + uri});
        });
    };
    config::RedisUri parsed;
    std::string error;
    if (!config::parseRedisUri(uri, parsed, error)) return fail();
    auto probe = std::make_shared<Probe>();
    probe->client =
        makeClient(dispatcher_, parsed, ClientOptions{probeTimeout_, /*metricsStore=*/""}, error);
    if (!probe->client) return fail();
    constexpr std::chrono::milliseconds kTick{20};
    probe->ticksLeft = std::max<int64_t>(1, probeTimeout_.count() / kTick.count());
    probe->done = std::move(done);
    // Ends the probe once: answers, stops the client, frees it after this iteration.
    auto finish = [this, uri](const std::shared_ptr<Probe>& p, bool ok) {
        if (p->finished) return;
        p->finished = true;
        p->timer->disable();
        auto answer = std::move(p->done);
        // Stopped and freed after this iteration: never inside the client's own callback.
        dispatcher_.defer([this, p, alive = alive_] {
            p->client->stop();
            if (*alive) std::erase(probes_, p);
        });
        answer(ok ? Result<Unit>(Unit{})
                  : Result<Unit>(Error{ErrorKind::BadRequest, "cannot connect to " + uri}));
    };
    std::weak_ptr<Probe> weak = probe;
    probe->timer = dispatcher_.createTimer([weak, finish, kTick] {
        auto p = weak.lock();
        if (!p || p->finished) return;
        if (p->client->ready()) {
            p->client->command({"PING"}, [p, finish](Result<RedisValue> reply) {
                finish(p, reply.ok() && !reply.value().isError());
            });
            return;
        }
        if (--p->ticksLeft <= 0) return finish(p, false);
        p->timer->enable(kTick);
    });
    probe->client->start();
    probe->timer->enable(std::chrono::milliseconds(0));
    // Owned here until finish(); the timer and the PING callback hold weak/own references.
    probes_.push_back(probe);
}

}  // namespace zaqard::storage::redis
