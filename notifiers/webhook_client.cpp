#include "notifiers/webhook_client.h"

#include <algorithm>

namespace zaqard::notifiers {

struct WebhookClient::Transfer {
    CurlEasyPtr easy;
    CurlSlistPtr headers;
    std::string body;
    Callback callback;
    char errorBuffer[CURL_ERROR_SIZE] = {};
};

// One watched socket. It outlives its retirement until the end of the loop iteration
// (deferDelete), and `active` tells a late readiness callback to do nothing.
struct WebhookClient::SocketWatch {
    bool active = true;
    int what = 0;
    event::FileEventPtr event;
};

namespace {

bool headerFieldIsSafe(const std::string& text, bool isName) {
    if (isName && text.empty()) return false;
    return std::none_of(text.begin(), text.end(), [isName](char c) {
        return c == '\r' || c == '\n' || c == '\0' || (isName && (c == ':' || c == ' '));
    });
}

size_t discardBody(char*, size_t size, size_t count, void*) {
    return size * count;
}

}  // namespace

DeliveryOutcome classifyWebhookResult(const WebhookResult& result) {
    if (result.curlCode != CURLE_OK) {
        switch (result.curlCode) {
            case CURLE_URL_MALFORMAT:
            case CURLE_UNSUPPORTED_PROTOCOL:
            case CURLE_BAD_FUNCTION_ARGUMENT:
            case CURLE_TOO_MANY_REDIRECTS:
                return DeliveryOutcome::GiveUp;
            default:
                // Refused, reset, DNS, TLS, timeouts: the receiver may come back.
                return DeliveryOutcome::Retry;
        }
    }
    long status = result.httpStatus;
    if (status >= 200 && status < 300) return DeliveryOutcome::Success;
    if (status >= 500 || status == 429) return DeliveryOutcome::Retry;
    return DeliveryOutcome::GiveUp;
}

WebhookClient::WebhookClient(event::Dispatcher& dispatcher, WebhookOptions options)
    : dispatcher_(dispatcher), options_(std::move(options)), alive_(std::make_shared<bool>(true)) {
    ensureCurlGlobalInit();
    timer_ = dispatcher_.createTimer([this] { onTimeout(); });
    multi_.reset(curl_multi_init());
    CURLM* multi = multi_.get();
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &WebhookClient::onSocket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &WebhookClient::onTimer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, options_.maxConnectionsPerHost);
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, options_.maxTotalConnections);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, options_.maxCachedConnections);
}

WebhookClient::~WebhookClient() {
    *alive_ = false;
    for (auto& [easy, transfer] : transfers_) curl_multi_remove_handle(multi_.get(), easy);
    transfers_.clear();
    // Cleanup closes cached connections and may still call onSocket/onTimer: members
    // used there are alive until the end of this body.
    multi_.reset();
    timer_->disable();
    std::vector<curl_socket_t> remaining;
    for (auto& [fd, watch] : sockets_) remaining.push_back(fd);
    for (curl_socket_t fd : remaining) retireSocket(fd);
}

void WebhookClient::post(WebhookRequest request, Callback callback) {
    auto transfer = std::make_unique<Transfer>();
    transfer->easy.reset(curl_easy_init());
    transfer->body = std::move(request.body);
    transfer->callback = std::move(callback);
    CURL* easy = transfer->easy.get();
    if (easy == nullptr) {
        complete(std::move(transfer->callback),
                 {CURLE_OUT_OF_MEMORY, 0, curl_easy_strerror(CURLE_OUT_OF_MEMORY)});
        return;
    }

    curl_slist* headers = nullptr;
    auto appendHeader = [&headers](const std::string& line) {
        // curl_slist_append returns null and leaves the list alone when out of memory.
        if (curl_slist* grown = curl_slist_append(headers, line.c_str())) headers = grown;
    };
    for (const auto& [name, value] : request.headers) {
        if (!headerFieldIsSafe(name, true) || !headerFieldIsSafe(value, false)) continue;
        // "Name;" is curl's way to send a header with an empty value.
        appendHeader(value.empty() ? name + ";" : name + ": " + value);
    }
    // No "Expect: 100-continue" round trip for larger bodies.
    appendHeader("Expect:");
    transfer->headers.reset(headers);

    curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, transfer->body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(transfer->body.size()));
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer->headers.get());
    curl_easy_setopt(easy, CURLOPT_USERAGENT, options_.userAgent.c_str());
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connectTimeout.count()));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.totalTimeout.count()));
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options_.caFile.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options_.caFile.c_str());
    curl_easy_setopt(easy, CURLOPT_PROXY, options_.proxy.c_str());
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &discardBody);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->errorBuffer);

    CURLMcode added = curl_multi_add_handle(multi_.get(), easy);
    if (added != CURLM_OK) {
        complete(std::move(transfer->callback), {CURLE_FAILED_INIT, 0, curl_multi_strerror(added)});
        return;
    }
    transfers_.emplace(easy, std::move(transfer));
}

