// HttpServer::Impl: the listeners (libevent evconnlistener on the SO_REUSEPORT sockets),
// the connections (connection.h) and the step from a parsed request to the api. Each
// request becomes an Exchange shared with the api's Responder, so a reply that comes late
// (after Redis answered) or never finds out safely whether its connection still exists:
//  - the Exchange holds the connection weakly and its request's sequence number; a
//    connection that closed drops the reply;
//  - the server going away clears every Exchange's server pointer; later replies are
//    dropped.
#include "transports/http/http_server.h"

#include <arpa/inet.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <cstring>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "src/api/action_table.h"
#include "src/api/signed_url_verifier.h"
#include "src/common/clock.h"
#include "src/common/log.h"
#include "src/common/uuid.h"
#include "src/event/connection_admission.h"
#include "src/event/listen_socket.h"
#include "src/metrics/record.h"
#include "transports/http/connection.h"
#include "transports/http/console_route.h"
#include "transports/http/content_negotiation.h"
#include "transports/http/cors.h"
#include "transports/http/request_mapper.h"
#include "transports/http/router.h"

namespace zaqard::http {

namespace {

struct ListenerDeleter {
    void operator()(evconnlistener* listener) const { evconnlistener_free(listener); }
};
using ListenerPtr = std::unique_ptr<evconnlistener, ListenerDeleter>;

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

// The metrics counter of a limit's refusal, by its label (request_parser.h Refusal).
void countRejection(const char* reason) {
    for (size_t r = 0; r < metrics::countOf<metrics::RejectReason>(); ++r)
        if (std::strcmp(reason, metrics::kRejectReasonNames[r]) == 0)
            return metrics::connectionRejected(static_cast<metrics::RejectReason>(r));
}

}  // namespace

class HttpServer::Impl : public ConnectionOwner {
  public:
    struct Exchange;

    Impl(event::Dispatcher& dispatcher, const config::Config& config, api::Api& api)
        : dispatcher_(dispatcher),
          config_(config),
          api_(api),
          cors_(config.cors),
          admission_("http", config.max_connections, config.max_connections_per_client) {
        routerOptions_.adminMode = config.admin_mode;
        routerOptions_.pooling = config.pooling;
        limits_.parser.maxHeaderBytes = static_cast<size_t>(config.max_header_size);
        limits_.parser.maxBodyBytes = static_cast<size_t>(config.max_body_size);
        limits_.headerTimeout = config.http_header_timeout;
        limits_.bodyTimeout = config.http_body_timeout;
        limits_.idleTimeout = config.http_idle_timeout;
        limits_.writeTimeout = config.http_write_timeout;
        limits_.maxRequestsPerWakeup = config.max_requests_per_wakeup;
    }
    ~Impl() override;

    bool listen(std::string& error);
    void stopAccepting();
    size_t inFlight() const { return exchanges_.size(); }
    void setAuthGate(auth::RestAuthGate* gate) { gate_ = gate; }
    void setTls(std::shared_ptr<tls::ServerTls> tls) { tls_ = std::move(tls); }

    void reply(Exchange& exchange, const api::Response& response);

    // ConnectionOwner
    void onRequest(Connection& connection, ParsedRequest&& request, uint64_t seq,
                   std::shared_ptr<api::Abandonment> abandonment) override;
    void onRejected(const char* reason) override { countRejection(reason); }
    void onClosed(Connection& connection) override;

  private:
    struct Listener {
        Impl* server = nullptr;
        bool tls = false;
        ListenerPtr listener;
    };
    struct Entry {
        std::shared_ptr<Connection> connection;
        bool admitted = false;
    };

    bool listenOn(Listener& listener, int port, bool withTls, std::string& error);
    static void onAccept(evconnlistener*, evutil_socket_t fd, sockaddr* address, int length,
                         void* self);
    void accept(bool withTls, evutil_socket_t fd, const sockaddr* address);
    void answer(Connection& connection, uint64_t seq, const api::Response& response,
                const std::string& method, const std::string& path, int64_t started,
                const std::string& requestId, const std::string& project, const std::string& origin,
                int action);
    void forget(Exchange& exchange);

    event::Dispatcher& dispatcher_;
    const config::Config& config_;
    api::Api& api_;
    auth::RestAuthGate* gate_ = nullptr;
    Cors cors_;
    RouterOptions routerOptions_;
    ConnectionLimits limits_;
    std::shared_ptr<tls::ServerTls> tls_;
    Listener plain_;
    Listener secure_;
    bool accepting_ = false;
    std::unordered_set<Exchange*> exchanges_;
    std::unordered_map<Connection*, Entry> connections_;
    event::ConnectionAdmission admission_;
};

// One request handed to the api. Owned by the Responder (shared_ptr), never by the
// connection.
struct HttpServer::Impl::Exchange {
    Impl* server = nullptr;  // null once the server is gone
    std::weak_ptr<Connection> connection;
    uint64_t seq = 0;
    std::string method;
    std::string path;
    std::string requestId;
    std::string project;  // X-Project-ID, for the access log
    std::string origin;   // for CORS's headers on the reply
    int64_t started = 0;
    int action = metrics::kUnrouted;  // the metrics label: the action table row
    bool answered = false;

