// Api::handle: Zaqar's per-request pipeline (rest-v2.md §1.2 steps 4–11), driven by the
// request's row of the action table (action_table.h): header checks, gate, rule, handler.
// Steps 0–3 (Keystone, signed URLs, Content-Type, Accept) belong to the transport.
#include "src/api/api.h"

#include <memory>

#include "src/api/action_table.h"
#include "src/api/errors.h"
#include "src/api/policy/policy.h"
#include "src/api/render_websocket.h"
#include "src/api/signed_url_verifier.h"
#include "src/api/validation.h"
#include "src/common/clock.h"
#include "src/common/log.h"
#include "src/common/uuid.h"

namespace zaqard::api {

namespace {

// Whether the route has {queue_name}, whose validation (step 6) precedes method dispatch.
bool routeHasQueue(const Request& request) {
    // A 405 is no route of the table: e.g. HEAD /v2/queues/q or POST /v2/queues/ (an empty
    // name is still a name).
    if (request.action == Action::MethodNotAllowed)
        return request.path.rfind("/v2/queues/", 0) == 0;
    return hasQueueName(request.action);
}

// The same for {topic_name} (step 7), e.g. a 405 on POST /v2/topics/t.
bool routeHasTopic(const Request& request) {
    if (request.action == Action::MethodNotAllowed)
        return request.path.rfind("/v2/topics/", 0) == 0;
    return hasTopicName(request.action);
}

void dispatch(const CallPtr& call) {
    actionSpec(call->request.action).handler(call);
}

// A WebSocket action whose gate is closed names the options it needs.
std::string gateClosedText(const ActionSpec& spec) {
    const char* needs = spec.gate == Gate::AdminPooling ? "admin_mode = true and pooling = true"
                                                        : "admin_mode = true";
    return std::string(spec.name) + " needs " + needs + " in the [DEFAULT] section.";
}

// Steps 4–6 for the WebSocket dialect (websocket-v2.md §3): the frame schema already
// required Client-ID and X-Project-ID; queue names get validation.py's own texts.
Rejection websocketIdentity(Call& call, const Limits& limits) {
    const Request& req = call.request;
    const ActionSpec& spec = actionSpec(req.action);
    if (spec.checks == Checks::Service) return std::nullopt;
    // Zaqar's WebSocket endpoints check the Client-ID format only where they use it
    // (message_list and message_post), with uuid.UUID's own text.
    if (spec.websocket.checksClientId) {
        if (auto rejection = checkClientId(req.headers, limits, call.clientId)) {
            if (limits.client_id_uuid_safe_strict)
                return ws::error(400, "badly formed hexadecimal UUID string");
            return rejection;  // the length text, as Zaqar's "off" mode says it
        }
    } else {
        auto it = req.headers.find("Client-ID");
        std::string raw = it == req.headers.end() ? std::string() : it->second;
        auto uuid = normalizeUuid(raw);
        call.clientId = uuid ? *uuid : raw;
    }
    if (auto rejection = checkProjectId(req.headers, call.project)) return rejection;
    const bool topic = routeHasTopic(req);
    if (!topic && !routeHasQueue(req)) return std::nullopt;
    // validation.py's queue_identification / topic_identification texts.
    const std::string noun = topic ? "Topic" : "Queue";
    const std::string& name = topic ? req.topicName : req.queueName;
    if (codePointCount(call.project) > kMaxProjectIdLength)
        return ws::error(400, "Project ids may not be more than " +
                                  std::to_string(kMaxProjectIdLength) + " characters long.");
    if (codePointCount(name) > kMaxQueueNameLength)
        return ws::error(400, noun + " names may not be more than " +
                                  std::to_string(kMaxQueueNameLength) + " characters long.");
    if (!isValidQueueName(name))
        return ws::error(400, noun +
                                  " names may only contain ASCII letters, digits, underscores, "
                                  "and dashes.");
    return std::nullopt;
}

// websocket-v2.md §4: what an unauthenticated frame gets.
Response notAuthentified() {
    Response response;
    response.status = 403;
    response.body = Json::object().set("error", Json::string("Not authentified."));
    return response;
}

}  // namespace

Api::Api(const config::Config& config, storage::Storage storage,
         std::shared_ptr<const policy::Policy> policy)
    : config_(config), storage_(storage), policy_(std::move(policy)) {
    if (!policy_) policy_ = std::make_shared<const policy::Policy>();
}

void Api::handle(Request request, Responder respond) {
    const ActionSpec& spec = actionSpec(request.action);
    if (request.dialect == Dialect::WebSocket) {
        // One place turns the REST-shaped errors of shared code into Zaqar's WebSocket
        // error body; handlers that need another summary build ws::error themselves.
        respond = [inner = std::move(respond),
                   context = ws::errorContext(request)](Response response) {
            inner(ws::fromRestError(std::move(response), context));
        };
        // A frame carrying a signed URL must verify (websocket-v2.md §4.1). Z15 consults
        // it only under Keystone; zaqard checks it whenever present, as REST does.
        if (hasUrlSignature(request.headers) &&
            !verifySignedFrame(config_.signed_url_secret_key, request.action, request.pathParams(),
                               request.headers, nowSeconds()))
            return respond(notAuthentified());
        if (!gateOpen(spec.gate, config_.admin_mode, config_.pooling))
            return respond(ws::error(403, gateClosedText(spec), std::string("Not available.")));
    } else {
        // Only the WebSocket transport may name a connection; a REST client must not.
        request.headers.erase("X-Zaqard-Connection-ID");
        // Step 1: a pre-signed URL (auth-and-config.md §3.3); any mismatch is a bare 404.
        if (hasUrlSignature(request.headers)) {
            std::string_view method = request.method;
            if (method.empty()) method = methodOfAction(request.action);
            if (!verifySignedRequest(config_.signed_url_secret_key, method, request.path,
                                     request.headers, nowSeconds()))
                return respond(routeNotFound());
        }
    }
    const Action action = request.action;
    // Admin routes only exist in admin mode (the router does not route them either).
    if (!gateOpen(spec.gate, config_.admin_mode, config_.pooling)) return respond(routeNotFound());

    auto call = std::make_shared<Call>(std::move(request), std::move(respond), config_, storage_);
    // Lines logged while the request's synchronous part runs name it (a slow Redis call).
    log::RequestScope scope(call->request.requestId);
    const Request& req = call->request;
    if (servesTopics(action)) call->kind = storage::ResourceKind::Topic;
    // Routes that answer before any header check (GET /).
    if (spec.checks == Checks::None) return dispatch(call);

    if (req.dialect == Dialect::WebSocket) {
        if (auto rejection = websocketIdentity(*call, config_.limits))
            return call->reply(std::move(*rejection));
        if (!policy_->allows(action, req.headers)) return call->reply(policy::notAuthorized());
        return dispatch(call);
    }

    // Steps 4–7: Client-ID, X-Project-ID, queue or topic identification.
    if (auto rejection = checkClientId(req.headers, config_.limits, call->clientId))
        return call->reply(std::move(*rejection));
    if (auto rejection = checkProjectId(req.headers, call->project))
        return call->reply(std::move(*rejection));
    if (routeHasQueue(req)) {
        if (auto rejection = checkQueueIdentification(req.queueName, call->project))
            return call->reply(std::move(*rejection));
    }
    if (routeHasTopic(req)) {
        if (auto rejection = checkTopicIdentification(req.topicName, call->project))
            return call->reply(std::move(*rejection));
    }
    // Step 8 (EXTRA-SPEC) is ignored, as recommended: its only driver is a no-op.

    // Step 9, method dispatch, was the router's: a 405 is Action::MethodNotAllowed, whose
    // row has no rule and whose handler answers 405.

    // Step 10: RBAC.
    if (!policy_->allows(action, req.headers)) return call->reply(policy::notAuthorized());

    // Step 11: the responder.
    dispatch(call);
}

}  // namespace zaqard::api
