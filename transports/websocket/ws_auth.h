// Keystone over WebSocket (websocket-v2.md §4, §4.1), per shard: the `authenticate`
// action, per-connection identities and their expiry timers. Rules:
//  * before authentication only `authenticate` and frames carrying a URL-Signature (the
//    api verifies them) get through; anything else gets 403 "Not authentified.", as does
//    every frame while a validation is in flight;
//  * after authentication each frame's X-Project-ID must equal the token's project (else
//    403 "Not authenticated.", Debian's check); its identity headers are replaced by the
//    token's, and URL-* headers are dropped (signed URLs only count unauthenticated);
//  * at the token's expires_at the connection is closed with 4003 "Authentication
//    expired."; a new `authenticate` replaces the timer.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "src/api/request.h"
#include "src/auth/token_validator.h"
#include "src/common/json.h"
#include "src/event/dispatcher.h"

namespace zaqard::websocket {

class WebSocketAuth {
  public:
    // `expire(connectionId)` closes that connection (4003).
    WebSocketAuth(event::Dispatcher& dispatcher, auth::TokenValidator& validator,
                  std::function<void(const std::string& connectionId)> expire);
    ~WebSocketAuth();

    // An `authenticate` frame: answers through `reply` (now or when Keystone has).
    void authenticate(const std::string& connectionId, const Json& frame,
                      std::function<void(Json)> reply);
    // Any other frame that maps onto an api request: nullopt when it may go on (headers
    // rewritten), else the error body to answer with (status 403).
    std::optional<std::string> admit(const std::string& connectionId, api::Request& request);
    void forget(const std::string& connectionId);

  private:
    struct Session {
        bool validating = false;
        std::shared_ptr<const auth::Identity> identity;  // set once authenticated
        event::TimerPtr expiry;
    };
    void onValidated(const std::string& connectionId, const auth::Validation& validation,
                     const std::function<void(Json)>& reply);

    event::Dispatcher& dispatcher_;
    auth::TokenValidator& validator_;
    std::function<void(const std::string&)> expire_;
    std::unordered_map<std::string, Session> sessions_;
    std::shared_ptr<bool> alive_;
};

}  // namespace zaqard::websocket
