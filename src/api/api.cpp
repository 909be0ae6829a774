// Api::handle: Zaqar's per-request pipeline (rest-v2.md §1.2 steps 4–11) and the action
// table. Steps 0–3 (Keystone, signed URLs, Content-Type, Accept) belong to the transport.
#include "src/api/api.h"

#include <memory>

#include "src/api/documents.h"
#include "src/api/errors.h"
#include "src/api/handlers/handlers.h"
#include "src/api/policy.h"
#include "src/api/validation.h"

namespace zaqard::api {

namespace {

bool isSubscriptionAction(Action action) {
    switch (action) {
        case Action::SubscriptionList:
        case Action::SubscriptionCreate:
        case Action::SubscriptionGet:
        case Action::SubscriptionUpdate:
        case Action::SubscriptionDelete:
        case Action::SubscriptionConfirm:
            return true;
        default:
            return false;
    }
}

// Whether the route has {queue_name}, whose validation (step 6) precedes method dispatch.
bool routeHasQueue(const Request& request) {
    switch (request.action) {
        case Action::Versions:
        case Action::GetHomeDoc:
        case Action::Ping:
        case Action::PingHead:
        case Action::Health:
        case Action::QueueList:
            return false;
        case Action::MethodNotAllowed:
            // e.g. HEAD /v2/queues/q or POST /v2/queues/ (an empty name is still a name).
            return request.path.rfind("/v2/queues/", 0) == 0;
        default:
            return true;
    }
}

void dispatch(const CallPtr& call) {
    using namespace handlers;
    switch (call->request.action) {
        case Action::GetHomeDoc:
            return call->reply(homeDocument(call->config.admin_mode));
        case Action::Ping:
            return ping(call);
        case Action::PingHead:
            return call->reply(emptyResponse(204));
        case Action::Health:
            return health(call);
        case Action::QueueList:
            return queueList(call);
        case Action::QueueCreate:
            return queueCreate(call);
        case Action::QueueGet:
            return queueGet(call);
        case Action::QueueUpdate:
            return queueUpdate(call);
        case Action::QueueDelete:
            return queueDelete(call);
        case Action::QueueStats:
            return queueStats(call);
        case Action::QueueShare:
            return queueShare(call);
        case Action::QueuePurge:
            return queuePurge(call);
        case Action::MessagePost:
            return messagePost(call);
        case Action::MessageList:
            return messageList(call);
        case Action::MessageDeleteMany:
            return messageDeleteMany(call);
        case Action::MessageGet:
            return messageGet(call);
        case Action::MessageDelete:
            return messageDelete(call);
        case Action::ClaimCreate:
            return claimCreate(call);
        case Action::ClaimGet:
            return claimGet(call);
        case Action::ClaimUpdate:
            return claimUpdate(call);
        case Action::ClaimDelete:
            return claimDelete(call);
        default:
            return call->reply(routeNotFound());
    }
}

}  // namespace

void Api::handle(Request request, Responder respond) {
    const Action action = request.action;
    // Routes that answer before (or without) any header check.
    if (action == Action::Versions) return respond(versionsDocument());
    // Subscriptions arrive with their own issue; until then the paths are unknown.
    if (isSubscriptionAction(action)) return respond(routeNotFound());
    // /v2/health only exists in admin mode.
    if (action == Action::Health && !config_.admin_mode) return respond(routeNotFound());

    auto call = std::make_shared<Call>(std::move(request), std::move(respond), config_, storage_);
    const Request& req = call->request;

    // Steps 4–6: Client-ID, X-Project-ID, queue identification.
    if (auto rejection = checkClientId(req.headers, config_.limits, call->clientId))
        return call->reply(std::move(*rejection));
    if (auto rejection = checkProjectId(req.headers, call->project))
        return call->reply(std::move(*rejection));
    if (routeHasQueue(req)) {
        if (auto rejection = checkQueueIdentification(req.queueName, call->project))
            return call->reply(std::move(*rejection));
    }
    // Step 8 (EXTRA-SPEC) is ignored, as recommended: its only driver is a no-op.

    // Step 9: method dispatch.
    if (action == Action::MethodNotAllowed) {
        Response response = errorResponse(405, "405 Method Not Allowed");
        std::string allow =
            req.allowedMethods.empty() ? "OPTIONS" : req.allowedMethods + ", OPTIONS";
        response.addHeader("Allow", allow);
        return call->reply(std::move(response));
    }

    // Step 10: RBAC.
    if (!policyAllows(action, req.headers)) return call->reply(notAuthorized());

    // Step 11: the responder.
    dispatch(call);
}

}  // namespace zaqard::api
