// What the pool and flavor responders share (rest-v2.md §9): Zaqar's body loading
// (wsgi_utils.load), the schema checks with clean messages, and a sequential pool writer.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "src/api/errors.h"
#include "src/api/handlers/call.h"
#include "src/api/links.h"
#include "src/api/query.h"
#include "storage/pooling/management.h"

namespace zaqard::api::handlers {

// wsgi_utils.load: any JSON value, else 400 "JSON could not be parsed."
Rejection loadBody(const Request& request, Json& out);
// 400 "Invalid request body" with a schema message.
Response schemaError(const std::string& message);
// 503 when pooling is off (the routes are not even routed then: defensive).
storage::pooling::ManagementStore* management(const CallPtr& call);
// The pool rendered as Zaqar does: name, uri, weight, flavor (null when none), options when
// detailed; href added by the caller.
Json poolDocument(const storage::pooling::PoolInfo& pool, bool detailed);
// The pool called `name` in `pools`, or null.
const storage::pooling::PoolInfo* findPool(const std::vector<storage::pooling::PoolInfo>& pools,
                                           const std::string& name);
// The paging of GET /v2/pools and /v2/flavors: ?marker, ?limit (1..uplimit, default 10),
// ?detailed.
struct AdminPage {
    QueryParams params;
    std::string marker;
    int64_t size = 10;
    bool detailed = false;
};
// Nullopt when a parameter is invalid (the 400 is answered).
std::optional<AdminPage> readAdminPage(const CallPtr& call, int64_t uplimit);

// `{"links": [...], key: [...]}`: the named items after the page's marker, at most its
// size, each rendered by `render` and given its href.
template <class Item, class Render>
Json adminPageBody(const CallPtr& call, const AdminPage& page, const std::vector<Item>& items,
                   const char* key, Render render) {
    const std::string& path = call->request.path;
    Json rendered = Json::array();
    std::string last;
    int64_t taken = 0;
    for (const auto& item : items) {
        if (item.name <= page.marker || taken == page.size) continue;
        Json doc = render(item);
        doc.set("href", Json::string(path + "/" + item.name));
        rendered.append(std::move(doc));
        last = item.name;
        ++taken;
    }
    Json body = Json::object();
    body.set("links",
             pageLinks(taken == 0,
                       taken == 0 ? std::string() : nextPageHref(path, page.params.read(), last)));
    body.set(key, std::move(rendered));
    return body;
}

// Writes the pools one after the other, then tells every process ("pools").
void writePools(storage::pooling::ManagementStore& store,
                std::vector<storage::pooling::PoolInfo> pools, std::function<void(Status)> done);

}  // namespace zaqard::api::handlers
