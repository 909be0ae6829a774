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

#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <openssl/ssl.h>

#include <cctype>
#include <cstdio>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "src/api/action_table.h"
#include "src/common/clock.h"
#include "src/common/log.h"
#include "src/common/uuid.h"
#include "src/event/listen_socket.h"
#include "src/metrics/record.h"
#include "transports/http/console_route.h"
#include "transports/http/content_negotiation.h"
#include "transports/http/cors.h"
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

class HttpServer::Impl {
  public:
    struct Exchange;

    Impl(event::Dispatcher& dispatcher, const config::Config& config, api::Api& api)
        : dispatcher_(dispatcher), config_(config), api_(api), cors_(config.cors) {
        routerOptions_.adminMode = config.admin_mode;
        routerOptions_.pooling = config.pooling;
    }
    ~Impl();

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
    static void onConnectionClose(evhttp_connection* connection, void* self);
    void handle(evhttp_request* request);
    void replyNow(evhttp_request* request, const api::Response& response, const std::string& method,
                  const std::string& path, int64_t started, const std::string& requestId,
                  const std::string& project, int action);
    void forget(Exchange& exchange);

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
    // Connections seen (metrics: evhttp has no accept hook, so a connection counts from
    // its first request until its close callback).
    std::unordered_set<evhttp_connection*> connections_;
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
    // Over-long bodies are refused by evhttp itself (413 with its own page): libevent 2.1
    // has no hook between reading the headers and reading the body.
    evhttp_set_max_body_size(http, config_.max_body_size);
    evhttp_set_max_headers_size(http, 64 * 1024);
    evhttp_set_default_content_type(http, nullptr);
    evhttp_set_gencb(http, &Impl::onRequest, this);
    if (withTls) evhttp_set_bevcb(http, &Impl::newTlsBufferevent, this);
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
    // Most clients close without close_notify; that is an end, not an error.
    if (bev) bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    return bev;
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

void HttpServer::Impl::onConnectionClose(evhttp_connection* connection, void* self) {
    auto& server = *static_cast<Impl*>(self);
    if (server.connections_.erase(connection)) metrics::connectionClosed(metrics::Transport::Rest);
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
    if (!exchange.request) server.forget(exchange);
}

void HttpServer::Impl::forget(Exchange& exchange) {
    exchanges_.erase(&exchange);
    if (exchange.connection) byConnection_.erase(exchange.connection);
    exchange.connection = nullptr;
}

void HttpServer::Impl::handle(evhttp_request* request) {
    int64_t started = monotonicMicros();
    metrics::requestStarted();
    if constexpr (metrics::kEnabled) {
        evhttp_connection* connection = evhttp_request_get_connection(request);
        if (connection && connections_.insert(connection).second) {
            evhttp_connection_set_closecb(connection, &Impl::onConnectionClose, this);
            metrics::connectionOpened(metrics::Transport::Rest);
        }
    }
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

    // Every OPTIONS is oslo's CORS filter's (cors.h), before authentication and the api.
    if (method == "OPTIONS") {
        api::Response response;
        if (match.kind == RouteMatch::Kind::Options)
            response.addHeader("Allow", match.allowedMethods);
        cors_.preflight(request, response);
        early(response);
        return;
    }
    // The web console's static files: outside the tenant API and before authentication.
    if (isConsolePath(target.path)) {
        early(
            consoleResponse({method, target.path, headerValue(request, "If-None-Match")}, config_));
        return;
    }
    // Under Keystone an unknown path is a 404 only for an authenticated client (Zaqar's
    // auth middleware wraps its router): it goes through the gate first.
    const bool unrouted = match.kind == RouteMatch::Kind::NotFound;
    if (unrouted && !gate_) {
        early(errorResponse(404, errorFormat(accept), "404 Not Found", ""));
        return;
    }
    const char* contentLength =
        evhttp_find_header(evhttp_request_get_input_headers(request), "Content-Length");
    if (contentLength && isFormUrlEncoded(headerValue(request, "Content-Type"))) {
        early(errorResponse(400, errorFormat(accept), "Invalid Content-Type",
                            kUrlEncodedDescription));
        return;
    }
    const char* produces = match.kind == RouteMatch::Kind::Found
                               ? api::actionSpec(match.action).produces
                               : "application/json";
    if (!clientAccepts(accept, produces)) {
        api::Response response = errorResponse(406, errorFormat(accept), kNotAcceptableTitle, "");
        response.addHeader("Vary", "Accept");
        early(response);
        return;
    }

    api::Request apiRequest;
    apiRequest.action = match.action;
    apiRequest.dialect = api::Dialect::Rest;
    apiRequest.pathParams() = std::move(match.pathParams());
    apiRequest.allowedMethods = std::move(match.allowedMethods);
    apiRequest.requestId = requestId;
    apiRequest.method = method;
    mapRequest(request, target, apiRequest);

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

    api::Responder respond = [exchange](api::Response response) {
        if (exchange->server) exchange->server->reply(*exchange, response);
        exchange->answered = true;
    };
    if (!gate_) return api_.handle(std::move(apiRequest), std::move(respond));
    // Keystone may answer later: the server may be gone by then (exchange->server).
    api::Response notFound;
    if (unrouted) notFound = errorResponse(404, errorFormat(accept), "404 Not Found", "");
    gate_->admit(
        std::move(apiRequest),
        [exchange, respond, unrouted, notFound](api::Request admitted) {
            if (!exchange->server) return;
            if (unrouted) return respond(notFound);
            exchange->server->api_.handle(std::move(admitted), respond);
        },
        respond);
}

void HttpServer::Impl::reply(Exchange& exchange, const api::Response& response) {
    if (exchange.answered) return;  // the api answers once; a second answer is ignored
    exchange.answered = true;
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
    if (method != "OPTIONS" && cors_.needsHeaders(request)) {
        api::Response withCors = response;  // copied only for cross-origin requests
        cors_.addActualHeaders(request, withCors);
        sendResponse(request, withCors, options);
    } else {
        sendResponse(request, response, options);
    }
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