int WebhookClient::onSocket(CURL*, curl_socket_t fd, int what, void* self, void*) {
    auto* client = static_cast<WebhookClient*>(self);
    if (what == CURL_POLL_REMOVE) {
        client->retireSocket(fd);
    } else {
        client->watchSocket(fd, what);
    }
    return 0;
}

int WebhookClient::onTimer(CURLM*, long timeoutMs, void* self) {
    auto* client = static_cast<WebhookClient*>(self);
    // Never call back into curl from here: a 0 timeout fires on the next loop turn.
    if (timeoutMs < 0) {
        client->timer_->disable();
    } else {
        client->timer_->enable(std::chrono::milliseconds(timeoutMs));
    }
    return 0;
}

void WebhookClient::watchSocket(curl_socket_t fd, int what) {
    auto found = sockets_.find(fd);
    if (found != sockets_.end() && found->second->what == what) return;
    // A FileEvent's interest set is fixed: replace it.
    retireSocket(fd);
    short events = 0;
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) events |= event::FileEvent::Read;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) events |= event::FileEvent::Write;
    auto watch = std::make_unique<SocketWatch>();
    watch->what = what;
    SocketWatch* raw = watch.get();
    watch->event = dispatcher_.createFileEvent(fd, events, [this, raw, fd](short ready) {
        if (raw->active) onSocketReady(fd, ready);
    });
    sockets_[fd] = std::move(watch);
}

void WebhookClient::retireSocket(curl_socket_t fd) {
    auto found = sockets_.find(fd);
    if (found == sockets_.end()) return;
    found->second->active = false;
    // A retired event left registered would keep firing at I/O priority (e.g. a writable
    // socket) and starve the deferred queue that is to free it.
    found->second->event->disable();
    // Its FileEvent callback may be on the stack right now.
    dispatcher_.deferDelete(std::move(found->second));
    sockets_.erase(found);
}

void WebhookClient::onSocketReady(curl_socket_t fd, short what) {
    int flags = 0;
    if (what & EV_READ) flags |= CURL_CSELECT_IN;
    if (what & EV_WRITE) flags |= CURL_CSELECT_OUT;
    int running = 0;
    curl_multi_socket_action(multi_.get(), fd, flags, &running);
    collectFinished();
}

void WebhookClient::onTimeout() {
    int running = 0;
    curl_multi_socket_action(multi_.get(), CURL_SOCKET_TIMEOUT, 0, &running);
    collectFinished();
}

void WebhookClient::collectFinished() {
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_.get(), &queued)) {
        if (message->msg != CURLMSG_DONE) continue;
        CURL* easy = message->easy_handle;
        WebhookResult result;
        result.curlCode = message->data.result;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &result.httpStatus);
        auto found = transfers_.find(easy);
        if (found == transfers_.end()) continue;
        std::unique_ptr<Transfer> transfer = std::move(found->second);
        transfers_.erase(found);
        if (result.curlCode != CURLE_OK) {
            result.error = transfer->errorBuffer[0] != '\0' ? transfer->errorBuffer
                                                            : curl_easy_strerror(result.curlCode);
        }
        curl_multi_remove_handle(multi_.get(), easy);
        complete(std::move(transfer->callback), std::move(result));
    }
}

void WebhookClient::complete(Callback callback, WebhookResult result) {
    dispatcher_.defer([alive = alive_, callback = std::move(callback), result = std::move(result)] {
        if (*alive && callback) callback(result);
    });
}

}  // namespace zaqard::notifiers
