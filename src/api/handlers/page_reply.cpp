#include "src/api/handlers/page_reply.h"

#include "src/api/errors.h"
#include "src/api/links.h"
#include "src/api/render_websocket.h"
#include "src/api/subscription_validation.h"

namespace zaqard::api::handlers {

Rejection readPageQuery(const CallPtr& call, QueryParams& params, PageQuery& out) {
    std::optional<int64_t> limit;
    if (auto m = params.getString("marker")) out.marker = *m;
    if (auto r = params.getInt("limit", limit)) return r;
    if (limit) {
        if (auto problem = subscriptionListLimit(*limit, call->limits()))
            return badRequestApi(*problem);
        out.limit = *limit;
    }
    return std::nullopt;
}

void replyPage(const CallPtr& call, const char* name, Json items, bool empty,
               const QueryParams& params, const std::string& nextMarker) {
    Json body = Json::object();
    body.set(name, std::move(items));
    if (call->websocket()) return call->reply(ws::reply(200, std::move(body)));
    std::string href =
        empty ? std::string() : nextPageHref(call->request.path, params.read(), nextMarker);
    body.set("links", pageLinks(empty, href));
    Response response;
    response.body = std::move(body);
    call->reply(std::move(response));
}

}  // namespace zaqard::api::handlers
