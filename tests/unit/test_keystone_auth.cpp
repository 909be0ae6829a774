// Keystone auth pieces without a network: token documents -> identity headers, the token
// cache's lifetimes and bound, the REST gate's rules (bypasses, header replacement, 401,
// 503, delay_auth_decision) and the [keystone_authtoken] options.
#include <gtest/gtest.h>

#include <map>

#include "src/auth/identity_headers.h"
#include "src/auth/keystone_client.h"
#include "src/auth/rest_gate.h"
#include "src/auth/token_cache.h"
#include "src/auth/token_data.h"
#include "src/config/keystone_options.h"

using namespace zaqard;

namespace {

const char* kToken = R"({"token": {
  "expires_at": "2099-01-01T00:00:00.000000Z",
  "project": {"id": "p1", "name": "demo", "domain": {"id": "default", "name": "Default"}},
  "user": {"id": "u1", "name": "alice", "domain": {"id": "default", "name": "Default"}},
  "roles": [{"id": "r1", "name": "member"}, {"id": "r2", "name": "admin"}]}})";

std::string header(const auth::Identity& identity, const std::string& name) {
    for (const auto& [key, value] : identity.headers)
        if (key == name) return value;
    return "<absent>";
}

// A validator answering from a table, counting the calls.
struct FakeValidator : auth::TokenValidator {
    std::map<std::string, auth::Validation> answers;
    int calls = 0;
    void validate(const std::string& token, Done done) override {
        ++calls;
        auto it = answers.find(token);
        done(it == answers.end() ? auth::Validation{auth::Verdict::Invalid, nullptr} : it->second);
    }
};

struct GateOutcome {
    bool proceeded = false;
    api::Request request;
    api::Response response;
};

GateOutcome admit(auth::RestAuthGate& gate, api::Request request) {
    GateOutcome outcome;
    gate.admit(
        std::move(request),
        [&outcome](api::Request r) {
            outcome.proceeded = true;
            outcome.request = std::move(r);
        },
        [&outcome](api::Response r) { outcome.response = std::move(r); });
    return outcome;
}

api::Request restRequest(std::string path) {
    api::Request request;
    request.path = std::move(path);
    request.headers["X-Project-ID"] = "claimed";
    request.headers["X-Roles"] = "admin";
    return request;
}

}  // namespace

TEST(KeystoneTokenData, IdentityHeadersFromTheToken) {
    auto identity = auth::identityFromTokenBody(kToken);
    ASSERT_TRUE(identity);
    EXPECT_EQ(identity->projectId, "p1");
    EXPECT_DOUBLE_EQ(identity->expiresAt, 4070908800.0);
    EXPECT_EQ(header(*identity, "X-Identity-Status"), "Confirmed");
    EXPECT_EQ(header(*identity, "X-Project-Id"), "p1");
    EXPECT_EQ(header(*identity, "X-Project-Name"), "demo");
    EXPECT_EQ(header(*identity, "X-Project-Domain-Id"), "default");
    EXPECT_EQ(header(*identity, "X-User-Id"), "u1");
    EXPECT_EQ(header(*identity, "X-User-Domain-Name"), "Default");
    EXPECT_EQ(header(*identity, "X-Roles"), "member,admin");
    EXPECT_EQ(header(*identity, "X-Role"), "member,admin");
    EXPECT_EQ(header(*identity, "X-Tenant-Id"), "p1");
    EXPECT_EQ(header(*identity, "X-Is-Admin-Project"), "True");
    EXPECT_EQ(header(*identity, "X-Domain-Id"), "<absent>");
}

TEST(KeystoneTokenData, RejectsDocumentsWithoutExpiry) {
    EXPECT_FALSE(auth::identityFromTokenBody("{}"));
    EXPECT_FALSE(auth::identityFromTokenBody("not json"));
    EXPECT_FALSE(auth::identityFromTokenBody(R"({"token": {"project": {"id": "p"}}})"));
}

