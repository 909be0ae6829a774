#include "src/http_client/curl_multi.h"

#include <vector>

namespace zaqard::http_client {

// One watched socket. It outlives its retirement until the end of the loop iteration
// (deferDelete), and `active` tells a late readiness callback to do nothing.
struct CurlMulti::SocketWatch {
    bool active = true;
    int what = 0;
    event::FileEventPtr event;
};

CurlMulti::CurlMulti(event::Dispatcher& dispatcher, CurlMultiLimits limits)
    : dispatcher_(dispatcher), alive_(std::make_shared<bool>(true)) {
    ensureCurlGlobalInit();
    timer_ = dispatcher_.createTimer([this] { onTimeout(); });
    multi_.reset(curl_multi_init());
    CURLM* multi = multi_.get();
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &CurlMulti::onSocket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &CurlMulti::onTimer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, limits.maxConnectionsPerHost);
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, limits.maxTotalConnections);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, limits.maxCachedConnections);
}

CurlMulti::~CurlMulti() {
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

bool CurlMulti::add(CurlEasyPtr easy, Done done) {
    CURL* handle = easy.get();
    if (!handle || curl_multi_add_handle(multi_.get(), handle) != CURLM_OK) return false;
    transfers_.emplace(handle, Transfer{std::move(easy), std::move(done)});
    return true;
}

int CurlMulti::onSocket(CURL*, curl_socket_t fd, int what, void* self, void*) {
    auto* multi = static_cast<CurlMulti*>(self);
    if (what == CURL_POLL_REMOVE) {
        multi->retireSocket(fd);
    } else {
        multi->watchSocket(fd, what);
    }
    return 0;
}

int CurlMulti::onTimer(CURLM*, long timeoutMs, void* self) {
    auto* multi = static_cast<CurlMulti*>(self);
    // Never call back into curl from here: a 0 timeout fires on the next loop turn.
    if (timeoutMs < 0) {
        multi->timer_->disable();
    } else {
        multi->timer_->enable(std::chrono::milliseconds(timeoutMs));
    }
    return 0;
}

void CurlMulti::watchSocket(curl_socket_t fd, int what) {
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

void CurlMulti::retireSocket(curl_socket_t fd) {
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

void CurlMulti::onSocketReady(curl_socket_t fd, short what) {
    int flags = 0;
    if (what & EV_READ) flags |= CURL_CSELECT_IN;
    if (what & EV_WRITE) flags |= CURL_CSELECT_OUT;
    int running = 0;
    curl_multi_socket_action(multi_.get(), fd, flags, &running);
    collectFinished();
}

void CurlMulti::onTimeout() {
    int running = 0;
    curl_multi_socket_action(multi_.get(), CURL_SOCKET_TIMEOUT, 0, &running);
    collectFinished();
}

void CurlMulti::collectFinished() {
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_.get(), &queued)) {
        if (message->msg != CURLMSG_DONE) continue;
        CURL* easy = message->easy_handle;
        CURLcode result = message->data.result;
        auto found = transfers_.find(easy);
        if (found == transfers_.end()) continue;
        Transfer transfer = std::move(found->second);
        transfers_.erase(found);
        curl_multi_remove_handle(multi_.get(), easy);
        // Shared so the deferred lambda stays copyable for std::function.
        auto handle = std::make_shared<CurlEasyPtr>(std::move(transfer.easy));
        dispatcher_.defer(
            [alive = alive_, handle, done = std::move(transfer.done), result]() mutable {
                if (*alive && done) done(std::move(*handle), result);
            });
    }
}

}  // namespace zaqard::http_client
