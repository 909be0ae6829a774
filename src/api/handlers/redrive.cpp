// Beyond Zaqar: dead-letter redrive (docs/api.md, "Dead-letter redrive"). POST
// /v2/queues/{q}/redrive (WebSocket queue_redrive) moves messages of q's
// _dead_letter_queue back to q: every one, the `ids` given, at most `limit`, paced at
// `rate` messages per second. The answer comes once they were moved.
#include "src/api/body.h"
#include "src/api/errors.h"
#include "src/api/handlers/handlers.h"
#include "src/api/render_websocket.h"
#include "src/api/validation.h"

namespace zaqard::api::handlers {

namespace {

constexpr size_t kMaxIds = 1000;
constexpr int64_t kMaxRate = 10000;
constexpr const char* kSentence = "Messages could not be redriven.";

// The options of a redrive; fills `out` or answers the rejection.
Rejection parseRedrive(const CallPtr& call, storage::RedriveRequest& out) {
    const Request& req = call->request;
    Json document = Json::object();
    if (call->websocket()) {
        document = parseJsonValue(req.body);
    } else if (req.hasBody && !req.body.empty()) {
        if (auto r = deserializeBody(req, document)) return r;
    }
    if (!json_is_object(document.get())) return documentTypeNotSupported();
    if (const json_t* ids = json_object_get(document.get(), "ids")) {
        if (!json_is_array(ids) || json_array_size(ids) == 0 || json_array_size(ids) > kMaxIds)
            return badRequestApi("\"ids\" must be a list of 1 to " + std::to_string(kMaxIds) +
                                 " message ids.");
        size_t index;
        json_t* id;
        json_array_foreach(ids, index, id) {
            if (!json_is_string(id))
                return badRequestApi("\"ids\" must be a list of 1 to " + std::to_string(kMaxIds) +
                                     " message ids.");
            out.ids.emplace_back(json_string_value(id));
        }
    }
    if (const json_t* limit = json_object_get(document.get(), "limit")) {
        if (!json_is_integer(limit) || json_integer_value(limit) < 1)
            return badRequestApi("\"limit\" must be an integer of at least 1.");
        out.limit = json_integer_value(limit);
    }
    if (const json_t* rate = json_object_get(document.get(), "rate")) {
        if (!json_is_integer(rate) || json_integer_value(rate) < 1 ||
            json_integer_value(rate) > kMaxRate)
            return badRequestApi("\"rate\" must be an integer from 1 to " +
                                 std::to_string(kMaxRate) + " (messages per second).");
        out.rate = json_integer_value(rate);
    }
    return std::nullopt;
}

}  // namespace

void queueRedrive(const CallPtr& call) {
    storage::RedriveRequest redrive;
    if (auto rejection = parseRedrive(call, redrive)) return call->reply(std::move(*rejection));
    redrive.source = call->queue();
    call->storage.queues.getMetadata(
        call->queue(),
        [call, redrive = std::move(redrive)](Result<std::optional<Json>> metadata) mutable {
            if (!metadata) return call->reply(storageError(metadata.error(), kSentence));
            if (!metadata.value())
                return call->reply(
                    notFound(queueDoesNotExist(call->name(), call->project, call->noun())));
            const json_t* dlq = json_object_get(metadata.value()->get(), "_dead_letter_queue");
            if (!json_is_string(dlq) || !isValidQueueName(json_string_value(dlq)) ||
                call->name() == json_string_value(dlq))
                return call->reply(badRequestApi(
                    "Queue " + call->name() +
                    " has no dead-letter queue to redrive from (its \"_dead_letter_queue\" "
                    "metadata must name another queue)."));
            redrive.deadLetterQueue = json_string_value(dlq);
            call->storage.messages.redrive(redrive, [call](Result<storage::RedriveResult> moved) {
                if (!moved) return call->reply(storageError(moved.error(), kSentence));
                Json ids = Json::array();
                for (const auto& id : moved->ids) ids.append(Json::string(id));
                Json body = Json::object();
                body.set("moved", Json::integer(static_cast<int64_t>(moved->ids.size())));
                body.set("ids", std::move(ids));
                if (call->websocket()) return call->reply(ws::reply(200, std::move(body)));
                Response response;
                response.body = std::move(body);
                call->reply(std::move(response));
            });
        });
}

}  // namespace zaqard::api::handlers
