// HttpServer::Impl: evhttp on the shard's event_base. Each request becomes an Exchange
// shared with the api's Responder, so a reply that comes late (after Redis answered) or
// never finds out safely whether the evhttp_request still exists:
//  - while we hold a request evhttp stops reading its connection, so one connection has
//    at most one Exchange;
//  - evhttp frees a held request only when it frees the connection (evhttp_free, or a
//    dropped connection): the connection's close callback clears Exchange::request first;
//    a request evhttp merely detached (client EOF) stays ours and is freed by replying;
//  - the server going away clears every Exchange's pointers; later replies are dropped.
#include "transports/http/http_server.h"

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <openssl/ssl.h>

#include <cctype>
#include <cstdio>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "src/api/action_table.h"
#include "src/api/signed_url_verifier.h"
#include "src/common/clock.h"
#include "src/common/log.h"
#include "src/common/uuid.h"
#include "src/event/listen_socket.h"
#include "src/metrics/record.h"
#include "transports/http/console_route.h"
#include "transports/http/content_negotiation.h"
#include "transports/http/cors.h"
#include "transports/http/request_gate.h"
#include "transports/http/request_mapper.h"
#include "transports/http/response_writer.h"
#include "transports/http/router.h"

namespace zaqard::http {

namespace {

struct EvhttpDeleter {
    void operator()(evhttp* http) const { evhttp_free(http); }
};

constexpr const char* kUrlEncodedDescription =
    "Endpoint does not accept `application/x-www-form-urlencoded` content; currently supported "
    "media type is `application/json`; specify proper client-side media type with the "
    "\"Content-Type\" header.";
constexpr const char* kNotAcceptableTitle =
    "\nEndpoint only serves `application/json`; specify client-side\nmedia type support with "
    "the \"Accept\" header.";

// A client-chosen request id is echoed only when it is short printable ASCII.
bool usableRequestId(const std::string& id) {
    if (id.empty() || id.size() > 128) return false;
    for (unsigned char c : id)
        if (c < 0x21 || c > 0x7e) return false;
    return true;
}

api::Response errorResponse(int status, ErrorFormat format, const char* title,
                            const char* description) {
    api::Response response;
    response.status = status;
    response.contentType = errorContentType(format);
    response.rawBody = renderError(format, title, description);
    return response;
}

}  // namespace

class HttpServer::Impl : public GateOwner {
  public:
    struct Exchange;

    Impl(event::Dispatcher& dispatcher, const config::Config& config, api::Api& api)
        : dispatcher_(dispatcher), config_(config), api_(api), cors_(config.cors) {
        routerOptions_.adminMode = config.admin_mode;
        routerOptions_.pooling = config.pooling;
        gateLimits_.maxHeaderBytes = static_cast<size_t>(config.max_header_size);
        gateLimits_.maxBodyBytes = static_cast<size_t>(config.max_body_size);
        gateLimits_.headerTimeout = config.http_header_timeout;
        gateLimits_.bodyTimeout = config.http_body_timeout;
        gateLimits_.idleTimeout = config.http_idle_timeout;
        gateLimits_.writeTimeout = config.http_write_timeout;
    }
    ~Impl() override;

    bool admitConnection(RequestGate& gate, evhttp_connection* connection) override;

    bool listen(std::string& error);
    void stopAccepting();
    size_t inFlight() const { return exchanges_.size(); }
    void setAuthGate(auth::RestAuthGate* gate) { gate_ = gate; }
    void setTls(std::shared_ptr<tls::ServerTls> tls) { tls_ = std::move(tls); }

    void reply(Exchange& exchange, const api::Response& response);

  private:
    // One evhttp per listener (libevent's bufferevent callback is per evhttp): the plain
    // one and, with TLS, the HTTPS one. Both call the same onRequest.
    struct Listener {
        std::unique_ptr<evhttp, EvhttpDeleter> http;
        evhttp_bound_socket* bound = nullptr;  // owned by http
    };
    bool listenOn(Listener& listener, int port, bool withTls, std::string& error);
    static bufferevent* newTlsBufferevent(event_base* base, void* self);
    static void onRequest(evhttp_request* request, void* self);
    static bufferevent* makeBufferevent(event_base* base, void* self);
    static void onConnectionClose(evhttp_connection* connection, void* self);
    void handle(evhttp_request* request);
    void replyNow(evhttp_request* request, const api::Response& response, const std::string& method,
                  const std::string& path, int64_t started, const std::string& requestId,
                  const std::string& project, int action);
    void forget(Exchange& exchange);
    void watchClose(const std::weak_ptr<Exchange>& exchange);

