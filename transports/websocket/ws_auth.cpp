#include "transports/websocket/ws_auth.h"

#include <algorithm>

#include "src/api/signed_url_verifier.h"
#include "src/auth/identity_headers.h"
#include "src/common/clock.h"
#include "transports/websocket/ws_protocol.h"

namespace zaqard::websocket {

namespace {

// Zaqar answers authenticate with a fresh request echo, never the sent headers (which
// hold the token).
Json authenticateEcho() {
    return Json::object()
        .set("action", Json::string("authenticate"))
        .set("body", Json::object())
        .set("headers", Json::object())
        .set("api", Json::string("v2"));
}

bool stringHeader(const json_t* headers, const char* name) {
    return json_is_string(json_object_get(headers, name));
}

}  // namespace

WebSocketAuth::WebSocketAuth(event::Dispatcher& dispatcher, auth::TokenValidator& validator,
                             std::function<void(const std::string&)> expire)
    : dispatcher_(dispatcher),
      validator_(validator),
      expire_(std::move(expire)),
      alive_(std::make_shared<bool>(true)) {}

WebSocketAuth::~WebSocketAuth() {
    *alive_ = false;
}

void WebSocketAuth::authenticate(const std::string& connectionId, const Json& frame,
                                 std::function<void(Json)> reply) {
    Json echo = requestEcho(frame);
    // The action's schema: headers with string X-Auth-Token and X-Project-ID.
    const json_t* headers = frame.at("headers");
    if (!json_is_object(headers) || !stringHeader(headers, "X-Auth-Token") ||
        !stringHeader(headers, "X-Project-ID")) {
        return reply(protocolError(echo, 400, "Schema validation failed."));
    }
    Session& session = sessions_[connectionId];
    if (session.validating && !session.identity)
        return reply(protocolError(echo, 403, "Not authentified."));
    session.validating = true;
    std::string token = json_string_value(json_object_get(headers, "X-Auth-Token"));
    validator_.validate(token, [this, alive = alive_, connectionId,
                                reply = std::move(reply)](const auth::Validation& validation) {
        if (*alive) onValidated(connectionId, validation, reply);
    });
}

void WebSocketAuth::onValidated(const std::string& connectionId, const auth::Validation& validation,
                                const std::function<void(Json)>& reply) {
    auto it = sessions_.find(connectionId);
    if (it == sessions_.end()) return;  // the connection left meanwhile
    Session& session = it->second;
    session.validating = false;
    if (validation.verdict != auth::Verdict::Valid || !validation.identity) {
        int status = validation.verdict == auth::Verdict::Unavailable ? 503 : 401;
        return reply(protocolError(authenticateEcho(), status, "Authentication failed."));
    }
    session.identity = validation.identity;
    // Bounded so a far-future expiry cannot overflow the timer.
    constexpr double kMaxSeconds = 366.0 * 24 * 3600;
    double remaining = std::clamp(validation.identity->expiresAt - nowSeconds(), 0.0, kMaxSeconds);
    session.expiry = dispatcher_.createTimer([this, connectionId] {
        auto found = sessions_.find(connectionId);
        if (found == sessions_.end()) return;
        // The timer is running its own callback: free it later.
        dispatcher_.deferDelete(std::move(found->second.expiry));
        sessions_.erase(found);
        expire_(connectionId);
    });
    session.expiry->enable(std::chrono::milliseconds(static_cast<int64_t>(remaining * 1000)));
    reply(envelope(authenticateEcho(), 200,
                   Json::object().set("message", Json::string("Authentified."))));
}

std::optional<std::string> WebSocketAuth::admit(const std::string& connectionId,
                                                api::Request& request) {
    auto it = sessions_.find(connectionId);
    if (it == sessions_.end() || !it->second.identity) {
        // §4.1: a signed frame goes on for the api to verify; a validation in flight
        // makes even those wait for its outcome.
        bool validating = it != sessions_.end() && it->second.validating;
        if (!validating && api::hasUrlSignature(request.headers)) return std::nullopt;
        return std::string("Not authentified.");
    }
    const auth::Identity& identity = *it->second.identity;
    auto project = request.headers.find("X-Project-ID");
    if (project == request.headers.end() || project->second.empty() ||
        project->second != identity.projectId)
        return std::string("Not authenticated.");
    for (const char* name : {"URL-Signature", "URL-Expires", "URL-Methods", "URL-Paths"})
        request.headers.erase(name);
    auth::applyIdentity(request.headers, identity);
    return std::nullopt;
}

void WebSocketAuth::forget(const std::string& connectionId) {
    auto it = sessions_.find(connectionId);
    if (it == sessions_.end()) return;
    sessions_.erase(it);
}

}  // namespace zaqard::websocket
