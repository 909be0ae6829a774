// Message responders (rest-v2.md §5): post, list, get by ids, get one, bulk delete, pop,
// delete one.
#include "src/api/body.h"
#include "src/api/errors.h"
#include "src/api/handlers/handlers.h"
#include "src/api/handlers/long_poll.h"
#include "src/api/idempotency.h"
#include "src/api/links.h"
#include "src/api/post_body.h"
#include "src/api/python_compat.h"
#include "src/api/query.h"
#include "src/api/render_rest.h"
#include "src/api/render_websocket.h"
#include "src/api/validation.h"
#include "src/common/uuid.h"
#include "src/metrics/record.h"

namespace zaqard::api::handlers {

namespace {

// Zaqar creates the queue before it validates a post, so a rejected post still leaves
// the queue behind (rest-v2.md §1.8). Send the rejection once the queue exists.
void rejectPostAfterCreatingQueue(const CallPtr& call, Response rejection) {
    auto pending = std::make_shared<Response>(std::move(rejection));
    call->storage.queues.create(call->queue(), Json::object(), [call, pending](Result<bool> done) {
        if (!done)
            return call->reply(storageError(done.error(), "Messages could not be enqueued."));
        call->reply(std::move(*pending));
    });
}

// Parses and checks the post body; fills `out` or answers the rejection. Each message's
// body is stored as the text the client sent (post_body.h): validated, not re-serialised.
Rejection parsePost(const CallPtr& call, std::vector<storage::NewMessage>& out) {
    const Request& req = call->request;
    if (req.hasBody) {
        if (auto problem = messagePostSize(measuredSize(req, "messages"), call->limits()))
            return badRequestApi(*problem);
    }
    if (!req.hasBody) return badRequestBody("Request body can not be empty");
#ifdef ZAQARD_POST_BODY_JANSSON
    PostDocument document = readPostBodyWithJansson(req.body);
#else
    PostDocument document = readPostBody(req.body);
#endif
    if (auto r = parseRejection(document.error)) return r;
    // A bare array is the v1 format: it has no "messages" key either.
    if (!document.hasMessages) return badRequestApi("No messages were found in the request body.");
    if (!document.messagesIsArray) return documentTypeNotSupported();
    out.reserve(document.items.size());
    for (PostItem& item : document.items) {
        // Zaqar crashes (500) on a non-object item; a 400 says what is wrong.
        if (!item.isObject) return documentTypeNotSupported();
        const json_t* raw = item.fields.get();  // null when none of the fields is there
        storage::NewMessage message;
        // Spec order: ttl, body, then delay.
        if (json_object_get(raw, "ttl") != nullptr) {
            int64_t value = 0;
            if (auto r = checkedIntField(raw, "ttl", 0, value)) return r;
            message.ttl = value;
        }
        if (!item.body) return badRequestBody("Missing \"body\" field.");
        message.body = std::move(*item.body);
        // Zaqar reads `delay` (as an int, spec order after body) only when the queue has a
        // default delay, which only the storage script knows; storage drops it for other
        // queues, as Zaqar does, and range-checks it for these. Beyond Zaqar: a delay of
        // the wrong type (null, 1.5, "60", [], {}) is refused on every queue with the text
        // Zaqar gives on a queue with a default delay, so a client bug shows everywhere.
        // true is the Python int 1, as in Zaqar.
        if (json_object_get(raw, "delay") != nullptr) {
            int64_t value = 0;
            if (auto r = checkedIntField(raw, "delay", 0, value)) return r;
            message.delay = value;
        }
        Description problem;
        message.idempotencyKey = messageIdempotencyKey(raw, problem);
        if (problem) return badRequestApi(*problem);
        // Beyond Zaqar (docs/api.md, "FIFO message groups"): absent for Zaqar clients.
        if (const json_t* group = json_object_get(raw, "group")) {
            if (!json_is_string(group) || !isValidMessageGroup(json_string_value(group)))
                return badRequestApi(kMessageGroupText);
            message.group = json_string_value(group);
        }
        out.push_back(std::move(message));
    }
    if (out.empty()) return badRequestApi("No messages to enqueu.");  // sic
    for (const auto& message : out) {
        if (!message.ttl) continue;  // storage applies a default, always in range
        if (auto problem = messageTtl(*message.ttl, call->limits())) return badRequestApi(*problem);
    }
    return std::nullopt;
}

// The `ids` parameter. A WebSocket frame's message_ids is a JSON array: an empty one is a
// list of no ids (Zaqar then answers its range text), where REST's blank `?ids=` is as if
// not sent. The transport always passes a frame's message_ids on as `ids`, blank or not.
std::optional<std::vector<std::string>> idsParam(const CallPtr& call, const QueryParams& params) {
    auto ids = params.getList("ids");
    if (ids || !call->websocket()) return ids;
    for (const auto& [name, value] : call->request.query)
        if (name == "ids") return std::vector<std::string>{};
    return std::nullopt;
}

void replyById(const CallPtr& call, std::vector<std::string> ids) {
    if (auto problem = messageListLimit(static_cast<int64_t>(ids.size()), call->limits()))
        return call->reply(badRequestApi(*problem));
    call->storage.messages.get(
        call->queue(), ids, [call, ids](Result<storage::GetMessagesResult> found) {
            if (!found)
                return call->reply(storageError(found.error(), "Message could not be retrieved."));
            if (call->websocket()) {
                // WebSocket lists what it found, possibly nothing, with 200.
                Json items = Json::array();
                for (const auto& m : found->messages) items.append(ws::message(m, ""));
                return call->reply(
                    ws::reply(200, Json::object().set("messages", std::move(items))));
            }
            if (found->messages.empty()) {
                return call->reply(notFound("No messages with IDs: " + py::reprList(ids) +
                                            " found in the " + call->noun(false) + " " +
                                            call->name() + " for project " + call->project + "."));
            }
            Response response;
            response.rawBody =
                rest::messagesText(found->messages, call->basePath(), "", call->checksum(), "");
            call->reply(std::move(response));
        });
}

// Zaqar's WebSocket message_delete: the storage exception's text, then the summary.
void replyWebSocketDelete(const CallPtr& call, const std::optional<std::string>& claimId,
                          storage::DeleteOutcome outcome) {
    const Request& req = call->request;
    const std::string kClaimed =
        "This message is claimed; it cannot be deleted without a valid claim ID.";
    const std::string kNoClaim = "The specified claim does not exist or has expired.";
    const std::string claim = claimId.value_or("");
    switch (outcome) {
        case storage::DeleteOutcome::Deleted:
            return call->reply(ws::reply(204, Json::object()));
        case storage::DeleteOutcome::ClaimedNoClaimId:
            return call->reply(
                ws::error(403, "Message " + req.messageId + " is claimed", kClaimed));
        case storage::DeleteOutcome::ClaimedByOther:
            return call->reply(ws::error(
                403, "Message " + req.messageId + " is not claimed by " + claim, kClaimed));
        case storage::DeleteOutcome::ClaimUnknown:
            return call->reply(ws::error(
                400, claimDoesNotExist(claim, call->name(), call->project, call->noun(false)),
                kNoClaim));
        case storage::DeleteOutcome::NotClaimed:
            if (!normalizeUuid(claim))
                return call->reply(ws::error(
                    400, claimDoesNotExist(claim, call->name(), call->project, call->noun(false)),
                    kNoClaim));
            return call->reply(
                ws::error(400, "Message " + req.messageId + " is no longer claimed",
                          std::string("A claim was specified, but the message is not currently "
                                      "claimed.")));
    }
    call->reply(ws::reply(204, Json::object()));
}

// Answers a listing: REST with its next-page link (built from the parameters read).
void replyPage(const CallPtr& call, QueryParams& params, Result<storage::MessagePage> page) {
    if (!page) return call->reply(storageError(page.error(), "Messages could not be listed."));
    const auto& messages = page->messages;
    if (call->websocket()) {
        // No links or marker; claim_id is always null in a listing (format_message).
        Json items = Json::array();
        for (const auto& m : messages) items.append(ws::message(m, ""));
        return call->reply(ws::reply(200, Json::object().set("messages", std::move(items))));
    }
    std::string href;
    if (!messages.empty()) {
        // Without a queue default delay Zaqar forces include_delayed=true, and the
        // link shows it.
        if (!page->queueDelaysEnabled) params.setRead("include_delayed", "true");
        std::string marker = page->nextMarker.empty() ? messages.back().id : page->nextMarker;
        href = nextPageHref(call->request.path, params.read(), marker);
    }
    std::string links = ",\"links\":" + dumpJson(pageLinks(messages.empty(), href).get());
    Response response;
    response.rawBody = rest::messagesText(messages, call->basePath(), "", call->checksum(), links);
    call->reply(std::move(response));
}

}  // namespace

void messagePost(const CallPtr& call) {
    storage::PostRequest post;
    if (auto rejection = parsePost(call, post.messages))
        return rejectPostAfterCreatingQueue(call, std::move(*rejection));
    Description problem;
    post.idempotencyKey = requestIdempotencyKey(call->request.headers, problem);
    if (problem) return rejectPostAfterCreatingQueue(call, badRequestApi(*problem));
    post.queue = call->queue();
    post.clientId = call->clientId;
    post.traceId = call->request.requestId;
    if (post.queue.kind == storage::ResourceKind::Queue)
        metrics::queuePosted(post.queue.project, post.queue.name, post.messages.size());
    // Also checked against the queue's _max_messages_post_size, measured the same way.
    post.bodySize = static_cast<int64_t>(measuredSize(call->request, "messages"));
    call->storage.messages.post(post, [call](Result<storage::PostResult> posted) {
        if (!posted) {
            const char* sentence = posted.error().kind == ErrorKind::Conflict
                                       ? "No messages could be enqueued."
                                       : "Messages could not be enqueued.";
            if (posted.error().kind == ErrorKind::Conflict)
                return call->reply(serviceUnavailable(sentence));
            return call->reply(storageError(posted.error(), sentence));
        }
        switch (posted->refusal) {
            case storage::PostRefusal::TooLargeForQueue:
                return call->reply(badRequestApi(
                    messagePostSizeForQueue(posted->queueMaxPostSize, call->limits())));
            case storage::PostRefusal::InvalidDelay:
                return call->reply(badRequestApi(*messageDelayText(call->limits())));
            case storage::PostRefusal::NeedsSealing:  // storage::SealingStores handles it
                return call->reply(serviceUnavailable("Messages could not be enqueued."));
            case storage::PostRefusal::None:
                break;
        }
        if (call->websocket()) {
            Json ids = Json::array();
            for (const auto& id : posted->ids) ids.append(Json::string(id));
            return call->reply(ws::reply(201, Json::object().set("message_ids", std::move(ids))));
        }
        // Rendered as text, byte for byte what jansson would write: the ids are our own
        // UUIDs (nothing to escape) and the path prefix is encoded once, not per message.
        const std::string& path = call->request.path;
        std::string prefix = dumpJson(Json::string(path + "/").get());
        prefix.pop_back();  // the closing quote; each id gets its own
        std::string ids;
        std::string body = "{\"resources\":[";
        body.reserve(body.size() + posted->ids.size() * (prefix.size() + 40) + 2);
        for (size_t i = 0; i < posted->ids.size(); ++i) {
            const std::string& id = posted->ids[i];
            if (i > 0) {
                ids += ',';
                body += ',';
            }
            ids += id;
            body += prefix;
            body += id;
            body += '"';
        }
        body += "]}";
        Response response;
        response.status = 201;
        response.addHeader("Location", path + "?ids=" + ids);
        response.rawBody = std::move(body);
        call->reply(std::move(response));
    });
}

void messageList(const CallPtr& call) {
    QueryParams params(call->request.query);
    if (auto ids = idsParam(call, params)) return replyById(call, std::move(*ids));

    storage::ListRequest list;
    list.queue = call->queue();
    list.clientId = call->clientId;
    std::optional<int64_t> limit, wait;
    std::optional<bool> echo, includeClaimed, includeDelayed;
    if (auto marker = params.getString("marker")) list.marker = *marker;
    if (auto r = params.getInt("limit", limit)) return call->reply(std::move(*r));
    if (auto r = params.getBool("echo", echo)) return call->reply(std::move(*r));
    if (auto r = params.getBool("include_claimed", includeClaimed))
        return call->reply(std::move(*r));
    if (auto r = params.getBool("include_delayed", includeDelayed))
        return call->reply(std::move(*r));
    if (auto r = readWait(params, wait)) return call->reply(std::move(*r));
    if (limit) {
        if (auto problem = messageListLimit(*limit, call->limits()))
            return call->reply(badRequestApi(*problem));
        list.limit = *limit;
    }
    if (wait) {
        if (auto r = checkWait(call, *wait)) return call->reply(std::move(*r));
    }
    list.echo = echo.value_or(false);
    list.includeClaimed = includeClaimed.value_or(false);
    list.includeDelayed = includeDelayed.value_or(false);

    if (!waits(call, wait))
        return call->storage.messages.list(
            list, [call, params](Result<storage::MessagePage> page) mutable {
                replyPage(call, params, std::move(page));
            });
    longPoll(call, Waiters::Kind::List, *wait,
             [call, list, params](Waiters::Attempt attempt,
                                  std::function<void(Waiters::Outcome)> done) mutable {
                 list.waitMs = attempt.final ? 0 : attempt.markMs;
                 call->storage.messages.list(list, [call, params, attempt, done](
                                                       Result<storage::MessagePage> page) mutable {
                     if (!attempt.final && page && page->messages.empty())
                         return done({false, page->wakeInMs});
                     replyPage(call, params, std::move(page));
                     done({true, -1});
                 });
             });
}

void messageDeleteMany(const CallPtr& call) {
    QueryParams params(call->request.query);
    const auto& limits = call->limits();
    auto ids = idsParam(call, params);
    std::optional<std::vector<std::string>> claimIds;
    if (limits.message_delete_with_claim_id) claimIds = params.getList("claim_ids");
    std::optional<int64_t> pop;
    if (auto r = params.getInt("pop", pop)) return call->reply(std::move(*r));

    // Validator.message_deletion, in its order.
    if (pop && ids)
        return call->reply(
            badRequestApi("pop and id params cannot be present together in the delete request."));
    if (!pop && !ids)
        return call->reply(
            badRequestApi("The request should have either \"ids\" or \"pop\" parameter in the "
                          "request, to be able to delete."));
    if (limits.message_delete_with_claim_id) {
        bool idsGiven = ids && !ids->empty();
        bool claimIdsGiven = claimIds && !claimIds->empty();
        if ((idsGiven && !claimIds) || (!ids && claimIdsGiven))
            return call->reply(
                badRequestApi("The request should have both \"ids\" and \"claim_ids\" parameter "
                              "in the request when message_delete_with_claim_id is True."));
    }
    if (pop) {
        if (auto problem = popLimit(*pop, limits)) return call->reply(badRequestApi(*problem));
    }
    if (ids) {
        if (auto problem = deleteIdsCount(ids->size(), limits))
            return call->reply(badRequestApi(*problem));
    }

    if (ids) {
        auto done = [call](Status status) {
            if (!status) {
                // With message_delete_with_claim_id, storage refuses when a message is not
                // held by the given claims (Zaqar: 503; the spec recommends a 4xx).
                if (status.error().kind == ErrorKind::Forbidden)
                    return call->reply(errorResponse(
                        403, "Unable to delete",
                        "This message is claimed; it cannot be deleted without a valid claim "
                        "ID."));
                return call->reply(storageError(status.error(), "Messages could not be deleted."));
            }
            call->reply(call->websocket() ? ws::reply(204, Json::object()) : emptyResponse(204));
        };
        if (limits.message_delete_with_claim_id)
            return call->storage.messages.removeManyClaimed(
                call->queue(), *ids, claimIds.value_or(std::vector<std::string>{}), done);
        return call->storage.messages.removeMany(call->queue(), *ids, done);
    }

    call->storage.messages.pop(
        call->queue(), *pop, [call](Result<std::vector<storage::Message>> popped) {
            if (!popped)
                return call->reply(storageError(popped.error(), "Messages could not be popped."));
            Json items = Json::array();
            for (const auto& m : popped.value())
                items.append(call->websocket() ? ws::popItem(m)
                                               : rest::popItem(m, call->checksum()));
            Json body = Json::object();
            body.set("messages", std::move(items));
            Response response;
            response.body = std::move(body);
            call->reply(std::move(response));
        });
}

void messageGet(const CallPtr& call) {
    std::vector<std::string> ids = {call->request.messageId};
    call->storage.messages.get(
        call->queue(), ids, [call](Result<storage::GetMessagesResult> found) {
            const Request& req = call->request;
            if (!found)
                return call->reply(storageError(found.error(), "Message could not be retrieved."));
            if (!found->queueExists)
                return call->reply(
                    notFound(queueDoesNotExist(call->name(), call->project, call->noun())));
            if (found->messages.empty())
                return call->reply(notFound(messageDoesNotExist(req.messageId, call->name(),
                                                                call->project, call->noun(false))));
            if (call->websocket())
                return call->reply(ws::reply(
                    200, Json::object().set("messages", ws::message(found->messages.front(), ""))));
            Response response;
            response.rawBody =
                rest::messageText(found->messages.front(), call->basePath(), call->checksum());
            call->reply(std::move(response));
        });
}

void messageDelete(const CallPtr& call) {
    QueryParams params(call->request.query);
    std::optional<std::string> claimId = params.getString("claim_id");
    call->storage.messages.remove(
        call->queue(), call->request.messageId, claimId,
        [call, claimId](Result<storage::DeleteOutcome> outcome) {
            if (!outcome)
                return call->reply(storageError(outcome.error(), "Message could not be deleted."));
            if (call->websocket()) return replyWebSocketDelete(call, claimId, outcome.value());
            const char* kTitle = "Unable to delete";
            const char* kClaimed =
                "This message is claimed; it cannot be deleted without a valid claim ID.";
            const char* kNoClaim = "The specified claim does not exist or has expired.";
            switch (outcome.value()) {
                case storage::DeleteOutcome::Deleted:
                    return call->reply(emptyResponse(204));
                case storage::DeleteOutcome::ClaimedNoClaimId:
                case storage::DeleteOutcome::ClaimedByOther:
                    return call->reply(errorResponse(403, kTitle, kClaimed));
                case storage::DeleteOutcome::ClaimUnknown:
                    return call->reply(errorResponse(400, kTitle, kNoClaim));
                case storage::DeleteOutcome::NotClaimed:
                    // Zaqar rejects a malformed claim id before looking at the message's
                    // claim, with the "does not exist" text.
                    if (claimId && !normalizeUuid(*claimId))
                        return call->reply(errorResponse(400, kTitle, kNoClaim));
                    return call->reply(errorResponse(
                        400, kTitle,
                        "A claim was specified, but the message is not currently claimed."));
            }
            call->reply(emptyResponse(204));
        });
}

}  // namespace zaqard::api::handlers