    event::Dispatcher& dispatcher_;
    const config::Config& config_;
    api::Api& api_;
    auth::RestAuthGate* gate_ = nullptr;
    Cors cors_;
    RouterOptions routerOptions_;
    std::shared_ptr<tls::ServerTls> tls_;
    Listener plain_;
    Listener secure_;
    bool accepting_ = false;
    std::unordered_set<Exchange*> exchanges_;
    std::unordered_map<evhttp_connection*, Exchange*> byConnection_;
    // Every connection from its accept (the request gate's admitConnection) to evhttp's
    // close callback; `admitted` ones count against the limits and in the metrics.
    struct Connection {
        RequestGate* gate = nullptr;
        bool admitted = false;
    };
    std::unordered_map<evhttp_connection*, Connection> connections_;
    std::unordered_map<std::string, int> perClient_;  // admitted connections by address
    size_t admitted_ = 0;
    GateLimits gateLimits_;
};

// One request handed to the api. Owned by the Responder (shared_ptr), never by evhttp.
struct HttpServer::Impl::Exchange {
    Impl* server = nullptr;             // null once the server is gone
    evhttp_request* request = nullptr;  // null once answered or freed by evhttp
    evhttp_connection* connection = nullptr;
    std::string method;
    std::string path;
    std::string requestId;
    std::string project;  // X-Project-ID, for the access log
    int64_t started = 0;
    int action = metrics::kUnrouted;  // the metrics label: the action table row
    bool answered = false;
    // Tells the api when the client leaves before its answer (a long poll then ends).
    std::shared_ptr<api::Abandonment> abandonment = std::make_shared<api::Abandonment>();
    // While the api waits (long polling): evhttp does not read a connection whose request
    // it holds, so it would notice the client leaving only when writing the answer. An
    // EV_CLOSED watch on the socket (EPOLLRDHUP) tells at once.
    event::FileEventPtr closeWatch;

    ~Exchange() {
        // The api dropped its Responder without answering: answer for it rather than
        // leaving the client waiting and evhttp holding the request forever.
        if (!answered && server) {
            api::Response response = errorResponse(500, ErrorFormat::Json, "Internal server error",
                                                   "The request was not answered.");
            server->reply(*this, response);
        }
    }
};

HttpServer::Impl::~Impl() {
    // evhttp_free frees every connection with the requests still attached to it; a request
    // evhttp detached (its client left) is ours and is freed here.
    std::vector<evhttp_request*> detached;
    for (Exchange* exchange : exchanges_) {
        if (exchange->request && !evhttp_request_get_connection(exchange->request))
            detached.push_back(exchange->request);
        exchange->server = nullptr;
        exchange->request = nullptr;
        exchange->connection = nullptr;
    }
    exchanges_.clear();
    byConnection_.clear();
    plain_.http.reset();
    secure_.http.reset();
    for (evhttp_request* request : detached) evhttp_request_free(request);
}

bool HttpServer::Impl::listen(std::string& error) {
    if (!listenOn(plain_, config_.port, false, error)) return false;
    if (tls_ && config_.ssl_port >= 0 && !listenOn(secure_, config_.ssl_port, true, error))
        return false;
    accepting_ = true;
    return true;
}

bool HttpServer::Impl::listenOn(Listener& listener, int port, bool withTls, std::string& error) {
    UniqueFd fd = event::openListener(config_.bind, port, true, error);
    if (!fd) return false;
    listener.http.reset(evhttp_new(dispatcher_.base()));
    if (!listener.http) {
        error = "cannot create the HTTP server";
        return false;
    }
    evhttp* http = listener.http.get();
    evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                         EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
                                         EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
    // Every connection's bytes pass the request gate (request_gate.h: strict framing,
    // 413/431 with Zaqar's body before a body is read, timeouts) before evhttp parses
    // them; on the HTTPS listener the gate sits above the TLS bufferevent (plaintext).
    // evhttp's own limits stay as a backstop above the gate's, never reached.
    evhttp_set_bevcb(http, withTls ? &Impl::newTlsBufferevent : &Impl::makeBufferevent, this);
    evhttp_set_max_body_size(http, config_.max_body_size);
    evhttp_set_max_headers_size(http, 2 * static_cast<ev_ssize_t>(config_.max_header_size) + 4096);
    evhttp_set_default_content_type(http, nullptr);
    evhttp_set_gencb(http, &Impl::onRequest, this);
    listener.bound = evhttp_accept_socket_with_handle(http, fd.get());
    if (!listener.bound) {
        error = "cannot accept on " + config_.bind + ":" + std::to_string(port);
        return false;
    }
    fd.release();  // the bound socket closes it
    return true;
}

// evhttp asks for each accepted HTTPS connection's bufferevent: a server-side TLS one on
// the current context (its socket is set by evhttp afterwards).
bufferevent* HttpServer::Impl::newTlsBufferevent(event_base* base, void* self) {
    auto& server = *static_cast<Impl*>(self);
    SSL* ssl = SSL_new(server.tls_->context());
    if (!ssl) return nullptr;
    bufferevent* bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                                      BEV_OPT_CLOSE_ON_FREE);
    if (!bev) return nullptr;
    // Most clients close without close_notify; that is an end, not an error.
    bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    return RequestGate::wrap(bev, server.gateLimits_, server);
}

