#include "transports/websocket/ws_transport.h"

#include "src/common/log.h"
#include "src/common/uuid.h"
#include "transports/websocket/connection.h"
#include "transports/websocket/ws_protocol.h"

namespace zaqard::websocket {

namespace {

WebSocketLimits limitsFrom(const config::Config& config) {
    WebSocketLimits limits;
    limits.maxFrameBytes = static_cast<size_t>(config.max_body_size);
    return limits;
}

}  // namespace

WebSocketTransport::WebSocketTransport(event::Dispatcher& dispatcher, const config::Config& config,
                                       api::Api& api)
    : api_(api),
      server_(dispatcher, config.websocket_bind, config.websocket_port, limitsFrom(config),
              [this](Connection& connection, DecodedFrame frame, Reply reply) {
                  onFrame(connection, std::move(frame), std::move(reply));
              }) {}

void WebSocketTransport::onFrame(Connection& connection, DecodedFrame frame, Reply reply) {
    if (!frame.value) {
        reply(protocolError(requestEcho(Json()), 400, frame.error));
        return;
    }
    Translation translation = translateFrame(frame.value);
    if (!translation.request) {
        reply(std::move(translation.immediateReply));
        return;
    }
    api::Request request = std::move(*translation.request);
    request.requestId = randomUuid();
    request.headers["X-Zaqard-Connection-ID"] = connection.id();
    Json echo = requestEcho(frame.value);
    api_.handle(std::move(request), [echo, reply = std::move(reply)](api::Response response) {
        reply(envelope(
            echo, response.status,
            response.body
                ? std::move(response.body)
                : (response.rawBody.empty() ? Json::object() : parseJsonValue(response.rawBody))));
    });
}

}  // namespace zaqard::websocket
