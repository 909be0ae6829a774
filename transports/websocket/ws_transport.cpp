#include "transports/websocket/ws_transport.h"

#include <algorithm>
#include <cstring>

#include "src/api/python_compat.h"
#include "src/common/clock.h"
#include "src/common/log.h"
#include "src/common/uuid.h"
#include "src/metrics/record.h"
#include "transports/http/console_route.h"
#include "transports/http/cors.h"
#include "transports/websocket/connection.h"
#include "transports/websocket/ws_protocol.h"

namespace zaqard::websocket {

namespace {

WebSocketLimits limitsFrom(const config::Config& config) {
    WebSocketLimits limits;
    limits.maxFrameBytes = static_cast<size_t>(config.max_body_size);
    // A reply echoes its request, so one answer to a frame of the largest accepted size
    // must fit: the cap is never below twice the frame limit.
    limits.maxOutputBytes =
        std::max(static_cast<size_t>(config.websocket_max_output_bytes), 2 * limits.maxFrameBytes);
    // The REST listener's options, counted for this listener on its own (docs/security.md).
    limits.maxConnections = config.max_connections;
    limits.maxConnectionsPerClient = config.max_connections_per_client;
    limits.maxHeaderBytes = static_cast<unsigned>(config.max_header_size);
    return limits;
}

}  // namespace

WebSocketTransport::WebSocketTransport(event::Dispatcher& dispatcher, const config::Config& config,
                                       api::Api& api)
    : dispatcher_(dispatcher),
      api_(api),
      server_(dispatcher, config.websocket_bind, config.websocket_port, limitsFrom(config),
              [this](Connection& connection, DecodedFrame frame, Reply reply) {
                  onFrame(connection, std::move(frame), std::move(reply));
              }),
      pushChannel_(api.storage().pubsub, PushChannel::newListenerId(),
                   [this](const std::string& connectionId, Json frame) {
                       server_.push(connectionId, frame);
                   }) {
    server_.setConnectionIdPrefix(pushChannel_.listenerId());
    server_.setCloseHandler([this](const std::string& connectionId) { onClose(connectionId); });
    // Browsers apply no CORS to WebSockets: the handshake checks Origin itself (cors.h).
    // The console zaqard serves on its REST port is let in too (console_route.h).
    server_.setOriginCheck([cors = http::Cors(config.cors), restPort = config.port](
                               const std::string& origin, const std::string& host) {
        return cors.allowsWebSocketOrigin(origin, host) ||
               http::isConsoleOrigin(origin, host, restPort);
    });
}

WebSocketTransport::~WebSocketTransport() {
    pushChannel_.stop();
}

bool WebSocketTransport::listen(std::string& error) {
    if (!server_.listen(error)) return false;
    pushChannel_.start();
    return true;
}

void WebSocketTransport::push(const std::string& connectionId, const Json& frame,
                              std::function<void(bool)> done) {
    if (PushChannel::listenerOf(connectionId) == pushChannel_.listenerId()) {
        bool sent = server_.push(connectionId, frame);
        // Answer from the loop, never inside the caller's stack (as a remote push would).
        if (done) dispatcher_.defer([done, sent] { done(sent); });
        return;
    }
    pushChannel_.publish(connectionId, frame, std::move(done));
}

void WebSocketTransport::onSelfSubscribed(const std::weak_ptr<Connection>& connection,
                                          OwnedSubscription owned) {
    auto target = connection.lock();
    if (target && target->open()) {
        owned_[target->id()].push_back(std::move(owned));
        return;
    }
    // The connection left before its subscription was stored: nobody can receive it.
    api_.storage().subscriptions.remove(owned.queue, owned.id, [](Status) {});
}

void WebSocketTransport::setAuthenticator(auth::TokenValidator* validator) {
    if (!validator) {
        auth_.reset();
        return;
    }
    auth_ = std::make_unique<WebSocketAuth>(
        dispatcher_, *validator, [this](const std::string& connectionId) {
            server_.close(connectionId, 4003, "Authentication expired.");
        });
}

void WebSocketTransport::onClose(const std::string& connectionId) {
    if (auth_) auth_->forget(connectionId);
    if (auto found = abandonments_.find(connectionId); found != abandonments_.end()) {
        auto abandonment = std::move(found->second);
        abandonments_.erase(found);
        abandonment->abandon();
    }
    auto it = owned_.find(connectionId);
    if (it == owned_.end()) return;
    for (const auto& owned : it->second)
        api_.storage().subscriptions.remove(owned.queue, owned.id, [](Status) {});
    owned_.erase(it);
}

void WebSocketTransport::onFrame(Connection& connection, DecodedFrame frame, Reply reply) {
    if (!frame.value) {
        reply(protocolError(requestEcho(Json()), 400, frame.error));
        return;
    }
    if (auth_) {
        const json_t* action =
            json_is_object(frame.value.get()) ? frame.value.at("action") : nullptr;
        if (json_is_string(action) && std::strcmp(json_string_value(action), "authenticate") == 0)
            return auth_->authenticate(connection.id(), frame.value, std::move(reply));
    }
    Translation translation = translateFrame(frame.value, frame.text);
    if (!translation.request) {
        reply(std::move(translation.immediateReply));
        return;
    }
    api::Request request = std::move(*translation.request);
    if (auth_) {
        if (auto rejection = auth_->admit(connection.id(), request))
            return reply(protocolError(requestEcho(frame.value), 403, *rejection));
    }
    request.requestId = randomUuid();
    request.headers["X-Zaqard-Connection-ID"] = connection.id();
    auto& abandonment = abandonments_[connection.id()];
    if (!abandonment) abandonment = std::make_shared<api::Abandonment>();
    request.abandonment = abandonment;
    // The reply echoes the request: as its own text for a text frame (spliced, not
    // dumped again), as a tree for MessagePack or text frame_text.h cannot read.
    std::optional<std::string> echoText;
    if (frame.kind == FrameKind::Text) echoText = requestEchoText(frame.text);
    Json echo = echoText ? Json() : requestEcho(frame.value);
    // A connection that subscribes itself gets its notifications in the frame type of
    // that subscription_create (websocket-v2.md §5).
    const bool topic = request.action == api::Action::TopicSubscriptionCreate;
    bool selfSubscribe = (request.action == api::Action::SubscriptionCreate || topic) &&
                         !api::py::truthy(json_object_get(request.typedParams.get(), "subscriber"));
    std::weak_ptr<Connection> weak = connection.weak_from_this();
    FrameKind kind = frame.kind;
    OwnedSubscription owned;
    if (selfSubscribe) {
        auto project = request.headers.find("X-Project-ID");
        owned.queue = {project == request.headers.end() ? "" : project->second,
                       topic ? request.topicName : request.queueName,
                       topic ? storage::ResourceKind::Topic : storage::ResourceKind::Queue};
    }
    const int action = static_cast<int>(request.action);
    const int64_t started = monotonicMicros();
    metrics::requestStarted();
    api_.handle(std::move(request), [this, echo, echoText = std::move(echoText), selfSubscribe,
                                     weak, kind, owned, action, started,
                                     reply = std::move(reply)](api::Response response) mutable {
        metrics::requestDone(metrics::Transport::WebSocket, action, response.status,
                             monotonicMicros() - started);
        if (selfSubscribe && response.status == 201) {
            if (auto target = weak.lock()) target->setNotificationKind(kind);
            const json_t* id = json_object_get(response.body.get(), "subscription_id");
            if (json_is_string(id)) {
                owned.id = json_string_value(id);
                onSelfSubscribed(weak, std::move(owned));
            }
        }
        // (A raw body that is not JSON text keeps the old path: parsed, {} when it fails.)
        if (echoText && (response.body || response.rawBody.empty() ||
                         response.contentType == "application/json")) {
            // A body the handler rendered as text (rest::messagesText, ...) goes in as is.
            std::string dumped = response.body ? response.body.dump() : std::string();
            std::string_view body = response.body              ? std::string_view(dumped)
                                    : response.rawBody.empty() ? std::string_view("{}")
                                                               : std::string_view(response.rawBody);
            return reply(Outgoing::text(envelopeText(*echoText, response.status, body)));
        }
        reply(envelope(
            echo, response.status,
            response.body
                ? std::move(response.body)
                : (response.rawBody.empty() ? Json::object() : parseJsonValue(response.rawBody))));
    });
}

}  // namespace zaqard::websocket
