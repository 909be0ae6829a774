// A RedisClient on one server at a time, found by a Locator before every connection
// attempt: a fixed address for a single node, the Sentinel group's current master for
// SentinelClient (which adds the ROLE check and the failover triggers).
//
// Rules (beyond hiredis_session.h's):
//  1. A command is accepted while a session exists (connecting, handshaking or ready);
//     hiredis buffers it behind the handshake, and Redis answers in order. If a handshake
//     step fails, the session is poisoned: the commands behind it answer Unavailable.
//  2. With no session (locating the server, or waiting for the backoff timer) a command
//     fails with Unavailable at once, from a deferred callback, never inside the
//     caller's stack.
//  3. A lost session reconnects after a backoff of 100 ms doubling to 2 s; a successful
//     handshake resets it. reconnectNow() (Sentinel: +switch-master, READONLY) skips it.
//  4. Sessions are closed from our own timers or methods, never from a reply callback.
//  5. Write concern: a call holding a command that blocks on purpose (extraTime > 0: WAIT)
//     goes over a second session, the write session, to the same server as the main one
//     (its endpoint, not a new discovery), so the calls on the main session never queue
//     behind a WAIT. Opened on the first such call with the same handshake (AUTH, SELECT,
//     checks such as ROLE, FUNCTION LOAD) and the same deadlines; the calls behind its
//     handshake are buffered like rule 1's. It ends with the main session (a reconnect or
//     a failover takes both); when it is lost before its handshake completed, the next
//     attempt waits the same backoff as rule 3's and the calls meanwhile answer
//     Unavailable. A write and the WAIT confirming it stay together on it: WAIT counts
//     the replication offset of the connection that wrote.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "src/event/dispatcher.h"
#include "storage/redis/client/endpoint.h"
#include "storage/redis/client/hiredis_session.h"
#include "storage/redis/client/redis_client.h"

namespace zaqard::storage::redis {

// A command of the handshake and what its reply must look like: `check` answers an empty
// string when the reply is fine, else why the connection is not usable.
struct HandshakeStep {
    Command command;
    std::function<std::string(const RedisValue&)> check;
};

struct NodeClientOptions {
    std::chrono::milliseconds timeout{2000};  // a command's deadline
    Credentials credentials;                  // AUTH on every connection
    int db = 0;                               // SELECT when not 0
    // Extra steps right after AUTH/SELECT, before setHandshake()'s commands (ROLE).
    std::vector<HandshakeStep> checks;
    // Error replies starting with this drop the connection and reconnect now (Sentinel:
    // "READONLY", a master demoted under us). Empty: none.
    std::string reconnectOnErrorPrefix;
    std::string name = "redis";  // in log lines
    // The store label of this client's Redis metrics ("message", "management", a pool's
    // name); each node it talks to is a series of its own. Empty: not counted (Sentinel
    // queries).
    std::string metricsStore;
};

class NodeClient : public RedisClient {
  public:
    NodeClient(event::Dispatcher& dispatcher, std::shared_ptr<Locator> locator,
               NodeClientOptions options);
    ~NodeClient() override;
    NodeClient(const NodeClient&) = delete;
    NodeClient& operator=(const NodeClient&) = delete;

    void start() override;
    void stop() override;
    State state() const override;
    void setHandshake(std::function<std::vector<Command>()> handshake) override;
    void command(Command command, ReplyCallback done) override;
    void pipeline(std::vector<Command> commands, PipelineCallback done) override;
    std::unique_ptr<RedisSubscription> subscribe(std::vector<std::string> channels,
                                                 MessageHandler onMessage) override;

    // Drops the connection (pending commands answer Unavailable) and reconnects without
    // waiting for the backoff: the server may have moved. Safe inside a reply callback.
    void reconnectNow(const std::string& why);
    // The server of the current session (tests, logs); empty when there is none.
    Endpoint endpoint() const;
    // Called each time a connection completes its handshake.
    void setOnReady(std::function<void()> onReady) { onReady_ = std::move(onReady); }

  private:
    void connect();
    void open(const Endpoint& endpoint);
    // A new session with the READONLY watch; null (and `error`) when hiredis refused it.
    std::unique_ptr<HiredisSession> openSession(const Endpoint& endpoint, std::string& error);
    void sendHandshake(HiredisSession& session);
    void handshakeFailed(HiredisSession& session);
    void sessionGone(HiredisSession* session, const std::string& why);
    void drop(const std::string& why);
    // The session a call goes over (rule 5); null when there is none to use now.
    HiredisSession* sessionFor(bool blocks);
    HiredisSession* writeSession();
    void writeSessionGone(HiredisSession* session, const std::string& why);
    void dropWriteSession(const std::string& why);
    void scheduleReconnect();
    void failLater(ReplyCallback done, const char* why);
    void reportDown(const std::string& why);
    // A command refused without reaching a node (not connected): a metrics error of the
    // series (store, node="none").
    void countRefused();

    event::Dispatcher& dispatcher_;
    std::shared_ptr<Locator> locator_;
    NodeClientOptions options_;
    std::function<std::vector<Command>()> handshake_;
    std::function<void()> onReady_;
    std::unique_ptr<HiredisSession> session_;
    event::TimerPtr reconnectTimer_;
    event::TimerPtr dropTimer_;
    std::string dropReason_;
    std::chrono::milliseconds backoff_{0};
    // Rule 5's write session, its own drop timer and backoff.
    std::unique_ptr<HiredisSession> writeSession_;
    event::TimerPtr writeDropTimer_;
    std::string writeDropReason_;
    std::chrono::milliseconds writeBackoff_{0};
    int64_t writeRetryAt_ = 0;  // monotonic micros: no new write session before
    bool writeReady_ = false;
    bool writeReportedDown_ = false;
    bool running_ = false;
    bool ready_ = false;
    bool locating_ = false;
    bool reportedDown_ = false;
    bool skipBackoff_ = false;
    int refusedSeries_ = -1;
    // Callbacks (the locator's, deferred failures) may outlive the client.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace zaqard::storage::redis