    ~Exchange() {
        // The api dropped its Responder without answering: answer for it rather than
        // leaving the client waiting.
        if (!answered && server) {
            api::Response response = errorResponse(500, ErrorFormat::Json, "Internal server error",
                                                   "The request was not answered.");
            server->reply(*this, response);
        }
    }
};

HttpServer::Impl::~Impl() {
    for (Exchange* exchange : exchanges_) exchange->server = nullptr;
    exchanges_.clear();
    plain_.listener.reset();
    secure_.listener.reset();
    connections_.clear();  // closes every socket
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
    listener.server = this;
    listener.tls = withTls;
    // Backlog 0: the socket is listening already (openListener).
    listener.listener.reset(evconnlistener_new(dispatcher_.base(), &Impl::onAccept, &listener,
                                               LEV_OPT_CLOSE_ON_FREE, 0, fd.get()));
    if (!listener.listener) {
        error = "cannot accept on " + config_.bind + ":" + std::to_string(port);
        return false;
    }
    fd.release();  // the listener closes it
    return true;
}

void HttpServer::Impl::stopAccepting() {
    if (!accepting_) return;
    accepting_ = false;
    plain_.listener.reset();
    secure_.listener.reset();
    // Idle keep-alive connections go now; busy ones after their replies.
    std::vector<std::shared_ptr<Connection>> open;
    for (auto& [raw, entry] : connections_) open.push_back(entry.connection);
    for (auto& connection : open) connection->drain();
}

void HttpServer::Impl::onAccept(evconnlistener*, evutil_socket_t fd, sockaddr* address, int,
                                void* self) {
    auto& listener = *static_cast<Listener*>(self);
    listener.server->accept(listener.tls, fd, address);
}

void HttpServer::Impl::accept(bool withTls, evutil_socket_t fd, const sockaddr* address) {
    int one = 1;
    // Replies are gathered into one write per loop turn already; Nagle would only hold
    // back the next turn's.
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    bufferevent* bev = nullptr;
    if (withTls) {
        // The current context (and so the certificate current at this handshake: SIGHUP).
        SSL* ssl = SSL_new(tls_->context());
        if (ssl) {
            bev = bufferevent_openssl_socket_new(dispatcher_.base(), fd, ssl,
                                                 BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
            if (!bev) SSL_free(ssl);
        }
        // Most clients close without close_notify; that is an end, not an error.
        if (bev) bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    } else {
        bev = bufferevent_socket_new(dispatcher_.base(), fd, BEV_OPT_CLOSE_ON_FREE);
    }
    if (!bev) {
        evutil_closesocket(fd);
        return;
    }
    int port = 0;
    std::string peer = event::peerAddress(address, &port);
    auto connection = std::make_shared<Connection>(dispatcher_.base(), bev, withTls ? -1 : fd, peer,
                                                   port, limits_, *this);
    Entry& entry = connections_[connection.get()];
    entry.connection = connection;
    if (auto refused = admission_.refusal(peer)) {
        metrics::connectionRejected(*refused);
        connection->refuseAtOnce(503, "Service temporarily unavailable",
                                 "Too many connections; please try again later.");
        return;
    }
    admission_.admit(peer);
    entry.admitted = true;
    metrics::connectionOpened(metrics::Transport::Rest);
    connection->start();
}

void HttpServer::Impl::onClosed(Connection& connection) {
    auto known = connections_.find(&connection);
    if (known == connections_.end()) return;
    Entry entry = std::move(known->second);
    connections_.erase(known);
    if (entry.admitted) {
        metrics::connectionClosed(metrics::Transport::Rest);
        admission_.release(connection.peer());
    }
    // Its callback is still on the stack: freed after this batch of I/O.
    dispatcher_.defer([gone = std::move(entry.connection)]() mutable { gone.reset(); });
}

void HttpServer::Impl::forget(Exchange& exchange) {
    exchanges_.erase(&exchange);
}

void HttpServer::Impl::onRequest(Connection& connection, ParsedRequest&& parsed, uint64_t seq,
                                 std::shared_ptr<api::Abandonment> abandonment) {
    int64_t started = monotonicMicros();
    metrics::requestStarted();
    std::string method = std::move(parsed.method);
    RequestTarget target = requestTarget(parsed.target);

    std::string requestId = headerValue(parsed.headers, "X-Openstack-Request-ID");
    if (!usableRequestId(requestId)) requestId = "req-" + randomUuid();

    const std::string accept = headerValue(parsed.headers, "Accept");
    RouteMatch match;
    if (!target.path.empty() && target.path.front() == '/')
        match = route(method, target.path, routerOptions_);
    const int action = match.kind == RouteMatch::Kind::Found && method != "OPTIONS"
                           ? static_cast<int>(match.action)
                           : metrics::kUnrouted;
    const std::string& origin = headerValue(parsed.headers, "Origin");
    // Answers given here, before the api: counted as done at once.
    auto early = [&](const api::Response& response) {
        metrics::requestDone(metrics::Transport::Rest, action, response.status,
                             monotonicMicros() - started);
        answer(connection, seq, response, method, target.path, started, requestId,
               headerValue(parsed.headers, "X-Project-ID"), origin, action);
    };

    if (!target.valid) {
        early(errorResponse(400, ErrorFormat::Json, "Malformed request",
                            "The request target is not a valid URI."));
        return;
    }
    // The web console's static files: outside the tenant API and before authentication
    // (publicWithoutToken); an OPTIONS on them is CORS's, below.
    if (method != "OPTIONS" && isConsolePath(target.path)) {
        early(consoleResponse({method, target.path, headerValue(parsed.headers, "If-None-Match")},
                              config_));
        return;
    }

    api::Request apiRequest;
    apiRequest.action = match.action;
    apiRequest.dialect = api::Dialect::Rest;
    apiRequest.pathParams() = std::move(match.pathParams());
    apiRequest.allowedMethods = match.allowedMethods;
    apiRequest.requestId = requestId;
    apiRequest.method = method;
    mapRequest(std::move(parsed), target, apiRequest);
    const api::Headers& headers = apiRequest.headers;
    // Under Keystone every answer but the public paths' and signed requests' waits for a
    // valid token, the transport's own answers below too (keystonemiddleware wraps
    // Zaqar's whole app): no 404, 405, 406 or Allow list for an unauthenticated client.
    const bool tokenFirst = gate_ && !auth::publicWithoutToken(target.path) &&
                            !api::hasUrlSignature(apiRequest.headers);

    auto exchange = std::make_shared<Exchange>();
    exchange->server = this;
    exchange->connection = connection.weak();
    exchange->seq = seq;
    exchange->method = std::move(method);
    exchange->path = target.path;
    exchange->requestId = std::move(requestId);
    exchange->project = headerValue(headers, "X-Project-ID");
    exchange->origin = headerValue(headers, "Origin");
    exchange->started = started;
    exchange->action = action;

    // Answers the transport gives itself, before the api.
    std::optional<api::Response> answer;
    std::optional<api::Response> unauthenticatedAnswer;  // OPTIONS without a valid token
    if (exchange->method == "OPTIONS") {
        // Every OPTIONS is oslo's CORS filter's (cors.h); it turns the 401 of an
        // unauthenticated OPTIONS into an empty 200 (no Allow) as well.
        api::Response response;
        if (match.kind == RouteMatch::Kind::Options)
            response.addHeader("Allow", match.allowedMethods);
        cors_.preflight(headers, response);
        answer = std::move(response);
        if (tokenFirst) {
            api::Response bare;
            cors_.preflight(headers, bare);
            unauthenticatedAnswer = std::move(bare);
        }
    } else if (match.kind == RouteMatch::Kind::NotFound) {
        answer = errorResponse(404, errorFormat(accept), "404 Not Found", "");
    } else if (apiRequest.hasBody && isFormUrlEncoded(headerValue(headers, "Content-Type"))) {
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
    exchanges_.insert(exchange.get());
    if (answer && !tokenFirst) {
        reply(*exchange, *answer);
        return;
    }

    // The connection tells (EOF) when the client leaves before its answer.
    apiRequest.abandonment = std::move(abandonment);
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

void HttpServer::Impl::reply(Exchange& exchange, const api::Response& response) {
    if (exchange.answered) return;  // the api answers once; a second answer is ignored
    exchange.answered = true;
    forget(exchange);
    metrics::requestDone(metrics::Transport::Rest, exchange.action, response.status,
                         monotonicMicros() - exchange.started);
    std::shared_ptr<Connection> connection = exchange.connection.lock();
    if (!connection || connection->closed()) {
        log::debug("http: client left before its reply: " + exchange.method + " " + exchange.path);
        return;
    }
    answer(*connection, exchange.seq, response, exchange.method, exchange.path, exchange.started,
           exchange.requestId, exchange.project, exchange.origin, exchange.action);
}

void HttpServer::Impl::answer(Connection& connection, uint64_t seq, const api::Response& response,
                              const std::string& method, const std::string& path, int64_t started,
                              const std::string& requestId, const std::string& project,
                              const std::string& origin, int action) {
    ReplyOptions options;
    options.requestId = requestId;
    options.close = !accepting_;
    if (method != "OPTIONS" && !origin.empty() && cors_.needsHeaders(origin)) {
        api::Response withCors = response;  // copied only for cross-origin requests
        cors_.addActualHeaders(origin, withCors);
        connection.reply(seq, withCors, options);
    } else {
        connection.reply(seq, response, options);
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
    // The peer's address only for JSON lines (text lines never had it).
    std::string client;
    if (log::jsonLines()) client = connection.peer() + ":" + std::to_string(connection.peerPort());
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