void HttpServer::Impl::stopAccepting() {
    if (!accepting_) return;
    accepting_ = false;
    for (Listener* listener : {&plain_, &secure_}) {
        if (listener->bound) evhttp_del_accept_socket(listener->http.get(), listener->bound);
        listener->bound = nullptr;
    }
}

void HttpServer::Impl::onRequest(evhttp_request* request, void* self) {
    static_cast<Impl*>(self)->handle(request);
}

bufferevent* HttpServer::Impl::makeBufferevent(event_base* base, void* self) {
    auto& server = *static_cast<Impl*>(self);
    bufferevent* socket = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (!socket) return nullptr;
    return RequestGate::wrap(socket, server.gateLimits_, server);
}

bool HttpServer::Impl::admitConnection(RequestGate& gate, evhttp_connection* connection) {
    Connection& entry = connections_[connection];
    entry.gate = &gate;
    evhttp_connection_set_closecb(connection, &Impl::onConnectionClose, this);
    // Limits per shard (shards share nothing): the kernel spreads connections over them.
    const int maxTotal = config_.max_connections;
    const int maxClient = config_.max_connections_per_client;
    if (maxTotal > 0 && admitted_ >= static_cast<size_t>(maxTotal)) {
        log::warning("http: connection from " + gate.peer() + " refused: " +
                     std::to_string(maxTotal) + " connections open ([zaqard] max_connections)");
        return false;
    }
    int& fromClient = perClient_[gate.peer()];
    if (maxClient > 0 && fromClient >= maxClient) {
        if (fromClient == 0) perClient_.erase(gate.peer());
        log::warning("http: connection from " + gate.peer() +
                     " refused: " + std::to_string(maxClient) +
                     " connections open from it ([zaqard] max_connections_per_client)");
        return false;
    }
    ++fromClient;
    ++admitted_;
    entry.admitted = true;
    metrics::connectionOpened(metrics::Transport::Rest);
    return true;
}

void HttpServer::Impl::onConnectionClose(evhttp_connection* connection, void* self) {
    auto& server = *static_cast<Impl*>(self);
    if (auto known = server.connections_.find(connection); known != server.connections_.end()) {
        Connection entry = known->second;
        server.connections_.erase(known);
        entry.gate->detach();
        if (entry.admitted) {
            metrics::connectionClosed(metrics::Transport::Rest);
            --server.admitted_;
            auto client = server.perClient_.find(entry.gate->peer());
            if (client != server.perClient_.end() && --client->second <= 0)
                server.perClient_.erase(client);
        }
    }
    auto found = server.byConnection_.find(connection);
    if (found == server.byConnection_.end()) return;
    Exchange& exchange = *found->second;
    // Still attached: evhttp frees it with the connection. Detached: it is ours to free.
    if (exchange.request && evhttp_request_get_connection(exchange.request) == connection) {
        exchange.request = nullptr;
        log::debug("http: client left before its reply: " + exchange.method + " " + exchange.path);
    }
    exchange.connection = nullptr;
    server.byConnection_.erase(found);
    std::shared_ptr<api::Abandonment> abandonment = exchange.abandonment;
    if (!exchange.request) server.forget(exchange);
    // May answer (and so free the exchange) right here: nothing of it is used after.
    if (!exchange.answered) abandonment->abandon();
}

void HttpServer::Impl::forget(Exchange& exchange) {
    exchanges_.erase(&exchange);
    if (exchange.connection) byConnection_.erase(exchange.connection);
    exchange.connection = nullptr;
}

