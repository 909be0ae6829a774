// libcurl's multi-socket API driven by a shard's Dispatcher (curl's hiperfifo.c pattern:
// CURLMOPT_SOCKETFUNCTION -> FileEvent, CURLMOPT_TIMERFUNCTION -> Timer; nothing polls).
// Owners configure their easy handles and hand them over with add(); the handle comes
// back through `done` when the transfer has finished.
//
// Ordering rules:
//  * Everything runs on the dispatcher's thread; add() must be called there too.
//  * `done` runs from Dispatcher::defer, never from inside libcurl or a FileEvent
//    callback, so it may destroy the CurlMulti's owner.
//  * Destroying the CurlMulti aborts pending transfers; no `done` runs afterwards.
#pragma once

#include <functional>
#include <memory>
#include <unordered_map>

#include "src/event/dispatcher.h"
#include "src/http_client/curl_handles.h"

namespace zaqard::http_client {

struct CurlMultiLimits {
    long maxConnectionsPerHost = 8;  // further requests to that host wait in curl's queue
    long maxTotalConnections = 0;    // 0: unbounded
    long maxCachedConnections = 64;  // idle connections kept for reuse
};

class CurlMulti {
  public:
    // The finished handle (still configured, so the owner can read its info) and the
    // transfer's result.
    using Done = std::function<void(CurlEasyPtr easy, CURLcode result)>;

    CurlMulti(event::Dispatcher& dispatcher, CurlMultiLimits limits = {});
    ~CurlMulti();
    CurlMulti(const CurlMulti&) = delete;
    CurlMulti& operator=(const CurlMulti&) = delete;

    // Starts the transfer; false (and `easy` is freed, `done` never runs) when curl
    // refuses the handle.
    bool add(CurlEasyPtr easy, Done done);
    size_t pending() const { return transfers_.size(); }
    event::Dispatcher& dispatcher() { return dispatcher_; }

  private:
    struct Transfer {
        CurlEasyPtr easy;
        Done done;
    };
    struct SocketWatch;

    static int onSocket(CURL* easy, curl_socket_t fd, int what, void* self, void* socketData);
    static int onTimer(CURLM* multi, long timeoutMs, void* self);
    void watchSocket(curl_socket_t fd, int what);
    void retireSocket(curl_socket_t fd);
    void onSocketReady(curl_socket_t fd, short what);
    void onTimeout();
    void collectFinished();

    event::Dispatcher& dispatcher_;
    std::shared_ptr<bool> alive_;
    event::TimerPtr timer_;
    std::unordered_map<curl_socket_t, std::unique_ptr<SocketWatch>> sockets_;
    std::unordered_map<CURL*, Transfer> transfers_;
    CurlMultiPtr multi_;
};

}  // namespace zaqard::http_client
