// Flavor responders (rest-v2.md §9.2, Zaqar's wsgi/v2_0/flavors.py). A flavor belongs to
// the project of the request that created it; its pools are the pools whose `flavor`
// names it (PUT/PATCH set that field, DELETE clears it), as in Zaqar.
#include <set>

#include "src/api/handlers/handlers.h"
#include "src/api/handlers/pool_common.h"
#include "src/api/links.h"
#include "src/api/query.h"

namespace zaqard::api::handlers {

namespace {

using storage::pooling::FlavorInfo;
using storage::pooling::PoolInfo;

// Every zaqard pool is a Redis one with the same abilities: FIFO, claims, durability (AOF,
// and WAIT with redis_wait_replicas), at-once delivery and high throughput. Named, as the
// spec recommends (Zaqar 15 shows enum numbers).
Json capabilityNames(bool hasPools) {
    Json names = Json::array();
    if (!hasPools) return names;
    for (const char* name : {"FIFO", "CLAIMS", "DURABILITY", "AOD", "HIGH_THROUGHPUT"})
        names.append(Json::string(name));
    return names;
}

std::vector<std::string> poolsOf(const std::vector<PoolInfo>& pools, const std::string& flavor) {
    std::vector<std::string> names;
    for (const auto& pool : pools)
        if (pool.flavor == flavor) names.push_back(pool.name);
    return names;
}

Json nameList(const std::vector<std::string>& names) {
    Json list = Json::array();
    for (const auto& name : names) list.append(Json::string(name));
    return list;
}

const FlavorInfo* findFlavor(const std::vector<FlavorInfo>& flavors, const std::string& name) {
    for (const auto& flavor : flavors)
        if (flavor.name == name) return &flavor;
    return nullptr;
}

std::string flavorDoesNotExist(const std::string& name) {
    return "Flavor " + name + " does not exist";
}

// The create schema (common/api/schemas/flavors.py): pool_list required.
std::optional<std::string> checkCreate(const json_t* doc) {
    if (!json_is_object(doc)) return dumpJson(doc) + " is not of type 'object'";
    const char* key;
    json_t* value;
    json_object_foreach(const_cast<json_t*>(doc), key, value) {
        std::string k(key);
        if (k != "pool_list" && k != "capabilities")
            return "Additional properties are not allowed ('" + k + "' was unexpected)";
    }
    const json_t* pools = json_object_get(doc, "pool_list");
    if (!pools) return std::string("'pool_list' is a required property");
    if (!json_is_array(pools)) return dumpJson(pools) + " is not of type 'array'";
    const json_t* caps = json_object_get(doc, "capabilities");
    if (caps && !json_is_object(caps)) return dumpJson(caps) + " is not of type 'object'";
    return std::nullopt;
}

// The names in pool_list (non-strings are shown as JSON: they name no pool).
std::vector<std::string> requestedPools(const json_t* list) {
    std::vector<std::string> names;
    size_t i;
    json_t* item;
    json_array_foreach(list, i, item) {
        names.push_back(json_is_string(item) ? json_string_value(item) : dumpJson(item));
    }
    return names;
}

// The first requested pool that does not exist, if any.
std::optional<std::string> missingPool(const std::vector<PoolInfo>& pools,
                                       const std::vector<std::string>& names) {
    for (const auto& name : names)
        if (!findPool(pools, name)) return name;
    return std::nullopt;
}

}  // namespace

void flavorList(const CallPtr& call) {
    auto* store = management(call);
    if (!store) return;
    auto page = readAdminPage(call, call->limits().max_flavors_per_page);
    if (!page) return;
    store->flavors(call->project, [call, store, page = std::move(*page)](
                                      Result<std::vector<FlavorInfo>> flavors) {
        if (!flavors.ok())
            return call->reply(storageError(flavors.error(), "Flavors could not be listed."));
        store->pools([call, page,
                      flavors = std::move(flavors.value())](Result<std::vector<PoolInfo>> pools) {
            if (!pools.ok())
                return call->reply(storageError(pools.error(), "Flavors could not be listed."));
            Response response;
            response.body =
                adminPageBody(call, page, flavors, "flavors", [&](const FlavorInfo& flavor) {
                    Json item = Json::object();
                    item.set("name", Json::string(flavor.name));
                    auto names = poolsOf(pools.value(), flavor.name);
                    if (!names.empty()) item.set("pool_list", nameList(names));
                    if (page.detailed) item.set("capabilities", capabilityNames(!names.empty()));
                    return item;
                });
            call->reply(std::move(response));
        });
    });
}

namespace {

// GET's body (and PATCH's): name, capabilities, pool_list, href.
void replyFlavor(const CallPtr& call, const std::string& name,
                 const std::vector<std::string>& pools) {
    Json body = Json::object();
    body.set("name", Json::string(name));
    body.set("capabilities", capabilityNames(!pools.empty()));
    body.set("pool_list", nameList(pools));
    body.set("href", Json::string(call->request.path));
    Response response;
    response.body = std::move(body);
    call->reply(std::move(response));
}

// Reads the project's flavors and the pools, then runs `next` with both.
void withFlavorsAndPools(const CallPtr& call, storage::pooling::ManagementStore& store,
                         const std::string& sentence,
                         std::function<void(std::vector<FlavorInfo>, std::vector<PoolInfo>)> next) {
    store.flavors(call->project, [call, &store, sentence, next = std::move(next)](
                                     Result<std::vector<FlavorInfo>> flavors) mutable {
        if (!flavors.ok()) return call->reply(storageError(flavors.error(), sentence));
        store.pools([call, sentence, next = std::move(next), flavors = std::move(flavors.value())](
                        Result<std::vector<PoolInfo>> pools) mutable {
            if (!pools.ok()) return call->reply(storageError(pools.error(), sentence));
            next(std::move(flavors), std::move(pools.value()));
        });
    });
}

}  // namespace

void flavorGet(const CallPtr& call) {
    auto* store = management(call);
    if (!store) return;
    withFlavorsAndPools(call, *store, "Flavor could not be read.",
                        [call](std::vector<FlavorInfo> flavors, std::vector<PoolInfo> pools) {
                            const std::string& name = call->request.flavorName;
                            if (!findFlavor(flavors, name))
                                return call->reply(notFound(flavorDoesNotExist(name)));
                            replyFlavor(call, name, poolsOf(pools, name));
                        });
}

void flavorCreate(const CallPtr& call) {
    auto* store = management(call);
    if (!store) return;
    Json doc;
    if (auto r = loadBody(call->request, doc)) return call->reply(std::move(*r));
    if (auto problem = checkCreate(doc.get())) return call->reply(schemaError(*problem));
    auto names = requestedPools(doc.at("pool_list"));
    const std::string& name = call->request.flavorName;
    if (names.empty()) return call->reply(errorResponse(400, "Unable to create", "Bad Request"));
    Json caps = json_is_object(doc.at("capabilities")) ? Json::borrow(doc.at("capabilities"))
                                                       : Json::object();
    store->pools([call, store, names, name, caps](Result<std::vector<PoolInfo>> pools) {
        if (!pools.ok())
            return call->reply(storageError(pools.error(), "Flavor could not be created."));
        if (auto missing = missingPool(pools.value(), names))
            return call->reply(errorResponse(400, "Unable to create",
                                             "Flavor " + name + " could not be created, error:" +
                                                 "Pool " + *missing + " does not exist"));
        FlavorInfo flavor{name, call->project, caps};
        store->putFlavor(flavor, [call, store, names, name,
                                  all = pools.value()](Status stored) mutable {
            if (!stored.ok())
                return call->reply(storageError(stored.error(), "Flavor could not be created."));
            std::vector<PoolInfo> changed;
            for (const auto& pool : all) {
                if (std::find(names.begin(), names.end(), pool.name) == names.end()) continue;
                PoolInfo updated = pool;
                updated.flavor = name;
                changed.push_back(std::move(updated));
            }
            writePools(*store, std::move(changed), [call](Status written) {
                if (!written.ok())
                    return call->reply(
                        storageError(written.error(), "Flavor could not be created."));
                Response response = emptyResponse(201);
                response.addHeader("Location", call->request.path);
                call->reply(std::move(response));
            });
        });
    });
}

void flavorUpdate(const CallPtr& call) {
    auto* store = management(call);
    if (!store) return;
    Json doc;
    if (auto r = loadBody(call->request, doc)) return call->reply(std::move(*r));
    if (!json_is_object(doc.get()) || !doc.at("pool_list"))
        return call->reply(badRequestBody("`pool_list` needs to be specified"));
    if (!json_is_array(doc.at("pool_list")))
        return call->reply(schemaError(dumpJson(doc.at("pool_list")) + " is not of type 'array'"));
    auto names = requestedPools(doc.at("pool_list"));
    if (names.empty()) return call->reply(errorResponse(400, "Unable to create", "Bad Request"));
    withFlavorsAndPools(
        call, *store, "Flavor could not be updated.",
        [call, store, names](std::vector<FlavorInfo> flavors, std::vector<PoolInfo> pools) {
            const std::string& name = call->request.flavorName;
            if (!findFlavor(flavors, name)) return call->reply(notFound(flavorDoesNotExist(name)));
            if (auto missing = missingPool(pools, names))
                return call->reply(errorResponse(400, "updatefail",
                                                 "Flavor " + name + " cant be updated, error:" +
                                                     "Pool " + *missing + " does not exist"));
            // Listed pools join the flavor; pools dropped from the list leave it.
            std::vector<PoolInfo> changed;
            for (const auto& pool : pools) {
                bool listed = std::find(names.begin(), names.end(), pool.name) != names.end();
                if (listed == (pool.flavor == name)) continue;
                PoolInfo updated = pool;
                updated.flavor = listed ? name : "";
                changed.push_back(std::move(updated));
            }
            writePools(*store, std::move(changed), [call, names, name](Status written) {
                if (!written.ok())
                    return call->reply(
                        storageError(written.error(), "Flavor could not be updated."));
                replyFlavor(call, name, names);
            });
        });
}

void flavorDelete(const CallPtr& call) {
    auto* store = management(call);
    if (!store) return;
    store->pools([call, store](Result<std::vector<PoolInfo>> pools) {
        if (!pools.ok())
            return call->reply(storageError(pools.error(), "Flavor could not be deleted."));
        const std::string& name = call->request.flavorName;
        std::vector<PoolInfo> changed;
        for (const auto& pool : pools.value()) {
            if (pool.flavor != name) continue;
            PoolInfo updated = pool;
            updated.flavor.clear();
            changed.push_back(std::move(updated));
        }
        writePools(*store, std::move(changed), [call, store, name](Status written) {
            if (!written.ok())
                return call->reply(storageError(written.error(), "Flavor could not be deleted."));
            store->removeFlavor(call->project, name, [call](Status removed) {
                if (!removed.ok())
                    return call->reply(
                        storageError(removed.error(), "Flavor could not be deleted."));
                call->reply(emptyResponse(204));
            });
        });
    });
}

}  // namespace zaqard::api::handlers