TEST(KeystoneTokenCache, ValidEntriesEndAtTheTokenExpiry) {
    auth::TokenCache cache(10, 300);
    auto identity = std::make_shared<auth::Identity>();
    identity->expiresAt = 1000 + 60;
    std::string key = auth::TokenCache::keyOf("t");
    EXPECT_NE(key, "t");  // never the token itself
    cache.store(key, {auth::Verdict::Valid, identity}, 1000);
    EXPECT_TRUE(cache.find(key, 1059));
    EXPECT_FALSE(cache.find(key, 1060));
    identity->expiresAt = 1e10;
    cache.store(key, {auth::Verdict::Valid, identity}, 1000);
    EXPECT_TRUE(cache.find(key, 1299));
    EXPECT_FALSE(cache.find(key, 1300));  // token_cache_time
}

TEST(KeystoneTokenCache, InvalidCachedUnavailableNotAndBounded) {
    auth::TokenCache cache(2, 300);
    cache.store("a", {auth::Verdict::Invalid, nullptr}, 0);
    cache.store("b", {auth::Verdict::Unavailable, nullptr}, 0);
    ASSERT_TRUE(cache.find("a", 1));
    EXPECT_EQ(cache.find("a", 1)->verdict, auth::Verdict::Invalid);
    EXPECT_FALSE(cache.find("b", 1));
    cache.store("c", {auth::Verdict::Invalid, nullptr}, 0);
    cache.store("d", {auth::Verdict::Invalid, nullptr}, 0);
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_FALSE(cache.find("a", 1));  // the oldest went
    EXPECT_TRUE(cache.find("d", 1));
    auth::TokenCache off(10, 0);
    off.store("a", {auth::Verdict::Invalid, nullptr}, 0);
    EXPECT_EQ(off.size(), 0u);
}

TEST(KeystoneClient, IdentityBase) {
    EXPECT_EQ(auth::KeystoneClient::identityBase("http://k:5000"), "http://k:5000/v3");
    EXPECT_EQ(auth::KeystoneClient::identityBase("http://k:5000/"), "http://k:5000/v3");
    EXPECT_EQ(auth::KeystoneClient::identityBase("http://k:5000/v3/"), "http://k:5000/v3");
    EXPECT_EQ(auth::KeystoneClient::identityBase("https://k/identity/v3"), "https://k/identity/v3");
}

TEST(KeystoneRestGate, VersionListAndSignedUrlsSkipKeystone) {
    FakeValidator validator;
    config::KeystoneAuthOptions options;
    auth::RestAuthGate gate(validator, options);
    auto root = admit(gate, restRequest("/"));
    EXPECT_TRUE(root.proceeded);
    api::Request signed_ = restRequest("/v2/queues/q/messages");
    signed_.headers["URL-Signature"] = "";
    auto signedOutcome = admit(gate, std::move(signed_));
    EXPECT_TRUE(signedOutcome.proceeded);
    // Client headers untouched: the api verifies the signature with them.
    EXPECT_EQ(signedOutcome.request.headers["X-Roles"], "admin");
    EXPECT_EQ(validator.calls, 0);
}

TEST(KeystoneRestGate, MissingOrInvalidTokenIs401) {
    FakeValidator validator;
    config::KeystoneAuthOptions options;
    options.www_authenticate_uri = "http://keystone:5000";
    auth::RestAuthGate gate(validator, options);
    auto missing = admit(gate, restRequest("/v2/queues"));
    EXPECT_FALSE(missing.proceeded);
    EXPECT_EQ(missing.response.status, 401);
    EXPECT_EQ(validator.calls, 0);
    ASSERT_EQ(missing.response.headers.size(), 1u);
    EXPECT_EQ(missing.response.headers[0].second, "Keystone uri=\"http://keystone:5000\"");
    EXPECT_EQ(missing.response.body.dump(),
              R"({"error":{"code":401,"title":"Unauthorized","message":"The request you have )"
              R"(made requires authentication."}})");
    api::Request bad = restRequest("/v2/queues");
    bad.headers["X-Auth-Token"] = "nope";
    EXPECT_EQ(admit(gate, std::move(bad)).response.status, 401);
}

