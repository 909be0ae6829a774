// Pool responders (rest-v2.md §9.1, Zaqar's wsgi/v2_0/pools.py): the admin API that
// registers the Redis servers queues are placed on. Writes go to the management store and
// are announced to every process's catalog (storage/pooling/catalog.h).
#include <cstdint>
#include <set>

#include "src/api/handlers/handlers.h"
#include "src/api/handlers/pool_common.h"
#include "src/api/links.h"
#include "src/api/query.h"
#include "src/api/validation.h"

namespace zaqard::api::handlers {

namespace {

using storage::pooling::PoolInfo;

constexpr int64_t kMaxWeight = 4294967295LL;  // 2**32 - 1 (the schema's maximum)
constexpr size_t kMaxText = 255;

std::string shown(const json_t* value) {
    return dumpJson(value);
}

// One field of the pool schema (common/api/schemas/pools.py); a clean message on failure.
std::optional<std::string> checkField(const json_t* doc, const char* name) {
    const json_t* value = json_object_get(doc, name);
    if (!value) return std::nullopt;
    std::string field(name);
    if (field == "uri" || field == "flavor") {
        if (!json_is_string(value)) return shown(value) + " is not of type 'string'";
        if (json_string_length(value) > kMaxText) return shown(value) + " is too long";
    } else if (field == "weight") {
        if (!json_is_integer(value)) return shown(value) + " is not of type 'integer'";
        int64_t weight = json_integer_value(value);
        if (weight < 0) return std::to_string(weight) + " is less than the minimum of 0";
        if (weight > kMaxWeight)
            return std::to_string(weight) + " is greater than the maximum of 4294967295";
    } else if (field == "options") {
        if (!json_is_object(value)) return shown(value) + " is not of type 'object'";
    }
    return std::nullopt;
}

const char* const kFields[] = {"uri", "weight", "flavor", "options"};

// The create schema: an object of the four fields, uri and weight required.
std::optional<std::string> checkCreate(const json_t* doc) {
    if (!json_is_object(doc)) return shown(doc) + " is not of type 'object'";
    const char* key;
    json_t* value;
    json_object_foreach(const_cast<json_t*>(doc), key, value) {
        bool known = false;
        for (const char* f : kFields) known = known || std::string(f) == key;
        if (!known)
            return std::string("Additional properties are not allowed ('") + key +
                   "' was unexpected)";
    }
    for (const char* required : {"uri", "weight"})
        if (!json_object_get(doc, required))
            return std::string("'") + required + "' is a required property";
    for (const char* f : kFields)
        if (auto problem = checkField(doc, f)) return problem;
    return std::nullopt;
}

std::string stringField(const json_t* doc, const char* name) {
    const json_t* value = json_object_get(doc, name);
    return json_is_string(value) ? json_string_value(value) : "";
}

std::string poolDoesNotExist(const std::string& name) {
    return "Pool " + name + " does not exist";
}

// Probes the URI (400 "cannot connect to <uri>"), then runs `next`.
void afterProbe(const CallPtr& call, storage::pooling::ManagementStore& store,
                const std::string& uri, std::function<void()> next) {
    store.probe(uri, [call, uri, next = std::move(next)](Status reachable) {
        if (!reachable.ok()) return call->reply(badRequestBody("cannot connect to " + uri));
        next();
    });
}

}  // namespace

void poolList(const CallPtr& call) {
    auto* store = management(call);
    if (!store) return;
    auto page = readAdminPage(call, call->limits().max_pools_per_page);
    if (!page) return;
    store->pools([call, page = std::move(*page)](Result<std::vector<PoolInfo>> pools) {
        if (!pools.ok())
            return call->reply(storageError(pools.error(), "Pools could not be listed."));
        Response response;
        response.body =
            adminPageBody(call, page, pools.value(), "pools",
                          [&](const PoolInfo& pool) { return poolDocument(pool, page.detailed); });
        response.addHeader("Content-Location",
                           call->request.path + toQueryString(call->request.query));
        call->reply(std::move(response));
    });
}

void poolGet(const CallPtr& call) {
    auto* store = management(call);
    if (!store) return;
    QueryParams params(call->request.query);
    std::optional<bool> detailed;
    if (auto r = params.getBool("detailed", detailed)) return call->reply(std::move(*r));
    store->pools(
        [call, isDetailed = detailed.value_or(false)](Result<std::vector<PoolInfo>> pools) {
            if (!pools.ok())
                return call->reply(storageError(pools.error(), "Pool could not be read."));
            const PoolInfo* pool = findPool(pools.value(), call->request.poolName);
            if (!pool) return call->reply(notFound(poolDoesNotExist(call->request.poolName)));
            Json doc = poolDocument(*pool, isDetailed);
            doc.set("href", Json::string(call->request.path));
            Response response;
            response.body = std::move(doc);
            call->reply(std::move(response));
        });
}

void poolCreate(const CallPtr& call) {
    auto* store = management(call);
    if (!store) return;
    Json doc;
    if (auto r = loadBody(call->request, doc)) return call->reply(std::move(*r));
    if (auto problem = checkCreate(doc.get())) return call->reply(schemaError(*problem));
    PoolInfo pool;
    pool.name = call->request.poolName;
    pool.uri = stringField(doc.get(), "uri");
    pool.weight = json_integer_value(doc.at("weight"));
    pool.flavor = stringField(doc.get(), "flavor");
    if (json_t* options = doc.at("options")) pool.options = Json::borrow(options);
    afterProbe(call, *store, pool.uri, [call, store, pool] {
        store->putPool(pool, [call, store](Status stored) {
            if (!stored.ok())
                return call->reply(storageError(stored.error(), "Pool could not be created."));
            store->announce("pools");
            Response response = emptyResponse(201);
            response.addHeader("Location", call->request.path);
            call->reply(std::move(response));
        });
    });
}

void poolUpdate(const CallPtr& call) {
    auto* store = management(call);
    if (!store) return;
    Json doc;
    if (auto r = loadBody(call->request, doc)) return call->reply(std::move(*r));
    bool any = false;
    if (json_is_object(doc.get()))
        for (const char* f : kFields) any = any || json_object_get(doc.get(), f);
    if (!any)
        return call->reply(
            badRequestBody("One of `uri`, `weight`, `flavor`, or `options` needs to be specified"));
    for (const char* f : kFields)
        if (auto problem = checkField(doc.get(), f)) return call->reply(schemaError(*problem));
    auto apply = [call, store, doc] {
        store->pools([call, store, doc](Result<std::vector<PoolInfo>> pools) {
            if (!pools.ok())
                return call->reply(storageError(pools.error(), "Pool could not be updated."));
            const PoolInfo* found = findPool(pools.value(), call->request.poolName);
            if (!found) return call->reply(notFound(poolDoesNotExist(call->request.poolName)));
            PoolInfo pool = *found;
            // Null fields are not given (Zaqar prunes None values).
            if (json_is_string(doc.at("uri"))) pool.uri = stringField(doc.get(), "uri");
            if (json_is_integer(doc.at("weight")))
                pool.weight = json_integer_value(doc.at("weight"));
            if (json_is_string(doc.at("flavor"))) pool.flavor = stringField(doc.get(), "flavor");
            if (json_is_object(doc.at("options"))) pool.options = Json::borrow(doc.at("options"));
            writePools(*store, {pool}, [call, pool](Status stored) {
                if (!stored.ok())
                    return call->reply(storageError(stored.error(), "Pool could not be updated."));
                Json body = poolDocument(pool, false);
                body.set("href", Json::string(call->request.path));
                Response response;
                response.body = std::move(body);
                call->reply(std::move(response));
            });
        });
    };
    if (json_is_string(doc.at("uri")))
        return afterProbe(call, *store, stringField(doc.get(), "uri"), std::move(apply));
    apply();
}

void poolDelete(const CallPtr& call) {
    auto* store = management(call);
    if (!store) return;
    store->pools([call, store](Result<std::vector<PoolInfo>> pools) {
        if (!pools.ok())
            return call->reply(storageError(pools.error(), "Pool could not be deleted."));
        const std::string& name = call->request.poolName;
        const PoolInfo* pool = findPool(pools.value(), name);
        if (!pool) return call->reply(emptyResponse(204));
        // Zaqar: the only pool of its flavor stays (the flavor would place nothing).
        if (!pool->flavor.empty()) {
            int inFlavor = 0;
            for (const auto& p : pools.value()) inFlavor += p.flavor == pool->flavor;
            if (inFlavor == 1)
                return call->reply(errorResponse(
                    403, "Unable to delete",
                    "This pool is used by flavors " + pool->flavor + "; It cannot be deleted."));
        }
        // Beyond Zaqar: a pool that still holds queues stays (their data would be
        // unreachable).
        store->poolQueueCount(name, [call, store, name](Result<int64_t> count) {
            if (!count.ok())
                return call->reply(storageError(count.error(), "Pool could not be deleted."));
            if (count.value() > 0)
                return call->reply(errorResponse(403, "Unable to delete",
                                                 "Pool " + name + " still holds " +
                                                     std::to_string(count.value()) +
                                                     " queue(s); delete them before the pool."));
            store->removePool(name, [call, store](Status removed) {
                if (!removed.ok())
                    return call->reply(storageError(removed.error(), "Pool could not be deleted."));
                store->announce("pools");
                call->reply(emptyResponse(204));
            });
        });
    });
}

}  // namespace zaqard::api::handlers
