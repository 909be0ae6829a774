#include "transports/websocket/upgrade_rules.h"

namespace zaqard::websocket {

namespace {

// RFC 6455 §4.1: the key is the base64 of 16 bytes: 22 base64 characters and "==", the
// last character carrying 2 bits (so one of A, Q, g, w).
bool validKey(const std::string& key) {
    if (key.size() != 24 || key.compare(22, 2, "==") != 0) return false;
    for (size_t i = 0; i < 22; ++i) {
        char c = key[i];
        bool base64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '+' || c == '/';
        if (!base64) return false;
    }
    char last = key[21];
    return last == 'A' || last == 'Q' || last == 'g' || last == 'w';
}

}  // namespace

std::optional<std::string> upgradeProblem(const UpgradeRequest& request) {
    if (!request.get) return "a WebSocket upgrade must be a GET request";
    // A GET has no body: any framing header other than "Content-Length: 0" is refused, as
    // the REST listener's request gate refuses ambiguous framing.
    if (request.transferEncoding) return "Transfer-Encoding on a WebSocket upgrade";
    if (request.contentLength && *request.contentLength != "0")
        return "a body on a WebSocket upgrade";
    if (request.version != "13") return "Sec-WebSocket-Version must be 13";
    if (!validKey(request.key)) return "Sec-WebSocket-Key must be 16 bytes in base64";
    return std::nullopt;
}

}  // namespace zaqard::websocket
