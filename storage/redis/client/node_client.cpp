// NodeClient: reconnecting client on the server a Locator names; see node_client.h.
#include "storage/redis/client/node_client.h"

#include <algorithm>
#include <optional>

#include "src/common/clock.h"
#include "src/common/log.h"
#include "src/metrics/record.h"
#include "src/metrics/registry.h"
#include "storage/redis/client/channel_subscriber.h"

namespace zaqard::storage::redis {

namespace {
constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{2000};

std::string errorUnlessOk(const RedisValue& reply) {
    return reply.isError() ? reply.str : std::string();
}
}  // namespace

NodeClient::NodeClient(event::Dispatcher& dispatcher, std::shared_ptr<Locator> locator,
                       NodeClientOptions options)
    : dispatcher_(dispatcher), locator_(std::move(locator)), options_(std::move(options)) {
    reconnectTimer_ = dispatcher_.createTimer([this] { connect(); });
    dropTimer_ = dispatcher_.createTimer([this] {
        drop(dropReason_);
        // No session to drop (between attempts): try again now rather than after the backoff.
        if (running_ && !session_ && !locating_ && skipBackoff_) {
            reconnectTimer_->disable();
            skipBackoff_ = false;
            connect();
        }
    });
    writeDropTimer_ = dispatcher_.createTimer([this] { dropWriteSession(writeDropReason_); });
}

NodeClient::~NodeClient() {
    stop();
}

void NodeClient::start() {
    if (running_) return;
    running_ = true;
    connect();
}

void NodeClient::stop() {
    running_ = false;
    reconnectTimer_->disable();
    dropTimer_->disable();
    writeDropTimer_->disable();
    drop("stopped");
    writeRetryAt_ = 0;
    writeBackoff_ = std::chrono::milliseconds(0);
}

RedisClient::State NodeClient::state() const {
    if (!running_) return State::Stopped;
    return session_ && ready_ && session_->usable() ? State::Ready : State::Connecting;
}

void NodeClient::setHandshake(std::function<std::vector<Command>()> handshake) {
    handshake_ = std::move(handshake);
}

Endpoint NodeClient::endpoint() const {
    return session_ ? session_->endpoint() : Endpoint{};
}

void NodeClient::reportDown(const std::string& why) {
    if (reportedDown_) return;
    log::warning(options_.name + ": " + why);
    reportedDown_ = true;
}

void NodeClient::connect() {
    if (!running_ || session_ || locating_) return;
    locating_ = true;
    std::weak_ptr<bool> alive = alive_;
    locator_->locate([this, alive](Result<Endpoint> found) {
        if (alive.expired()) return;
        locating_ = false;
        if (!running_ || session_) return;
        if (!found.ok()) {
            reportDown(found.error().message);
            scheduleReconnect();
            return;
        }
        open(found.value());
    });
}

std::unique_ptr<HiredisSession> NodeClient::openSession(const Endpoint& endpoint,
                                                        std::string& error) {
    auto session = std::make_unique<HiredisSession>(dispatcher_, options_.timeout);
    if (!session->open(endpoint, error)) {
        error = "cannot connect to " + endpoint.describe() + ": " + error;
        return nullptr;
    }
    // The main and the write session of a node count as one series: the node's.
    if (!options_.metricsStore.empty())
        session->setMetricsSeries(metrics::redisSeries(options_.metricsStore, endpoint.describe()));
    if (!options_.reconnectOnErrorPrefix.empty()) {
        // On either session: the server was demoted, both must go.
        session->setErrorWatch([this](const RedisValue& reply) {
            if (reply.str.rfind(options_.reconnectOnErrorPrefix, 0) == 0)
                reconnectNow("the server answered " + reply.str);
        });
    }
    return session;
}

void NodeClient::open(const Endpoint& endpoint) {
    std::string error;
    auto session = openSession(endpoint, error);
    if (!session) {
        reportDown(error);
        scheduleReconnect();
        return;
    }
    HiredisSession* raw = session.get();
    raw->setGoneHandler([this, raw](const std::string& why) { sessionGone(raw, why); });
    session_ = std::move(session);
    ready_ = false;
    sendHandshake(*raw);
}

void NodeClient::sendHandshake(HiredisSession& session) {
    std::vector<HandshakeStep> steps;
    const Credentials& auth = options_.credentials;
    if (!auth.password.empty()) {
        steps.push_back({auth.username.empty()
                             ? Command::keyless({"AUTH", auth.password})
                             : Command::keyless({"AUTH", auth.username, auth.password}),
                         errorUnlessOk});
    }
    if (options_.db != 0)
        steps.push_back({Command::keyless({"SELECT", std::to_string(options_.db)}), errorUnlessOk});
    for (const auto& step : options_.checks) steps.push_back(step);
    if (handshake_) {
        for (auto& command : handshake_()) steps.push_back({std::move(command), errorUnlessOk});
    }
    // Something must answer before the connection counts as ready.
    if (steps.empty()) steps.push_back({Command::keyless({"PING"}), errorUnlessOk});

    auto left = std::make_shared<size_t>(steps.size());
    HiredisSession* target = &session;
    for (auto& step : steps) {
        std::string name = step.command.args.front();
        auto check = step.check;
        ReplyCallback done = [this, target, name, check, left](Result<RedisValue> reply) {
            // Answers of a session already let go (or being torn down) change nothing.
            bool main = session_.get() == target;
            if ((!main && writeSession_.get() != target) || !reply.ok()) return;
            std::string why = check ? check(reply.value()) : errorUnlessOk(reply.value());
            if (!why.empty()) {
                log::warning(options_.name + ": " + target->endpoint().describe() + ": " + name +
                             " failed: " + why);
                handshakeFailed(*target);
                return;
            }
            if (--*left > 0) return;
            if (!main) {
                writeReady_ = true;
                writeBackoff_ = std::chrono::milliseconds(0);
                if (writeReportedDown_)
                    log::info(options_.name + ": write connection to " +
                              target->endpoint().describe() + " is back");
                writeReportedDown_ = false;
                return;
            }
            ready_ = true;
            backoff_ = std::chrono::milliseconds(0);
            if (reportedDown_)
                log::info(options_.name + ": connected to " + target->endpoint().describe());
            reportedDown_ = false;
            if (onReady_) onReady_();
        };
        if (!session.send(step.command, std::move(done))) {
            handshakeFailed(session);
            return;
        }
    }
}

void NodeClient::handshakeFailed(HiredisSession& session) {
    // What the server answers after this must not reach a caller.
    session.poison();
    if (&session == writeSession_.get()) {
        writeReportedDown_ = true;
        writeDropReason_ = "handshake failed";
        writeDropTimer_->enable(std::chrono::milliseconds(0));
        return;
    }
    reportedDown_ = true;
    dropReason_ = "handshake failed";
    dropTimer_->enable(std::chrono::milliseconds(0));
}

HiredisSession* NodeClient::sessionFor(bool blocks) {
    if (!session_ || !session_->usable()) return nullptr;
    return blocks ? writeSession() : session_.get();
}

HiredisSession* NodeClient::writeSession() {
    // Only beside a main session, on its server (Sentinel: the master it found and checked).
    if (writeSession_ && writeSession_->usable() &&
        writeSession_->endpoint() == session_->endpoint())
        return writeSession_.get();
    // A stale one (another server, or lost) goes from the loop; none is opened beside it.
    if (writeSession_) {
        writeDropReason_ = "the main connection moved";
        writeDropTimer_->enable(std::chrono::milliseconds(0));
        return nullptr;
    }
    if (monotonicMicros() < writeRetryAt_) return nullptr;
    std::string error;
    auto session = openSession(session_->endpoint(), error);
    if (!session) {
        writeSessionGone(nullptr, error);
        return nullptr;
    }
    HiredisSession* raw = session.get();
    raw->setGoneHandler([this, raw](const std::string& why) { writeSessionGone(raw, why); });
    writeSession_ = std::move(session);
    writeReady_ = false;
    sendHandshake(*raw);
    // The handshake may have failed at once (poisoned: the calls behind it answer
    // Unavailable, the session goes from the timer).
    return writeSession_ && writeSession_->usable() ? writeSession_.get() : nullptr;
}

void NodeClient::writeSessionGone(HiredisSession* session, const std::string& why) {
    if (session != nullptr) {
        if (writeSession_.get() != session) return;
        // Callbacks of this session may still be on the stack.
        dispatcher_.deferDelete(std::move(writeSession_));
    }
    bool wasReady = writeReady_;
    writeReady_ = false;
    if (!running_ || wasReady) return;  // a working one lost: the next write reopens it now
    // Never got through its handshake: the next attempt waits, like the main session's.
    writeBackoff_ =
        writeBackoff_.count() == 0 ? kFirstBackoff : std::min(writeBackoff_ * 2, kMaxBackoff);
    writeRetryAt_ = monotonicMicros() + writeBackoff_.count() * 1000;
    if (!writeReportedDown_)
        log::warning(options_.name + ": write connection: " + why + "; retrying after " +
                     std::to_string(writeBackoff_.count()) + " ms");
    writeReportedDown_ = true;
}

void NodeClient::dropWriteSession(const std::string& why) {
    if (!writeSession_) return;
    // The gone handler (writeSessionGone) lets the session go.
    writeSession_->close(why);
}

namespace {
bool blocksOnPurpose(const Command& command) {
    return command.extraTime.count() > 0;
}
}  // namespace

void NodeClient::command(Command command, ReplyCallback done) {
    HiredisSession* session = sessionFor(blocksOnPurpose(command));
    if (session == nullptr) {
        failLater(std::move(done), "redis: not connected");
        return;
    }
    // send() leaves `done` untouched when hiredis refused the command.
    if (!session->send(command, std::move(done)))
        failLater(std::move(done), "redis: command not accepted");
}

namespace {
struct PipelineState {
    std::vector<RedisValue> replies;
    size_t left = 0;
    std::optional<Error> error;
    PipelineCallback done;

