// oslo.middleware's CORS filter, as Zaqar installs it: zaqar/transport/wsgi/driver.py wraps
// the whole REST app (authentication included) with it, so a preflight never reaches the
// Keystone check or the api, and every other answer (401s too) gets the CORS headers when
// its Origin is allowed. Options: `[cors]` (config::CorsOptions). HTTP only; the WebSocket
// transport asks originAllowed() for its handshake check.
#pragma once

#include <string>
#include <string_view>

#include "src/api/request.h"
#include "src/config/config.h"

namespace zaqard::http {

class Cors {
  public:
    explicit Cors(const config::CorsOptions& options) : options_(options) {}

    // The value to send as Access-Control-Allow-Origin for `origin`: the origin itself when
    // listed, "*" when only the wildcard allows it, "" when it is not allowed (oslo's
    // _get_cors_config_by_origin: exact, case-sensitive comparison).
    std::string allowOriginFor(std::string_view origin) const;

    // The WebSocket handshake (zaqard's own rule; Zaqar checks nothing): browsers do not
    // apply CORS to WebSockets, so without a check any page could drive the API through a
    // visitor's browser. Allowed: no Origin (not a browser), an Origin naming the Host the
    // client connected to (same origin; also what websocket-client sends), or an origin
    // [cors] allowed_origin allows.
    bool allowsWebSocketOrigin(std::string_view origin, std::string_view host) const;

    // An OPTIONS request (CORS section 6.2). oslo replaces any non-2xx answer with an
    // empty 200 before it looks at the request, so every OPTIONS answers 200 (with the
    // route's Allow header when the path is a route). The preflight headers are added
    // only when Origin is allowed, Access-Control-Request-Method is in allow_methods and
    // every Access-Control-Request-Headers name is in allow_headers or a simple header.
    void preflight(const api::Headers& request, api::Response& response) const;

    // Any other request (section 6.1): Vary, Access-Control-Allow-Origin,
    // -Allow-Credentials and -Expose-Headers when Origin is allowed. False when it added
    // nothing (no Origin, or not allowed), so the caller can skip copying the response.
    // `origin`: the request's Origin header ("" when absent).
    bool needsHeaders(std::string_view origin) const;
    void addActualHeaders(std::string_view origin, api::Response& response) const;

  private:
    const config::CorsOptions& options_;
};

}  // namespace zaqard::http