TEST(KeystoneRestGate, ValidTokenReplacesIdentityHeaders) {
    FakeValidator validator;
    validator.answers["good"] = {auth::Verdict::Valid, std::make_shared<const auth::Identity>(
                                                           *auth::identityFromTokenBody(kToken))};
    validator.answers["down"] = {auth::Verdict::Unavailable, nullptr};
    config::KeystoneAuthOptions options;
    auth::RestAuthGate gate(validator, options);
    api::Request request = restRequest("/v2/queues");
    request.headers["X-Storage-Token"] = "good";
    request.headers["X-User-Name"] = "mallory";
    auto outcome = admit(gate, std::move(request));
    ASSERT_TRUE(outcome.proceeded);
    EXPECT_EQ(outcome.request.headers["X-Project-ID"], "p1");
    EXPECT_EQ(outcome.request.headers["X-Roles"], "member,admin");
    EXPECT_EQ(outcome.request.headers["X-User-Name"], "alice");

    api::Request down = restRequest("/v2/queues");
    down.headers["X-Auth-Token"] = "down";
    auto unavailable = admit(gate, std::move(down));
    EXPECT_FALSE(unavailable.proceeded);
    EXPECT_EQ(unavailable.response.status, 503);
}

TEST(KeystoneRestGate, DelayAuthDecisionPassesUnauthenticatedRequestsOn) {
    FakeValidator validator;
    config::KeystoneAuthOptions options;
    options.delay_auth_decision = true;
    auth::RestAuthGate gate(validator, options);
    auto outcome = admit(gate, restRequest("/v2/queues"));
    ASSERT_TRUE(outcome.proceeded);
    EXPECT_EQ(outcome.request.headers["X-Identity-Status"], "Invalid");
    EXPECT_EQ(outcome.request.headers.count("X-Roles"), 0u);
    // X-Project-Id is an identity header too (HTTP names are case-insensitive): the api
    // then answers 400 for the missing project, as Zaqar behind keystonemiddleware does.
    EXPECT_EQ(outcome.request.headers.count("X-Project-ID"), 0u);
}

TEST(KeystoneOptions, ParsedFromTheRawSectionAndChecked) {
    config::Config config;
    config.keystone_authtoken = {{"auth_uri", "http://old:5000"},
                                 {"auth_url", "http://k:5000"},
                                 {"insecure", "yes"},
                                 {"token_cache_time", "60"}};
    std::string error;
    ASSERT_TRUE(config::applyKeystoneOptions(config, error)) << error;
    EXPECT_EQ(config.keystone.www_authenticate_uri, "http://old:5000");
    EXPECT_TRUE(config.keystone.insecure);
    EXPECT_EQ(config.keystone.token_cache_time, 60);
    EXPECT_EQ(config.keystone.user_domain_name, "Default");
    EXPECT_TRUE(config::checkKeystoneOptions(config, error));  // noauth: nothing required
    config.auth_strategy = "keystone";
    EXPECT_FALSE(config::checkKeystoneOptions(config, error));
    EXPECT_NE(error.find("username"), std::string::npos) << error;
    config.keystone.username = "zaqar";
    config.keystone.password = "x";
    config.keystone.project_name = "service";
    EXPECT_TRUE(config::checkKeystoneOptions(config, error)) << error;
    config.keystone.auth_type = "v3token";
    EXPECT_FALSE(config::checkKeystoneOptions(config, error));

    config.keystone_authtoken["token_cache_time"] = "soon";
    EXPECT_FALSE(config::applyKeystoneOptions(config, error));
    EXPECT_NE(error.find("token_cache_time"), std::string::npos) << error;
}

// A WebSocket frame carries no token of its own (it was sent once, in `authenticate`):
// the identity brings the validated one, which replaces any token header the request had,
// so a trust+ subscription made over WebSocket can create its trust.
TEST(KeystoneIdentityHeaders, TheValidatedTokenReplacesTheRequestsTokenHeaders) {
    auto identity = auth::identityFromTokenBody(kToken);
    ASSERT_TRUE(identity);
    identity->token = "validated-token";
    api::Headers headers = {
        {"X-Storage-Token", "other"}, {"X-Auth-Token", "forged"}, {"X-User-Id", "forged-user"}};
    auth::applyIdentity(headers, *identity);
    EXPECT_EQ(headers["X-Auth-Token"], "validated-token");
    EXPECT_EQ(headers.count("X-Storage-Token"), 0u);
    EXPECT_EQ(headers["X-User-Id"], "u1");

    api::Headers frame = {{"X-Project-ID", "p1"}};  // a WebSocket frame: no token at all
    auth::applyIdentity(frame, *identity);
    EXPECT_EQ(frame["X-Auth-Token"], "validated-token");
}
