#include "src/auth/rest_gate.h"

#include "src/api/errors.h"
#include "src/api/signed_url_verifier.h"
#include "src/auth/identity_headers.h"

namespace zaqard::auth {

api::Response unauthorizedResponse(const std::string& wwwAuthenticateUri) {
    api::Response response;
    response.status = 401;
    response.body = Json::object().set(
        "error",
        Json::object()
            .set("code", Json::integer(401))
            .set("title", Json::string("Unauthorized"))
            .set("message", Json::string("The request you have made requires authentication.")));
    response.addHeader("WWW-Authenticate", "Keystone uri=\"" + wwwAuthenticateUri + "\"");
    return response;
}

api::Response keystoneUnavailableResponse() {
    return api::serviceUnavailable("The Keystone service is temporarily unavailable.");
}

bool publicWithoutToken(std::string_view path) {
    return path == "/" || path == "/metrics" || path == "/console" ||
           path.substr(0, 9) == "/console/";
}

void RestAuthGate::admit(api::Request request, Proceed proceed, api::Responder respond) {
    // SignedAndExtraSpecHeadersAuth: the version list, and signed URLs (checked by the api);
    // zaqard's /metrics and console too (publicWithoutToken).
    if (publicWithoutToken(request.path) || api::hasUrlSignature(request.headers))
        return proceed(std::move(request));
    std::string token = tokenOf(request.headers);
    stripIdentityHeaders(request.headers);
    auto reject = [this](api::Request& request, const Proceed& proceed,
                         const api::Responder& respond, Verdict verdict) {
        if (options_.delay_auth_decision) {
            request.headers["X-Identity-Status"] = "Invalid";
            return proceed(std::move(request));
        }
        respond(verdict == Verdict::Unavailable
                    ? keystoneUnavailableResponse()
                    : unauthorizedResponse(options_.www_authenticate_uri));
    };
    if (token.empty()) return reject(request, proceed, respond, Verdict::Invalid);
    // The request moves into the callback; it may run now (cache hit) or later.
    auto pending = std::make_shared<api::Request>(std::move(request));
    validator_.validate(token, [pending, proceed = std::move(proceed), respond = std::move(respond),
                                reject](const Validation& v) {
        if (v.verdict == Verdict::Valid && v.identity) {
            applyIdentity(pending->headers, *v.identity);
            return proceed(std::move(*pending));
        }
        reject(*pending, proceed, respond, v.verdict);
    });
}

}  // namespace zaqard::auth
