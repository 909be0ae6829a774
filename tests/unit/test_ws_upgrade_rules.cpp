// The RFC 6455 shape a WebSocket upgrade must have (transports/websocket/upgrade_rules.h);
// the real handshakes are in tests/integration/test_ws_handshake_strict.py.
#include <gtest/gtest.h>

#include "transports/websocket/upgrade_rules.h"

using namespace zaqard::websocket;

namespace {

UpgradeRequest good() {
    UpgradeRequest r;
    r.get = true;
    r.version = "13";
    r.key = "dGhlIHNhbXBsZSBub25jZQ==";  // RFC 6455's example
    return r;
}

}  // namespace

TEST(WebSocketUpgradeRules, AGoodUpgradeGoesOn) {
    EXPECT_EQ(upgradeProblem(good()), std::nullopt);
    auto zero = good();
    zero.contentLength = "0";
    EXPECT_EQ(upgradeProblem(zero), std::nullopt);
}

TEST(WebSocketUpgradeRules, MethodFramingVersionAndKeyAreChecked) {
    auto post = good();
    post.get = false;
    EXPECT_TRUE(upgradeProblem(post));
    for (const char* length : {"5", "0,7", "00", "", "+0"}) {
        auto body = good();
        body.contentLength = length;
        EXPECT_TRUE(upgradeProblem(body)) << length;
    }
    auto chunked = good();
    chunked.transferEncoding = true;
    EXPECT_TRUE(upgradeProblem(chunked));
    for (const char* version : {"", "8", "13,8", " 13", "130"}) {
        auto r = good();
        r.version = version;
        EXPECT_TRUE(upgradeProblem(r)) << version;
    }
    for (const char* key :
         {"", "c2hvcnQ=", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZQ=x",
          "dGhlIHNhbXBsZSBub25jZ===", "dGhlIHNhbXBsZSBub25j!!==", "dGhlIHNhbXBsZSBub25jZQ==dGhl"}) {
        auto r = good();
        r.key = key;
        EXPECT_TRUE(upgradeProblem(r)) << key;
    }
}
