#include "src/api/handlers/page_reply.h"

#include "src/api/links.h"
#include "src/api/render_websocket.h"

namespace zaqard::api::handlers {

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
