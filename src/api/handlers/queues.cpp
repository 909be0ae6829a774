// Queue responders (rest-v2.md §4.2–§4.6, §4.8): list, create, get, PATCH, delete,
// stats, purge. Topics (§8) use the same responders: Call::kind selects the storage
// namespace, the texts ("Topic(s) ..."), the list key and the reserved keys shown.
#include <set>

#include "src/api/body.h"
#include "src/api/checksum.h"
#include "src/api/errors.h"
#include "src/api/handlers/handlers.h"
#include "src/api/json_patch.h"
#include "src/api/links.h"
#include "src/api/python_compat.h"
#include "src/api/query.h"
#include "src/api/queue_metadata.h"
#include "src/api/render_rest.h"
#include "src/api/render_websocket.h"
#include "src/api/validation.h"
#include "src/common/log.h"

namespace zaqard::api::handlers {

namespace {

constexpr const char* kPatchMediaType = "application/openstack-messaging-v2.0-json-patch";

// WebSocket queue_list: names and raw stored metadata only, no href, links or count.
void replyWebSocketQueueList(const CallPtr& call, bool detailed,
                             const std::vector<storage::QueueInfo>& queues) {
    const char* key = call->topic() ? "topics" : "queues";
    Json items = Json::array();
    for (const auto& info : queues) {
        Json item = Json::object();
        item.set("name", Json::string(info.name));
        if (detailed) item.set("metadata", info.metadata ? info.metadata : Json::object());
        items.append(std::move(item));
    }
    call->reply(ws::reply(200, Json::object().set(key, std::move(items))));
}

void replyQueueList(const CallPtr& call, const QueryParams& params, bool detailed,
                    const std::vector<storage::QueueInfo>& queues, int64_t count) {
    if (call->websocket()) return replyWebSocketQueueList(call, detailed, queues);
    const std::string& path = call->request.path;
    Json items = Json::array();
    for (const auto& info : queues) {
        Json item = Json::object();
        item.set("name", Json::string(info.name));
        item.set("href", Json::string(path + "/" + info.name));
        if (detailed)
            item.set("metadata",
                     withReservedDefaults(info.metadata.get(), call->limits(), call->topic()));
        items.append(std::move(item));
    }
    std::string href =
        queues.empty() ? std::string() : nextPageHref(path, params.read(), queues.back().name);
    Json body = Json::object();
    body.set(call->topic() ? "topics" : "queues", std::move(items));
    body.set("links", pageLinks(queues.empty(), href));
    // Zaqar omits a zero count (it tests the number for truth).
    if (count > 0) body.set("count", Json::integer(count));
    Response response;
    response.body = std::move(body);
    call->reply(std::move(response));
}

}  // namespace

void queueList(const CallPtr& call) {
    QueryParams params(call->request.query);
    storage::QueueListRequest list;
    list.project = call->project;
    list.kind = call->kind;
    // Topic listings have no with_count: Zaqar's topic endpoint reads it as a filter.
    const bool topic = call->topic();
    // Read in Zaqar's order: it is also the order of the next link's query.
    std::optional<int64_t> limit;
    std::optional<bool> detailed, withCount;
    if (auto marker = params.getString("marker")) list.marker = *marker;
    if (auto r = params.getInt("limit", limit)) return call->reply(std::move(*r));
    if (auto r = params.getBool("detailed", detailed)) return call->reply(std::move(*r));
    if (auto name = params.getString("name")) list.nameContains = *name;
    if (!topic) {
        if (auto r = params.getBool("with_count", withCount)) return call->reply(std::move(*r));
    }
    // Every other parameter filters on metadata equality; integers compare as integers.
    static const std::set<std::string> kFields = {"marker", "limit", "detailed", "name",
                                                  "with_count"};
    for (const std::string& name : params.names()) {
        if (kFields.count(name) && !(topic && name == "with_count")) continue;
        auto values = params.getList(name);
        if (!values || values->empty()) continue;
        const std::string& value = values->back();
        auto number = py::parseInt(value);
        list.metadataEquals.emplace_back(name,
                                         number ? Json::integer(*number) : Json::string(value));
    }
    if (limit) {
        if (auto problem = queueListLimit(*limit, call->limits()))
            return call->reply(badRequestApi(*problem));
        list.limit = *limit;
    }
    list.detailed = detailed.value_or(false);

    const bool isDetailed = list.detailed;
    const bool counted = withCount.value_or(false);
    const std::string failed = std::string(call->noun()) + "s could not be listed.";
    call->storage.queues.list(list, [call, params, isDetailed, counted,
                                     failed](Result<std::vector<storage::QueueInfo>> result) {
        if (!result) return call->reply(storageError(result.error(), failed));
        if (!counted) return replyQueueList(call, params, isDetailed, result.value(), 0);
        auto queues = std::move(result.value());
        call->storage.queues.count(
            call->project, [call, params, isDetailed, queues](Result<int64_t> count) {
                if (!count)
                    return call->reply(storageError(count.error(), "Queues could not be listed."));
                replyQueueList(call, params, isDetailed, queues, count.value());
            });
    });
}

void queueCreate(const CallPtr& call) {
    const Request& req = call->request;
    if (req.hasBody) {
        // Zaqar's WebSocket path measures len(str(metadata)).
        if (auto problem = queueMetadataSize(measuredSize(req, "metadata"), call->limits()))
            return call->reply(badRequestApi(*problem));
    }
    Json metadata = Json::object();
    // A Content-Length of 0 means "no metadata", like an absent body.
    if (req.hasBody && !req.body.empty()) {
        Json document;
        if (auto r = deserializeBody(req, document)) return call->reply(std::move(*r));
        if (!json_is_object(document.get())) return call->reply(documentTypeNotSupported());
        if (auto problem = validateQueueMetadata(document.get(), call->limits()))
            return call->reply(badRequestApi(*problem));
        metadata = std::move(document);
    }
    call->storage.queues.create(call->queue(), std::move(metadata), [call](Result<bool> created) {
        if (!created)
            return call->reply(storageError(created.error(),
                                            std::string(call->noun()) + " could not be created."));
        // An existing queue keeps its metadata: PUT is not an update in Zaqar.
        if (call->websocket())
            return call->reply(
                ws::sentence(created.value() ? 201 : 204,
                             std::string(call->noun()) + " " + call->name() + " created."));
        Response response = emptyResponse(created.value() ? 201 : 204);
        response.addHeader("Location", call->request.path);
        call->reply(std::move(response));
    });
}

void queueGet(const CallPtr& call) {
    call->storage.queues.getMetadata(call->queue(), [call](Result<std::optional<Json>> stored) {
        if (!stored)
            return call->reply(storageError(
                stored.error(), std::string(call->noun()) + " metadata could not be retrieved."));
        // WebSocket shows the stored metadata as is ({} for an unknown queue).
        if (call->websocket())
            return call->reply(ws::reply(200, stored.value() ? *stored.value() : Json::object()));
        // Never 404: an unknown queue shows the reserved defaults only.
        const json_t* metadata = stored.value() ? stored.value()->get() : nullptr;
        Response response;
        response.body = withReservedDefaults(metadata, call->limits(), call->topic());
        call->reply(std::move(response));
    });
}

void queueUpdate(const CallPtr& call) {
    const Request& req = call->request;
    if (req.hasBody) {
        if (auto problem = queueMetadataSize(req.body.size(), call->limits()))
            return call->reply(badRequestBody(*problem));
    }
    auto contentType = req.headers.find("Content-Type");
    if (contentType == req.headers.end() || contentType->second != kPatchMediaType) {
        // Zaqar puts the whole text in the title and sends no Accept-Patch header.
        return call->reply(
            errorResponse(415, std::string("Accepted media type for PATCH: {'Accept-Patch': '") +
                                   kPatchMediaType + "'}."));
    }
    if (!req.hasBody || req.body.empty())
        return call->reply(badRequestBody("PATCH body could not be empty for update."));
    Json changes;
    if (auto r = deserializeBody(req, changes)) return call->reply(std::move(*r));
    // Zaqar answers 503 "Request body could not be read." here; the spec recommends 400.
    if (!json_is_array(changes.get())) return call->reply(documentTypeNotSupported());
    PatchParse patch = parsePatch(changes.get());
    if (patch.error) return call->reply(badRequestBody(*patch.error));

    auto operations = std::make_shared<std::vector<PatchOperation>>(std::move(patch.operations));
    call->storage.queues.getMetadata(call->queue(), [call, operations](
                                                        Result<std::optional<Json>> stored) {
        const std::string failed = std::string(call->noun()) + " could not be updated.";
        if (!stored) return call->reply(storageError(stored.error(), failed));
        if (!stored.value())
            return call->reply(
                notFound(queueDoesNotExist(call->name(), call->project, call->noun())));
        // Work on a copy: the stored value may be shared with a cache in the driver.
        Json metadata = json_is_object(stored.value()->get())
                            ? Json::adopt(json_deep_copy(stored.value()->get()))
                            : Json::object();
        if (auto conflictText = applyPatch(metadata, *operations, call->topic()))
            return call->reply(conflict(*conflictText));
        if (auto problem = validateQueueMetadata(metadata.get(), call->limits()))
            return call->reply(badRequestBody(*problem));
        // Zaqar never re-checks the merged size; the spec recommends doing so.
        if (auto problem = queueMetadataSize(metadata.dump().size(), call->limits()))
            return call->reply(badRequestBody(*problem));
        call->storage.queues.setMetadata(
            call->queue(), metadata, [call, metadata, failed](Status done) {
                if (!done) {
                    if (done.error().kind == ErrorKind::NotFound)
                        return call->reply(
                            notFound(queueDoesNotExist(call->name(), call->project, call->noun())));
                    return call->reply(storageError(done.error(), failed));
                }
                Response response;
                response.body = withReservedDefaults(metadata.get(), call->limits(), call->topic());
                call->reply(std::move(response));
            });
    });
}

void queueDelete(const CallPtr& call) {
    call->storage.queues.remove(call->queue(), [call](Status done) {
        if (!done)
            return call->reply(
                storageError(done.error(), std::string(call->noun()) + " could not be deleted."));
        if (call->websocket())
            return call->reply(
                ws::sentence(204, std::string(call->noun()) + " " + call->name() + " removed."));
        call->reply(emptyResponse(204));
    });
}

void queueStats(const CallPtr& call) {
    call->storage.queues.stats(call->queue(), [call](Result<storage::QueueStats> stats) {
        Response response;
        if (!stats) {
            // An unknown queue has zero messages, it is not an error.
            if (stats.error().kind != ErrorKind::NotFound)
                return call->reply(storageError(
                    stats.error(), std::string(call->noun()) + " stats could not be read."));
            // Zaqar's WebSocket endpoint says 404 here, with the zero counts as body.
            if (call->websocket()) return call->reply(ws::reply(404, ws::stats({})));
            response.body = rest::stats(storage::QueueStats{}, call->basePath());
        } else if (call->websocket()) {
            // Zaqar's WebSocket endpoint says 404 (zero counts as body) for an unknown
            // queue; an empty one needs a look at whether it exists at all.
            if (stats->total == 0) {
                return call->storage.queues.getMetadata(
                    call->queue(), [call](Result<std::optional<Json>> stored) {
                        bool known = !stored || stored.value().has_value();
                        call->reply(ws::reply(known ? 200 : 404, ws::stats({})));
                    });
            }
            response.body = ws::stats(stats.value());
        } else {
            response.body = call->topic() ? rest::topicStats(stats.value(), call->basePath())
                                          : rest::stats(stats.value(), call->basePath());
        }
        call->reply(std::move(response));
    });
}

void queuePurge(const CallPtr& call) {
    const Request& req = call->request;
    bool purgeMessages = true;
    bool purgeSubscriptions = true;
    if (call->websocket()) {
        // resource_types defaults to both and its values are not validated here.
        Json document = parseJsonValue(req.body);
        const json_t* types = json_object_get(document.get(), "resource_types");
        if (json_is_array(types)) {
            purgeMessages = false;
            purgeSubscriptions = false;
            size_t index;
            json_t* item;
            json_array_foreach(types, index, item) {
                std::string_view name = json_is_string(item) ? json_string_value(item) : "";
                if (name == "messages") purgeMessages = true;
                if (name == "subscriptions") purgeSubscriptions = true;
            }
        }
    } else if (req.hasBody && !req.body.empty()) {
        Json document;
        if (auto r = deserializeBody(req, document)) return call->reply(std::move(*r));
        const json_t* types = json_object_get(document.get(), "resource_types");
        if (types == nullptr)
            return call->reply(badRequestApi("Post body must contain key \"resource_types\"."));
        bool valid = json_is_array(types);
        purgeMessages = false;
        purgeSubscriptions = false;
        size_t index;
        json_t* item;
        json_array_foreach(types, index, item) {
            std::string_view name = json_is_string(item) ? json_string_value(item) : "";
            if (name == "messages")
                purgeMessages = true;
            else if (name == "subscriptions")
                purgeSubscriptions = true;
            else
                valid = false;
        }
        if (!valid)
            return call->reply(badRequestApi(
                "Resource types must be a sub set of {'messages', 'subscriptions'}."));
    }
    // Beyond Zaqar: how many messages went (REST header X-Purged-Messages, and a log
    // line, since purging a big queue is an operator's event).
    auto purged = [call](std::optional<int64_t> removed = std::nullopt) {
        if (call->websocket()) return ws::reply(204, Json::object());
        Response response = emptyResponse(204);
        if (removed) response.addHeader("X-Purged-Messages", std::to_string(*removed));
        return response;
    };
    const std::string failed = std::string(call->noun()) + " could not be purged.";
    auto subscriptionsThen = [call, purgeSubscriptions, failed](std::function<void()> next) {
        if (!purgeSubscriptions) return next();
        call->storage.subscriptions.purge(call->queue(), [call, next, failed](Status done) {
            if (!done) return call->reply(storageError(done.error(), failed));
            next();
        });
    };
    if (!purgeMessages) return subscriptionsThen([call, purged] { call->reply(purged()); });
    call->storage.queues.purgeMessages(
        call->queue(), [call, purged, subscriptionsThen, failed](Result<int64_t> removed) {
            if (!removed) return call->reply(storageError(removed.error(), failed));
            const int64_t count = removed.value();
            log::info("purge: " + std::to_string(count) + " messages removed from " +
                      (call->topic() ? "topic " : "queue ") + call->project + "/" +
                      call->queue().name + " [" + call->request.requestId + "]");
            subscriptionsThen([call, purged, count] { call->reply(purged(count)); });
        });
}

}  // namespace zaqard::api::handlers
