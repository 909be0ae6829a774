// Subscription responders (rest-v2.md §7, websocket-v2.md §3.4 and §5): create, list,
// get, update, delete, confirm, with the (un)subscribe confirmation requests of
// notifications.md §3 queued for the notification engine.
#include <unistd.h>

#include <climits>

#include "src/api/body.h"
#include "src/api/errors.h"
#include "src/api/handlers/handlers.h"
#include "src/api/handlers/page_reply.h"
#include "src/api/links.h"
#include "src/api/python_compat.h"
#include "src/api/query.h"
#include "src/api/render_websocket.h"
#include "src/api/signed_url.h"
#include "src/api/subscription_validation.h"
#include "src/common/clock.h"
#include "src/common/log.h"

namespace zaqard::api::handlers {

namespace {

Json renderSubscription(const storage::Subscription& s) {
    Json item = Json::object();
    item.set("id", Json::string(s.id));
    item.set("source", Json::string(s.source));
    item.set("subscriber", Json::string(s.subscriber));
    item.set("ttl", Json::integer(s.ttl));
    item.set("age", Json::integer(s.age));
    item.set("options", s.options ? s.options : Json::object());
    item.set("confirmed", Json::boolean(s.confirmed));
    return item;
}

// The request body as a document: REST reads it only when one was sent (Zaqar tests
// content_length), WebSocket frames carry their fields already typed.
Rejection readDocument(const CallPtr& call, Json& document) {
    const Request& req = call->request;
    if (call->websocket()) {
        document = parseJsonValue(req.body);
        if (!document || !json_is_object(document.get())) document = Json::object();
        return std::nullopt;
    }
    if (!req.hasBody || req.body.empty()) {
        document = Json::object();
        return std::nullopt;
    }
    return deserializeBody(req, document);
}

std::string confirmPath(const CallPtr& call, const std::string& id) {
    return call->basePath() + "/subscriptions/" + id + "/confirm";
}

// notifications.md §3: only with require_confirmation, and only when a signing key is
// configured (Zaqar logs an error and sends nothing otherwise). The reply waits for the
// request to be stored, so a confirmation is never lost once the client got its answer.
void requestConfirmation(const CallPtr& call, const std::string& id, int64_t ttl, bool unsubscribe,
                         std::function<void()> then) {
    const auto& config = call->config;
    if (!config.notification.require_confirmation) return then();
    if (config.signed_url_secret_key.empty()) {
        log::error(
            "notifications: cannot send a confirmation request: [signed_url] "
            "secret_key is not set");
        return then();
    }
    storage::ConfirmationRequest request;
    request.unsubscribe = unsubscribe;
    request.paths = confirmPath(call, id);
    request.expires = formatExpires(nowSeconds() + static_cast<double>(ttl));
    request.signature = signUrl(config.signed_url_secret_key, {request.paths}, {"PUT"},
                                call->project, request.expires);
    call->storage.subscriptions.requestConfirmation(
        call->queue(), id, request, [then = std::move(then)](Status done) {
            if (!done) log::warning("notifications: confirmation request not stored");
            then();
        });
}

// websocket-v2.md §5: the URI a connection-subscriber is shown under.
std::string connectionSubscriberUri(const config::Config& config, const std::string& id) {
    std::string host = config.websocket_notification_bind;
    if (host.empty()) {
        char name[HOST_NAME_MAX + 1] = {};
        host = gethostname(name, sizeof(name) - 1) == 0 ? name : "localhost";
    }
    int port = config.websocket_notification_port ? config.websocket_notification_port
                                                  : config.websocket_port;
    return "http://" + host + ":" + std::to_string(port) + "/" + id;
}

Response subscriptionNotFound(const CallPtr& call) {
    const std::string& id = call->request.subscriptionId;
    if (call->websocket())
        return ws::error(404, "Subscription " + id + " does not exist",
                         "Subscription " + id + " for " + call->noun(false) + " " + call->name() +
                             " does not exist.");
    return notFound("Subscription " + id + " does not exist");
}

void storeSubscription(const CallPtr& call, storage::NewSubscription sub);

void createSubscription(const CallPtr& call, Json document) {
    const auto& limits = call->limits();
    storage::NewSubscription sub;
    sub.queue = call->queue();
    if (call->websocket() && !py::truthy(json_object_get(document.get(), "subscriber"))) {
        // The connection itself subscribes: Zaqar's handler tests `not subscriber`, so an
        // empty string or null names the connection too.
        auto it = call->request.headers.find("X-Zaqard-Connection-ID");
        if (it != call->request.headers.end() && !it->second.empty()) {
            sub.connectionId = it->second;
            document.set("subscriber",
                         Json::string(connectionSubscriberUri(call->config, it->second)));
        }
    }
    if (auto problem = validateSubscription(document.get(), true, limits, nowSeconds()))
        return call->reply(badRequestApi(*problem));
    sub.subscriber = json_string_value(document.at("subscriber"));
    sub.ttl = subscriptionTtl(document.get(), limits.default_subscription_ttl);
    sub.options = subscriptionOptions(document.get());

    // trust+ subscribers under Keystone (docs/security.md "Trust subscriptions"): a trust
    // from the caller to the [trustee] user first, its id kept in the options as Zaqar does.
    // A trust_id the client sent is replaced: only a trust the caller just made is used.
    if (call->trusts && sub.subscriber.rfind("trust+", 0) == 0) {
        const auto& headers = call->request.headers;
        auto header = [&headers](const char* name) {
            auto it = headers.find(name);
            return it == headers.end() ? std::string() : it->second;
        };
        TrustRequest trust;
        trust.userToken = header("X-Auth-Token");
        trust.userId = header("X-User-Id");
        trust.projectId = call->project;
        // X-Roles is a comma list (keystonemiddleware's form).
        std::string roles = header("X-Roles");
        for (size_t start = 0; start <= roles.size();) {
            size_t comma = roles.find(',', start);
            if (comma == std::string::npos) comma = roles.size();
            std::string role = roles.substr(start, comma - start);
            while (!role.empty() && role.front() == ' ') role.erase(0, 1);
            while (!role.empty() && role.back() == ' ') role.pop_back();
            if (!role.empty()) trust.roles.push_back(role);
            start = comma + 1;
        }
        trust.ttl = sub.ttl;
        if (trust.userToken.empty() || trust.userId.empty()) {
            log::warning("trust+ subscription of " + call->project + "/" + call->name() +
                         " not created: the request carries no user token");
            return call->reply(serviceUnavailable("Subscription could not be created."));
        }
        return (*call->trusts)(trust, [call, sub = std::move(sub)](Result<std::string> id) mutable {
            if (!id) {
                log::warning("trust+ subscription of " + call->project + "/" + call->name() +
                             " not created: " + id.error().message);
                return call->reply(serviceUnavailable("Subscription could not be created."));
            }
            sub.options.set("trust_id", Json::string(id.value()));
            storeSubscription(call, std::move(sub));
        });
    }
    storeSubscription(call, std::move(sub));
}

void storeSubscription(const CallPtr& call, storage::NewSubscription sub) {
    call->storage.subscriptions.create(sub, [call, ttl = sub.ttl](
                                                Result<storage::CreatedSubscription> created) {
        if (!created)
            return call->reply(storageError(created.error(), "Subscription could not be created."));
        const std::string id = created->id;
        if (call->websocket()) {
            // No re-confirmation on this path, and any duplicate is a conflict whose body
            // is a bare sentence (endpoints.py answers Response(req, body, 409), not
            // error_response).
            if (!created->created)
                return call->reply(
                    ws::sentence(409, "Subscription " + call->name() + " not created."));
            Json body = Json::object();
            body.set("subscription_id", Json::string(id));
            body.set("message", Json::string("Subscription " + call->name() + " created."));
            return call->reply(ws::reply(201, std::move(body)));
        }
        if (!created->created && created->confirmed) {
            Response response = conflict(
                "Such subscription already exists.Subscriptions are unique by project "
                "+ queue + subscriber URI.");
            response.addHeader("Location", call->request.path);
            return call->reply(std::move(response));
        }
        // New, or an unconfirmed duplicate: (re-)send the confirmation, answer the id.
        requestConfirmation(call, id, ttl, false, [call, id] {
            Response response;
            response.status = 201;
            response.addHeader("Location", call->request.path);
            response.body = Json::object().set("subscription_id", Json::string(id));
            call->reply(std::move(response));
        });
    });
}

}  // namespace

void subscriptionList(const CallPtr& call) {
    QueryParams params(call->request.query);
    PageQuery query;
    if (auto r = readPageQuery(call, params, query)) return call->reply(std::move(*r));
    const std::string& marker = query.marker;
    call->storage.subscriptions.list(
        call->queue(), marker, query.limit,
        [call, params, marker](Result<storage::SubscriptionPage> page) mutable {
            if (!page)
                return call->reply(
                    storageError(page.error(), "Subscriptions could not be listed."));
            Json items = Json::array();
            for (const auto& s : page->subscriptions) items.append(renderSubscription(s));
            replyPage(call, "subscriptions", std::move(items), page->subscriptions.empty(), params,
                      page->nextMarker);
        });
}

void subscriptionCreate(const CallPtr& call) {
    Json document;
    auto rejection = readDocument(call, document);
    // Zaqar creates the queue before it validates anything (rest-v2.md §1.8).
    call->storage.queues.create(
        call->queue(), Json::object(),
        [call, document, rejection = std::move(rejection)](Result<bool> created) mutable {
            if (!created)
                return call->reply(
                    storageError(created.error(), "Subscription could not be created."));
            if (rejection) return call->reply(std::move(*rejection));
            if (!json_is_object(document.get()))
                return call->reply(badRequestApi("Missing parameter subscriber in body."));
            createSubscription(call, std::move(document));
        });
}

void subscriptionGet(const CallPtr& call) {
    call->storage.subscriptions.get(
        call->queue(), call->request.subscriptionId, [call](Result<storage::Subscription> sub) {
            if (!sub) {
                if (sub.error().kind == ErrorKind::NotFound)
                    return call->reply(subscriptionNotFound(call));
                return call->reply(
                    storageError(sub.error(), "Subscription could not be retrieved."));
            }
            if (call->websocket())
                return call->reply(ws::reply(200, renderSubscription(sub.value())));
            Response response;
            response.body = renderSubscription(sub.value());
            call->reply(std::move(response));
        });
}

void subscriptionUpdate(const CallPtr& call) {
    Json document;
    if (auto r = readDocument(call, document)) return call->reply(std::move(*r));
    if (json_is_array(document.get()) && json_array_size(document.get()) == 0)
        return call->reply(badRequestApi("No subscription to create."));
    if (!json_is_object(document.get()))
        return call->reply(badRequestApi("Subscriptions must be a dict."));
    if (auto problem = validateSubscription(document.get(), false, call->limits(), nowSeconds()))
        return call->reply(badRequestApi(*problem));
    const std::string& id = call->request.subscriptionId;
    // Zaqar's update(queue, subscription_id, project, **document): null fields and unknown
    // keys are dropped, the names of its own parameters clash (TypeError), and nothing left
    // to change fails its assertion; both of these answer "could not be updated".
    const auto notUpdated = [&] {
        return errorResponse(400, "Unable to update subscription",
                             "Subscription " + id + " could not be updated.");
    };
    storage::SubscriptionChanges changes;
    bool anything = false;
    const char* key;
    json_t* value;
    json_object_foreach(document.get(), key, value) {
        std::string_view name = key;
        if (name == "self" || name == "queue" || name == "subscription_id" || name == "project")
            return call->reply(notUpdated());
        if (json_is_null(value)) continue;
        if (name == "subscriber") {
            changes.subscriber = json_string_value(value);  // validated: a string
        } else if (name == "ttl") {
            changes.ttl = subscriptionTtl(document.get(), call->limits().default_subscription_ttl);
        } else if (name == "options") {
            changes.options = subscriptionOptions(document.get());
        } else {
            continue;
        }
        anything = true;
    }
    if (!anything) return call->reply(notUpdated());
    call->storage.subscriptions.update(call->queue(), id, changes, [call](Status done) {
        if (!done) {
            if (done.error().kind == ErrorKind::NotFound)
                return call->reply(subscriptionNotFound(call));
            if (done.error().kind == ErrorKind::Conflict)
                return call->reply(
                    conflict("Such subscription already exists. Subscriptions are unique by "
                             "project + queue + subscriber URI."));
            return call->reply(storageError(done.error(), "Subscription could not be updated."));
        }
        Response response = emptyResponse(204);
        response.addHeader("Location", call->request.path);
        call->reply(std::move(response));
    });
}

void subscriptionDelete(const CallPtr& call) {
    call->storage.subscriptions.remove(
        call->queue(), call->request.subscriptionId, [call](Status done) {
            if (!done)
                return call->reply(
                    storageError(done.error(), "Subscription could not be deleted."));
            if (call->websocket())
                return call->reply(ws::sentence(
                    204, "Subscription " + call->request.subscriptionId + " removed."));
            call->reply(emptyResponse(204));
        });
}

void subscriptionConfirm(const CallPtr& call) {
    Json document;
    if (auto r = readDocument(call, document)) return call->reply(std::move(*r));
    const json_t* confirmed = json_object_get(document.get(), "confirmed");
    if (!json_is_boolean(confirmed))
        return call->reply(badRequestApi("The 'confirmed' should be boolean."));
    bool value = json_is_true(confirmed);
    const std::string id = call->request.subscriptionId;
    call->storage.subscriptions.confirm(call->queue(), id, value, [call, id, value](Status done) {
        if (!done) {
            if (done.error().kind == ErrorKind::NotFound)
                return call->reply(subscriptionNotFound(call));
            if (done.error().kind == ErrorKind::Unavailable)
                return call->reply(
                    storageError(done.error(), "Subscription could not be confirmed."));
            return call->reply(errorResponse(400, "Unable to confirm subscription",
                                             "Subscription " + id + " could not be confirmed."));
        }
        auto answer = [call] {
            Response response = emptyResponse(204);
            response.addHeader("Location", call->request.path);
            call->reply(std::move(response));
        };
        if (value) return answer();
        requestConfirmation(call, id, call->limits().default_subscription_ttl, true, answer);
    });
}

}  // namespace zaqard::api::handlers
