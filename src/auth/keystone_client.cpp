#include "src/auth/keystone_client.h"

#include "src/auth/token_data.h"
#include "src/common/clock.h"
#include "src/common/json.h"
#include "src/common/log.h"

namespace zaqard::auth {

namespace {

// A service token this close to its expiry is renewed before use.
constexpr double kServiceTokenMargin = 30;

std::string loginBody(const config::KeystoneAuthOptions& o) {
    Json user = Json::object()
                    .set("name", Json::string(o.username))
                    .set("password", Json::string(o.password))
                    .set("domain", Json::object().set("name", Json::string(o.user_domain_name)));
    Json identity = Json::object()
                        .set("methods", Json::array().append(Json::string("password")))
                        .set("password", Json::object().set("user", std::move(user)));
    Json scope = Json::object().set(
        "project",
        Json::object()
            .set("name", Json::string(o.project_name))
            .set("domain", Json::object().set("name", Json::string(o.project_domain_name))));
    return Json::object()
        .set("auth",
             Json::object().set("identity", std::move(identity)).set("scope", std::move(scope)))
        .dump();
}

Validation unavailable() {
    return Validation{Verdict::Unavailable, nullptr};
}

}  // namespace

KeystoneClient::KeystoneClient(event::Dispatcher& dispatcher,
                               const config::KeystoneAuthOptions& options)
    : options_(options), base_(identityBase(options.auth_url)), http_(dispatcher) {}

std::string KeystoneClient::identityBase(const std::string& authUrl) {
    std::string base = authUrl;
    while (!base.empty() && base.back() == '/') base.pop_back();
    if (base.size() < 3 || base.compare(base.size() - 3, 3, "/v3") != 0) base += "/v3";
    return base;
}

http_client::HttpRequest KeystoneClient::request(std::string method, std::string path) const {
    http_client::HttpRequest request;
    request.method = std::move(method);
    request.url = base_ + path;
    request.headers.emplace_back("Accept", "application/json");
    request.caFile = options_.cafile;
    request.insecure = options_.insecure;
    if (options_.http_connect_timeout > 0) {
        auto timeout =
            std::chrono::milliseconds(static_cast<int64_t>(options_.http_connect_timeout * 1000));
        request.connectTimeout = timeout;
        request.totalTimeout = timeout;
    }
    return request;
}

void KeystoneClient::validate(const std::string& token, TokenValidator::Done done) {
    withServiceToken([this, token, done = std::move(done)](bool ok) mutable {
        if (!ok) return done(unavailable());
        sendValidation(token, std::move(done), false);
    });
}

void KeystoneClient::withServiceToken(LoginDone done) {
    if (!serviceToken_.empty() && nowSeconds() < serviceExpires_ - kServiceTokenMargin) {
        // Always answer from the loop, as a login would.
        return http_.dispatcher().defer([alive = alive_, done = std::move(done)] {
            if (*alive) done(true);
        });
    }
    waitingForLogin_.push_back(std::move(done));
    if (!loggingIn_) login();
}

void KeystoneClient::login() {
    loggingIn_ = true;
    serviceToken_.clear();
    http_client::HttpRequest post = request("POST", "/auth/tokens");
    post.headers.emplace_back("Content-Type", "application/json");
    post.body = loginBody(options_);
    http_.send(std::move(post), [this](http_client::HttpResponse response) {
        if (!response.ok()) {
            log::error("keystone: service login failed: " + response.error);
            return finishLogin(false);
        }
        std::string token = response.header("X-Subject-Token");
        auto identity = identityFromTokenBody(response.body);
        if ((response.status != 201 && response.status != 200) || token.empty() || !identity) {
            log::error("keystone: service login to " + base_ + " refused (HTTP " +
                       std::to_string(response.status) + ")");
            return finishLogin(false);
        }
        serviceToken_ = std::move(token);
        serviceExpires_ = identity->expiresAt;
        finishLogin(true);
    });
}

void KeystoneClient::finishLogin(bool ok) {
    loggingIn_ = false;
    std::vector<LoginDone> waiting = std::move(waitingForLogin_);
    waitingForLogin_.clear();
    for (auto& done : waiting) done(ok);
}

void KeystoneClient::sendValidation(const std::string& token, TokenValidator::Done done,
                                    bool retried) {
    // The catalog is not used: nocatalog keeps the answer small.
    http_client::HttpRequest get = request("GET", "/auth/tokens?nocatalog");
    get.headers.emplace_back("X-Auth-Token", serviceToken_);
    get.headers.emplace_back("X-Subject-Token", token);
    std::string usedServiceToken = serviceToken_;
    http_.send(std::move(get), [this, token, done = std::move(done), retried,
                                usedServiceToken](http_client::HttpResponse response) mutable {
        if (!response.ok()) {
            log::error("keystone: token validation failed: " + response.error);
            return done(unavailable());
        }
        switch (response.status) {
            case 200: {
                auto identity = identityFromTokenBody(response.body);
                if (!identity) {
                    log::error("keystone: unreadable token document");
                    return done(unavailable());
                }
                identity->token = token;
                return done(Validation{Verdict::Valid,
                                       std::make_shared<const Identity>(std::move(*identity))});
            }
            case 404:
                return done(Validation{Verdict::Invalid, nullptr});
            case 401:
                // Our service token was refused (expired or revoked): log in again once.
                if (!retried) {
                    if (serviceToken_ == usedServiceToken) serviceToken_.clear();
                    return withServiceToken([this, token, done = std::move(done)](bool ok) mutable {
                        if (!ok) return done(unavailable());
                        sendValidation(token, std::move(done), true);
                    });
                }
                [[fallthrough]];
            default:
                log::error("keystone: token validation answered HTTP " +
                           std::to_string(response.status));
                return done(unavailable());
        }
    });
}

}  // namespace zaqard::auth
