// KeystoneTrusts; see keystone_trusts.h.
#include "src/auth/keystone_trusts.h"

#include <ctime>

#include "src/auth/keystone_client.h"
#include "src/auth/token_data.h"
#include "src/common/clock.h"
#include "src/common/json.h"
#include "src/common/log.h"

namespace zaqard::auth {

namespace {
// A cached trust token this close to its expiry is replaced before use.
constexpr double kTokenMargin = 60;
constexpr size_t kMaxCachedTokens = 10000;

Json identityJson(const config::TrusteeOptions& o) {
    Json user = Json::object()
                    .set("name", Json::string(o.username))
                    .set("password", Json::string(o.password))
                    .set("domain", Json::object().set("name", Json::string(o.user_domain_name)));
    return Json::object()
        .set("methods", Json::array().append(Json::string("password")))
        .set("password", Json::object().set("user", std::move(user)));
}

// Keystone's expires_at form: 2026-12-07T10:00:00.000000Z.
std::string keystoneTime(double epoch) {
    time_t seconds = static_cast<time_t>(epoch);
    struct tm tm {};
    gmtime_r(&seconds, &tm);
    char text[40];
    strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S.000000Z", &tm);
    return text;
}
}  // namespace

KeystoneTrusts::KeystoneTrusts(event::Dispatcher& dispatcher, const config::TrusteeOptions& trustee,
                               const config::KeystoneAuthOptions& keystone)
    : trustee_(trustee),
      keystone_(keystone),
      base_(KeystoneClient::identityBase(trustee.auth_url)),
      http_(dispatcher) {}

http_client::HttpRequest KeystoneTrusts::request(std::string method, std::string path) const {
    http_client::HttpRequest request;
    request.method = std::move(method);
    request.url = base_ + path;
    request.headers.emplace_back("Accept", "application/json");
    request.headers.emplace_back("Content-Type", "application/json");
    // The TLS settings of [keystone_authtoken]: the same Keystone.
    request.caFile = keystone_.cafile;
    request.insecure = keystone_.insecure;
    return request;
}

void KeystoneTrusts::withTrusteeId(std::function<void(bool ok)> done) {
    if (!trusteeUserId_.empty()) {
        return http_.dispatcher().defer([alive = alive_, done = std::move(done)] {
            if (*alive) done(true);
        });
    }
    // The trustee's own login tells its user id (Zaqar: admin_session.get_user_id()).
    http_client::HttpRequest post = request("POST", "/auth/tokens");
    Json auth = Json::object().set("identity", identityJson(trustee_));
    if (!trustee_.project_name.empty())
        auth.set("scope",
                 Json::object().set(
                     "project",
                     Json::object()
                         .set("name", Json::string(trustee_.project_name))
                         .set("domain", Json::object().set(
                                            "name", Json::string(trustee_.project_domain_name)))));
    post.body = Json::object().set("auth", std::move(auth)).dump();
    http_.send(std::move(post), [this, done = std::move(done)](http_client::HttpResponse r) {
        Json doc = r.ok() ? parseJsonValue(r.body) : Json();
        json_t* token = doc ? doc.at("token") : nullptr;
        json_t* user = token ? json_object_get(token, "user") : nullptr;
        json_t* id = user ? json_object_get(user, "id") : nullptr;
        if ((r.status != 201 && r.status != 200) || !json_is_string(id)) {
            log::error("keystone: [trustee] login refused (" +
                       (r.ok() ? "HTTP " + std::to_string(r.status) : r.error) + ")");
            return done(false);
        }
        trusteeUserId_ = json_string_value(id);
        done(true);
    });
}

void KeystoneTrusts::create(const api::TrustRequest& trust,
                            std::function<void(Result<std::string>)> done) {
    withTrusteeId([this, trust, done = std::move(done)](bool ok) mutable {
        if (!ok) return done(Error{ErrorKind::Unavailable, "the [trustee] user cannot log in"});
        sendCreate(trust, std::move(done));
    });
}

void KeystoneTrusts::sendCreate(const api::TrustRequest& trust,
                                std::function<void(Result<std::string>)> done) {
    http_client::HttpRequest post = request("POST", "/OS-TRUST/trusts");
    post.headers.emplace_back("X-Auth-Token", trust.userToken);
    Json roles = Json::array();
    for (const auto& role : trust.roles)
        if (!role.empty()) roles.append(Json::object().set("name", Json::string(role)));
    Json body = Json::object()
                    .set("trustor_user_id", Json::string(trust.userId))
                    .set("trustee_user_id", Json::string(trusteeUserId_))
                    .set("project_id", Json::string(trust.projectId))
                    .set("impersonation", Json::boolean(true))
                    .set("roles", std::move(roles));
    if (trust.ttl > 0) body.set("expires_at", Json::string(keystoneTime(nowSeconds() + trust.ttl)));
    post.body = Json::object().set("trust", std::move(body)).dump();
    http_.send(std::move(post), [done = std::move(done)](http_client::HttpResponse r) {
        Json doc = r.ok() ? parseJsonValue(r.body) : Json();
        json_t* t = doc ? doc.at("trust") : nullptr;
        json_t* id = t ? json_object_get(t, "id") : nullptr;
        if (r.status != 201 || !json_is_string(id))
            return done(
                Error{ErrorKind::Unavailable,
                      "Keystone refused the trust (" +
                          (r.ok() ? "HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 200)
                                  : r.error) +
                          ")"});
        done(std::string(json_string_value(id)));
    });
}

void KeystoneTrusts::token(const std::string& trustId, bool fresh,
                           std::function<void(TrustToken)> done) {
    auto cached = tokens_.find(trustId);
    if (!fresh && cached != tokens_.end() &&
        nowSeconds() < cached->second.expiresAt - kTokenMargin) {
        TrustToken ok{TrustTokenStatus::Ok, cached->second.token, ""};
        return http_.dispatcher().defer([alive = alive_, ok, done = std::move(done)] {
            if (*alive) done(ok);
        });
    }
    http_client::HttpRequest post = request("POST", "/auth/tokens?nocatalog");
    Json scope =
        Json::object().set("OS-TRUST:trust", Json::object().set("id", Json::string(trustId)));
    post.body = Json::object()
                    .set("auth", Json::object()
                                     .set("identity", identityJson(trustee_))
                                     .set("scope", std::move(scope)))
                    .dump();
    http_.send(std::move(post),
               [this, trustId, done = std::move(done)](http_client::HttpResponse r) {
                   if (!r.ok())
                       return done({TrustTokenStatus::Unavailable, "", "Keystone: " + r.error});
                   std::string token = r.header("X-Subject-Token");
                   auto identity = identityFromTokenBody(r.body);
                   if ((r.status == 201 || r.status == 200) && !token.empty() && identity) {
                       if (tokens_.size() >= kMaxCachedTokens) tokens_.clear();
                       tokens_[trustId] = Cached{token, identity->expiresAt};
                       return done({TrustTokenStatus::Ok, token, ""});
                   }
                   tokens_.erase(trustId);
                   std::string reason = "Keystone refused a token for trust " + trustId +
                                        " (HTTP " + std::to_string(r.status) + ")";
                   if (r.status == 401 || r.status == 403 || r.status == 404)
                       return done({TrustTokenStatus::Refused, "",
                                    reason + ": the trust was deleted, "
                                             "expired or cannot be used"});
                   done({TrustTokenStatus::Unavailable, "", reason});
               });
}

}  // namespace zaqard::auth
