// What a WebSocket upgrade request must be before it is accepted (RFC 6455 §4.1-4.2),
// beyond what libwebsockets checks. lws 4.1 answers 101 to a POST upgrade with a body, a
// chunked one, two Content-Lengths, a Sec-WebSocket-Key of any length and versions 8 or
// none: lenient where a proxy in front may read the request differently (it may take the
// upgrade as failed and the bytes after it as another request). docs/security.md
// "WebSocket handshake" lists what lws refuses itself.
#pragma once

#include <optional>
#include <string>

namespace zaqard::websocket {

// The parts of the handshake that matter here, as lws parsed them.
struct UpgradeRequest {
    bool get = false;                          // the method was GET
    std::optional<std::string> contentLength;  // the header's value, when sent
    bool transferEncoding = false;             // a Transfer-Encoding header was sent
    std::string version;                       // Sec-WebSocket-Version ("" when absent)
    std::string key;                           // Sec-WebSocket-Key ("" when absent)
};

// Why the upgrade is refused (400), or nullopt when it may go on.
std::optional<std::string> upgradeProblem(const UpgradeRequest& request);

}  // namespace zaqard::websocket