void HttpServer::Impl::handle(evhttp_request* request) {
    int64_t started = monotonicMicros();
    metrics::requestStarted();
    std::string method = methodName(evhttp_request_get_command(request));
    RequestTarget target = requestTarget(request);

    std::string requestId = headerValue(request, "X-Openstack-Request-ID");
    if (!usableRequestId(requestId)) requestId = "req-" + randomUuid();

    std::string accept = headerValue(request, "Accept");
    RouteMatch match;
    if (!target.path.empty() && target.path.front() == '/')
        match = route(method, target.path, routerOptions_);
    const int action = match.kind == RouteMatch::Kind::Found && method != "OPTIONS"
                           ? static_cast<int>(match.action)
                           : metrics::kUnrouted;
    // Answers given here, before the api: counted as done at once.
    auto early = [&](const api::Response& response) {
        metrics::requestDone(metrics::Transport::Rest, action, response.status,
                             monotonicMicros() - started);
        replyNow(request, response, method, target.path, started, requestId,
                 headerValue(request, "X-Project-ID"), action);
    };

    // The web console's static files: outside the tenant API and before authentication
    // (publicWithoutToken); an OPTIONS on them is CORS's, below.
    if (method != "OPTIONS" && isConsolePath(target.path)) {
        early(
            consoleResponse({method, target.path, headerValue(request, "If-None-Match")}, config_));
        return;
    }

    api::Request apiRequest;
    apiRequest.action = match.action;
    apiRequest.dialect = api::Dialect::Rest;
    apiRequest.pathParams() = std::move(match.pathParams());
    apiRequest.allowedMethods = match.allowedMethods;
    apiRequest.requestId = requestId;
    apiRequest.method = method;
    mapRequest(request, target, apiRequest);
    // Under Keystone every answer but the public paths' and signed requests' waits for a
    // valid token, the transport's own answers below too (keystonemiddleware wraps
    // Zaqar's whole app): no 404, 405, 406 or Allow list for an unauthenticated client.
    const bool tokenFirst = gate_ && !auth::publicWithoutToken(target.path) &&
                            !api::hasUrlSignature(apiRequest.headers);

    // Answers the transport gives itself, before the api.
    std::optional<api::Response> answer;
    std::optional<api::Response> unauthenticatedAnswer;  // OPTIONS without a valid token
    if (method == "OPTIONS") {
        // Every OPTIONS is oslo's CORS filter's (cors.h); it turns the 401 of an
        // unauthenticated OPTIONS into an empty 200 (no Allow) as well.
        api::Response response;
        if (match.kind == RouteMatch::Kind::Options)
            response.addHeader("Allow", match.allowedMethods);
        cors_.preflight(request, response);
        answer = std::move(response);
        if (tokenFirst) {
            api::Response bare;
            cors_.preflight(request, bare);
            unauthenticatedAnswer = std::move(bare);
        }
    } else if (match.kind == RouteMatch::Kind::NotFound) {
        answer = errorResponse(404, errorFormat(accept), "404 Not Found", "");
    } else if (evhttp_find_header(evhttp_request_get_input_headers(request), "Content-Length") &&
               isFormUrlEncoded(headerValue(request, "Content-Type"))) {
        answer =
            errorResponse(400, errorFormat(accept), "Invalid Content-Type", kUrlEncodedDescription);
    } else {
        const char* produces = match.kind == RouteMatch::Kind::Found
                                   ? api::actionSpec(match.action).produces
                                   : "application/json";
        if (!clientAccepts(accept, produces)) {
            api::Response response =
                errorResponse(406, errorFormat(accept), kNotAcceptableTitle, "");
            response.addHeader("Vary", "Accept");
            answer = std::move(response);
        }
    }
    if (answer && !tokenFirst) {
        early(*answer);
        return;
    }

    auto exchange = std::make_shared<Exchange>();
    exchange->server = this;
    exchange->request = request;
    exchange->connection = evhttp_request_get_connection(request);
    exchange->method = std::move(method);
    exchange->path = std::move(target.path);
    exchange->requestId = std::move(requestId);
    exchange->project = headerValue(request, "X-Project-ID");
    exchange->started = started;
    exchange->action = action;
    exchanges_.insert(exchange.get());
    if (exchange->connection) {
        byConnection_[exchange->connection] = exchange.get();
        evhttp_connection_set_closecb(exchange->connection, &Impl::onConnectionClose, this);
    }

    apiRequest.abandonment = exchange->abandonment;
    if (exchange->connection) {
        std::weak_ptr<Exchange> weak = exchange;
        exchange->abandonment->setArm([this, weak] { watchClose(weak); });
    }
    api::Responder respond = [exchange](api::Response response) {
        if (exchange->server) exchange->server->reply(*exchange, response);
        exchange->answered = true;
    };
    if (!tokenFirst) return api_.handle(std::move(apiRequest), std::move(respond));
    // Keystone may answer later: the server may be gone by then (exchange->server).
    api::Responder refuse = respond;
    if (unauthenticatedAnswer)
        refuse = [respond, bare = std::move(*unauthenticatedAnswer)](api::Response) {
            respond(bare);
        };
    gate_->admit(
        std::move(apiRequest),
        [exchange, respond, answer = std::move(answer)](api::Request admitted) {
            if (!exchange->server) return;
            if (answer) return respond(*answer);
            exchange->server->api_.handle(std::move(admitted), respond);
        },
        refuse);
}

