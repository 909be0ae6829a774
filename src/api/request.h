// The transport-neutral request and response of the api layer.
//
// A transport (transports/http, transports/websocket) turns what it received into an
// api::Request, calls api::Api::handle(), and writes the api::Response it gets back in its
// own framing. Nothing here knows about HTTP or WebSocket libraries.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "src/api/action.h"
#include "src/common/json.h"

namespace zaqard::api {

// Which protocol's response shapes to produce: Zaqar's REST and WebSocket endpoints
// answer the same operations with different bodies (websocket-v2.md §3).
enum class Dialect { Rest, WebSocket };

// Header names compared case-insensitively, as HTTP does.
struct CaseInsensitiveLess {
    bool operator()(const std::string& a, const std::string& b) const;
};
using Headers = std::map<std::string, std::string, CaseInsensitiveLess>;

// The path parameters of every route shape (rest-v2.md §3, §8, §9). A route pattern in the
// action table names them as "{queue_name}", ...; a WebSocket frame field of the same name
// fills the same member (action_table.h, kPathParams). Empty when the route has none.
struct PathParams {
    std::string queueName;
    std::string messageId;
    std::string claimId;
    std::string subscriptionId;
    std::string topicName;
    std::string poolName;
    std::string flavorName;

    PathParams& pathParams() { return *this; }
};

// Lets a transport tell the api that nobody awaits an answer any more (the client closed
// its connection), so a request that waits (long polling, waiters.h) is freed at once
// instead of at its deadline. HTTP has one per request, WebSocket one per connection
// (shared by its requests). Loop thread only.
class Abandonment {
  public:
    using Token = uint64_t;
    // `handler` runs once, at abandon() (at once if that already happened: then 0 is
    // returned). forget() drops a handler that has not run.
    Token onAbandon(std::function<void()> handler) {
        if (abandoned_) {
            handler();
            return 0;
        }
        handlers_.emplace_back(++next_, std::move(handler));
        if (arm_) std::exchange(arm_, nullptr)();
        return next_;
    }
    // Runs once, when the first handler is set: watching for the client to leave may cost
    // the transport something (HTTP: a close watch on the socket), so it starts then.
    void setArm(std::function<void()> arm) { arm_ = std::move(arm); }
    void forget(Token token) {
        for (auto it = handlers_.begin(); it != handlers_.end(); ++it)
            if (it->first == token) {
                handlers_.erase(it);
                return;
            }
    }
    void abandon() {
        if (abandoned_) return;
        abandoned_ = true;
        auto handlers = std::move(handlers_);
        handlers_.clear();
        for (auto& [token, handler] : handlers) handler();
    }
    bool abandoned() const { return abandoned_; }

  private:
    bool abandoned_ = false;
    Token next_ = 0;
    std::vector<std::pair<Token, std::function<void()>>> handlers_;
    std::function<void()> arm_;
};

struct Request : PathParams {
    Action action = Action::Ping;
    Dialect dialect = Dialect::Rest;

    // Identity. Transports copy them from the headers; the api layer validates them.
    Headers headers;  // Client-ID, X-Project-ID, X-Roles, Content-Type, ...

    // Path parameters (PathParams, raw, percent-decoded) are inherited.

    // Query parameters in the order received (REST: strings, last value wins for scalars;
    // WebSocket: the typed JSON values of the frame body are put here by the transport
    // as strings/JSON via `typedParams`).
    std::vector<std::pair<std::string, std::string>> query;
    Json typedParams;  // WebSocket only: body fields such as limit/echo as JSON values

    // The raw body and whether one was sent (HTTP: a Content-Length header was present).
    bool hasBody = false;
    std::string body;

    // The request path, e.g. "/v2/queues/q/messages" (used for pagination links).
    std::string path;

    // REST: the HTTP method as received ("GET", ...), for signed-URL checks. When a
    // transport leaves it empty, the api uses the method the action is routed under.
    std::string method;

    // For MethodNotAllowed: the methods the path supports, e.g. "GET, PUT" (the api layer
    // adds ", OPTIONS" in the Allow header as falcon does).
    std::string allowedMethods;

    // Set by the transport for log correlation; echoed in responses.
    std::string requestId;

    // Set by a transport that can tell when the client left (null: it cannot).
    std::shared_ptr<Abandonment> abandonment;
};

struct Response {
    int status = 200;
    // Extra headers such as Location, Allow, Cache-Control. Content-Type is implied by
    // `contentType` (and omitted when there is no body).
    std::vector<std::pair<std::string, std::string>> headers;
    std::string contentType = "application/json";
    Json body;            // JSON body, or empty for none (204, 201 on PUT, ...)
    std::string rawBody;  // pre-rendered body text, used instead of `body` when set

    void addHeader(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
    }
};

// Called exactly once per request, on the shard's thread. May be called synchronously
// from within Api::handle().
using Responder = std::function<void(Response)>;

}  // namespace zaqard::api
