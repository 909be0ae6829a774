// Shared pool/flavor helpers; see pool_common.h.
#include "src/api/handlers/pool_common.h"

#include <memory>

namespace zaqard::api::handlers {

Rejection loadBody(const Request& request, Json& out) {
    out = parseJsonValue(request.body);
    if (!out) return badRequestBody("JSON could not be parsed.");
    return std::nullopt;
}

Response schemaError(const std::string& message) {
    return badRequestBody(message);
}

std::optional<AdminPage> readAdminPage(const CallPtr& call, int64_t uplimit) {
    AdminPage page{QueryParams(call->request.query), "", 10, false};
    std::optional<int64_t> limit;
    std::optional<bool> detailed;
    page.marker = page.params.getString("marker").value_or("");
    if (auto r = page.params.getInt("limit", limit)) {
        call->reply(std::move(*r));
        return std::nullopt;
    }
    if (auto r = page.params.getBool("detailed", detailed)) {
        call->reply(std::move(*r));
        return std::nullopt;
    }
    if (limit && !(*limit > 0 && *limit <= uplimit)) {
        call->reply(badRequestApi("Limit must be at least 1 and no greater than " +
                                  std::to_string(uplimit) + "."));
        return std::nullopt;
    }
    page.size = limit.value_or(10);
    page.detailed = detailed.value_or(false);
    return page;
}

storage::pooling::ManagementStore* management(const CallPtr& call) {
    if (!call->storage.management) call->reply(serviceUnavailable("Pooling is not enabled."));
    return call->storage.management;
}

Json poolDocument(const storage::pooling::PoolInfo& pool, bool detailed) {
    Json doc = Json::object();
    doc.set("name", Json::string(pool.name));
    doc.set("uri", Json::string(pool.uri));
    doc.set("weight", Json::integer(pool.weight));
    doc.set("flavor", pool.flavor.empty() ? Json::null() : Json::string(pool.flavor));
    if (detailed) doc.set("options", pool.options ? pool.options : Json::object());
    return doc;
}

const storage::pooling::PoolInfo* findPool(const std::vector<storage::pooling::PoolInfo>& pools,
                                           const std::string& name) {
    for (const auto& pool : pools)
        if (pool.name == name) return &pool;
    return nullptr;
}

void writePools(storage::pooling::ManagementStore& store,
                std::vector<storage::pooling::PoolInfo> pools, std::function<void(Status)> done) {
    struct Writer : std::enable_shared_from_this<Writer> {
        storage::pooling::ManagementStore& store;
        std::vector<storage::pooling::PoolInfo> pools;
        std::function<void(Status)> done;
        size_t next = 0;
        Writer(storage::pooling::ManagementStore& s, std::vector<storage::pooling::PoolInfo> p,
               std::function<void(Status)> d)
            : store(s), pools(std::move(p)), done(std::move(d)) {}
        void step() {
            if (next == pools.size()) {
                store.announce("pools");
                return done(Unit{});
            }
            auto self = shared_from_this();
            store.putPool(pools[next++], [self](Status status) {
                if (!status.ok()) {
                    self->store.announce("pools");
                    return self->done(status);
                }
                self->step();
            });
        }
    };
    std::make_shared<Writer>(store, std::move(pools), std::move(done))->step();
}

}  // namespace zaqard::api::handlers