void HttpServer::Impl::watchClose(const std::weak_ptr<Exchange>& weak) {
    auto exchange = weak.lock();
    if (!exchange || !exchange->request || !exchange->connection) return;
    bufferevent* buffer = evhttp_connection_get_bufferevent(exchange->connection);
    evutil_socket_t fd = buffer ? bufferevent_getfd(buffer) : -1;
    if (fd < 0) return;
    exchange->closeWatch = dispatcher_.createFileEvent(fd, EV_CLOSED, [this, weak](short) {
        auto gone = weak.lock();
        if (!gone || !gone->closeWatch) return;
        gone->closeWatch->disable();
        // Not from inside the watch's own callback: answering frees it.
        dispatcher_.defer([weak] {
            if (auto left = weak.lock(); left && !left->answered) left->abandonment->abandon();
        });
    });
}

void HttpServer::Impl::reply(Exchange& exchange, const api::Response& response) {
    if (exchange.answered) return;  // the api answers once; a second answer is ignored
    exchange.answered = true;
    if (exchange.closeWatch) dispatcher_.deferDelete(std::move(exchange.closeWatch));
    evhttp_request* request = exchange.request;
    exchange.request = nullptr;
    forget(exchange);
    metrics::requestDone(metrics::Transport::Rest, exchange.action, response.status,
                         monotonicMicros() - exchange.started);
    if (!request) return;  // the client is gone
    replyNow(request, response, exchange.method, exchange.path, exchange.started,
             exchange.requestId, exchange.project, exchange.action);
}

void HttpServer::Impl::replyNow(evhttp_request* request, const api::Response& response,
                                const std::string& method, const std::string& path, int64_t started,
                                const std::string& requestId, const std::string& project,
                                int action) {
    ReplyOptions options;
    options.requestId = requestId;
    options.closeConnection = !accepting_;
    RequestGate* gate = nullptr;
    if (evhttp_connection* connection = evhttp_request_get_connection(request)) {
        auto known = connections_.find(connection);
        if (known != connections_.end()) gate = known->second.gate;
    }
    // The gate found bad bytes after this request: this reply is the connection's last.
    if (gate && gate->closeAfterReply()) options.closeConnection = true;
    if (method != "OPTIONS" && cors_.needsHeaders(request)) {
        api::Response withCors = response;  // copied only for cross-origin requests
        cors_.addActualHeaders(request, withCors);
        sendResponse(request, withCors, options);
    } else {
        sendResponse(request, response, options);
    }
    // Pointers of `request` are not used below: evhttp owns it again. The gate may hand
    // evhttp the connection's next request now.
    if (gate) gate->replied();
    log::AccessEntry entry;
    entry.method = method;
    entry.path = path;
    entry.status = response.status;
    entry.durationMs = static_cast<double>(monotonicMicros() - started) / 1000.0;
    entry.requestId = requestId;
    entry.project = project;
    // The action table's name for the row metrics count the request under.
    if (action != metrics::kUnrouted) entry.action = api::actionSpec(api::Action(action)).name;
    // The peer's address only for JSON lines (evhttp formats it; text lines never had it).
    char client[80] = "";
    if (log::jsonLines()) {
        if (evhttp_connection* connection = evhttp_request_get_connection(request)) {
            char* address = nullptr;  // libevent 2.1: char**, owned by the connection
            ev_uint16_t port = 0;
            evhttp_connection_get_peer(connection, &address, &port);
            if (address) std::snprintf(client, sizeof client, "%s:%u", address, port);
        }
    }
    entry.client = client;
    log::access(entry);
}

HttpServer::HttpServer(event::Dispatcher& dispatcher, const config::Config& config, api::Api& api)
    : impl_(std::make_unique<Impl>(dispatcher, config, api)) {}

HttpServer::~HttpServer() = default;

void HttpServer::setAuthGate(auth::RestAuthGate* gate) {
    impl_->setAuthGate(gate);
}

void HttpServer::setTls(std::shared_ptr<tls::ServerTls> tls) {
    impl_->setTls(std::move(tls));
}

bool HttpServer::listen(std::string& error) {
    return impl_->listen(error);
}

void HttpServer::stopAccepting() {
    impl_->stopAccepting();
}

size_t HttpServer::inFlight() const {
    return impl_->inFlight();
}

}  // namespace zaqard::http