    void answer(size_t count) {
        left -= count;
        if (left > 0) return;
        if (error) return done(std::move(*error));
        done(std::move(replies));
    }
};
}  // namespace

void NodeClient::pipeline(std::vector<Command> commands, PipelineCallback done) {
    auto state = std::make_shared<PipelineState>();
    state->replies.resize(commands.size());
    state->left = commands.size();
    state->done = std::move(done);
    HiredisSession* session =
        commands.empty()
            ? nullptr
            : sessionFor(std::any_of(commands.begin(), commands.end(), blocksOnPurpose));
    if (session == nullptr) {
        if (!commands.empty()) countRefused();
        dispatcher_.defer([state] {
            state->error = Error{ErrorKind::Unavailable, "redis: not connected"};
            state->left = 1;
            state->answer(1);
        });
        return;
    }
    for (size_t i = 0; i < commands.size(); ++i) {
        ReplyCallback one = [state, i](Result<RedisValue> reply) {
            if (!reply.ok()) {
                if (!state->error) state->error = reply.error();
            } else {
                state->replies[i] = std::move(reply.value());
            }
            state->answer(1);
        };
        if (!session->send(commands[i], std::move(one))) {
            // The ones already sent still answer; the rest count as failed, from the loop.
            size_t unsent = commands.size() - i;
            dispatcher_.defer([state, unsent] {
                if (!state->error)
                    state->error = Error{ErrorKind::Unavailable, "redis: command not accepted"};
                state->answer(unsent);
            });
            return;
        }
    }
}

std::unique_ptr<RedisSubscription> NodeClient::subscribe(std::vector<std::string> channels,
                                                         MessageHandler onMessage) {
    auto subscriber = std::make_unique<ChannelSubscriber>(
        dispatcher_, locator_, options_.credentials, options_.timeout, std::move(channels),
        std::move(onMessage), options_.name + " pub/sub");
    subscriber->start();
    return subscriber;
}

void NodeClient::countRefused() {
    if (options_.metricsStore.empty() || !metrics::kEnabled) return;
    // Interned once: refusals come in floods while Redis is away.
    if (refusedSeries_ < 0) refusedSeries_ = metrics::redisSeries(options_.metricsStore, "none");
    metrics::redisError(refusedSeries_, metrics::RedisError::Unavailable);
}

void NodeClient::reconnectNow(const std::string& why) {
    if (!running_) return;
    log::warning(options_.name + ": reconnecting: " + why);
    reportedDown_ = true;
    dropReason_ = why;
    skipBackoff_ = true;
    dropTimer_->enable(std::chrono::milliseconds(0));
}

void NodeClient::failLater(ReplyCallback done, const char* why) {
    countRefused();
    dispatcher_.defer([done = std::move(done), why] { done(Error{ErrorKind::Unavailable, why}); });
}

void NodeClient::sessionGone(HiredisSession* session, const std::string& why) {
    if (session_.get() != session) return;
    ready_ = false;
    if (running_) reportDown(why);
    // Callbacks of this session may still be on the stack (hiredis is freeing the context).
    dispatcher_.deferDelete(std::move(session_));
    // The write session goes with it (from the loop: we may be inside a hiredis callback).
    if (writeSession_) {
        writeDropReason_ = "main connection lost";
        writeDropTimer_->enable(std::chrono::milliseconds(0));
    }
    if (running_) scheduleReconnect();
}

void NodeClient::drop(const std::string& why) {
    dropWriteSession(why);
    if (!session_) return;
    // The gone handler (sessionGone) lets the session go and schedules the reconnect.
    session_->close(why);
}

void NodeClient::scheduleReconnect() {
    if (!running_) return;
    if (skipBackoff_) {
        skipBackoff_ = false;
        backoff_ = std::chrono::milliseconds(0);
        reconnectTimer_->enable(std::chrono::milliseconds(0));
        return;
    }
    backoff_ = backoff_.count() == 0 ? kFirstBackoff : std::min(backoff_ * 2, kMaxBackoff);
    reconnectTimer_->enable(backoff_);
}

}  // namespace zaqard::storage::redis
