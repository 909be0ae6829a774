// Beyond Zaqar: a queue's notification dead letters (docs/api.md, "Notification dead
// letters"): the deliveries the notification engine gave up on, listed page by page
// (GET /v2/queues/{q}/subscriptions/dead_letters, WebSocket subscription_dead_letter_list)
// and dropped, all or by id (DELETE, subscription_dead_letter_delete).
#include <cstdlib>

#include "src/api/errors.h"
#include "src/api/handlers/handlers.h"
#include "src/api/handlers/page_reply.h"
#include "src/api/links.h"
#include "src/api/query.h"
#include "src/api/render_rest.h"
#include "src/api/render_websocket.h"
#include "src/api/subscription_validation.h"

namespace zaqard::api::handlers {

namespace {

constexpr size_t kMaxIds = 1000;

// One dead letter: what the engine recorded (docs/notifications.md, "Operator
// visibility"), and the message body of a notification.
Json renderDeadLetter(const storage::NotificationDeadLetter& entry) {
    Json out = Json::object();
    out.set("id", Json::string(entry.id));
    out.set("created",
            Json::string(rest::isoTimestamp(static_cast<double>(entry.createdMs) / 1000.0)));
    std::string record;
    for (const auto& [field, value] : entry.fields) {
        if (field == "record") {
            record = value;
        } else if (field == "attempts") {
            out.set("attempts", Json::integer(std::strtoll(value.c_str(), nullptr, 10)));
        } else if (field == "subscription_id" || field == "subscriber" || field == "kind" ||
                   field == "message_id" || field == "reason") {
            out.set(field, Json::string(value));
        }
    }
    // The record is the engine's own delivery JSON: its "b" holds the message body text.
    Json parsed = parseJsonValue(record);
    const json_t* body = parsed ? json_object_get(parsed.get(), "b") : nullptr;
    if (json_is_string(body)) out.set("body", rest::messageBody(json_string_value(body)));
    return out;
}

}  // namespace

void subscriptionDeadLetterList(const CallPtr& call) {
    QueryParams params(call->request.query);
    PageQuery query;
    if (auto r = readPageQuery(call, params, query)) return call->reply(std::move(*r));
    const std::string& marker = query.marker;
    call->storage.subscriptions.listDeadLetters(
        call->queue(), marker, query.limit,
        [call, params](Result<storage::NotificationDeadLetterPage> page) mutable {
            if (!page)
                return call->reply(storageError(page.error(), "Dead letters could not be listed."));
            Json items = Json::array();
            for (const auto& entry : page->entries) items.append(renderDeadLetter(entry));
            replyPage(call, "dead_letters", std::move(items), page->entries.empty(), params,
                      page->nextMarker);
        });
}

void subscriptionDeadLetterDelete(const CallPtr& call) {
    QueryParams params(call->request.query);
    std::vector<std::string> ids;
    if (auto list = params.getList("ids")) ids = std::move(*list);
    bool given = false;
    for (const auto& [name, value] : call->request.query)
        if (name == "ids") given = true;
    // An explicit but empty list (a WebSocket "ids": []) names nothing: it must not read
    // as "all". REST drops blank query values before (Zaqar's rule), as if absent.
    if (given && ids.empty())
        return call->reply(badRequestApi("\"ids\" must name 1 to " + std::to_string(kMaxIds) +
                                         " dead letters (omit it to drop them all)."));
    if (ids.size() > kMaxIds)
        return call->reply(badRequestApi("\"ids\" must name 1 to " + std::to_string(kMaxIds) +
                                         " dead letters (omit it to drop them all)."));
    call->storage.subscriptions.removeDeadLetters(call->queue(), ids, [call](Status done) {
        if (!done)
            return call->reply(storageError(done.error(), "Dead letters could not be deleted."));
        call->reply(call->websocket() ? ws::reply(204, Json::object()) : emptyResponse(204));
    });
}

}  // namespace zaqard::api::handlers
