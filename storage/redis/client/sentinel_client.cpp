// SentinelClient: discovery, ROLE check and +switch-master; see sentinel_client.h.
#include "storage/redis/client/sentinel_client.h"

#include <algorithm>

#include "src/common/log.h"
#include "storage/redis/client/channel_subscriber.h"
#include "storage/redis/client/hiredis_session.h"

namespace zaqard::storage::redis {

// One discovery: the sentinels asked one after the other, each on a short-lived session.
struct SentinelLocator::Query {
    std::function<void(Result<Endpoint>)> done;
    std::vector<Endpoint> order;  // a snapshot: the list may be reordered meanwhile
    size_t next = 0;
    std::string lastError;
    std::unique_ptr<HiredisSession> session;
};

SentinelLocator::SentinelLocator(event::Dispatcher& dispatcher, std::vector<Endpoint> sentinels,
                                 std::string masterName, Credentials credentials,
                                 std::chrono::milliseconds timeout)
    : dispatcher_(dispatcher),
      sentinels_(std::move(sentinels)),
      masterName_(std::move(masterName)),
      credentials_(std::move(credentials)),
      timeout_(timeout) {}

SentinelLocator::~SentinelLocator() = default;

std::string SentinelLocator::describe() const {
    std::string text = "master '" + masterName_ + "' via sentinels ";
    for (size_t i = 0; i < sentinels_.size(); ++i)
        text += (i ? "," : "") + sentinels_[i].describe();
    return text;
}

void SentinelLocator::locate(std::function<void(Result<Endpoint>)> done) {
    auto query = std::make_shared<Query>();
    query->done = std::move(done);
    query->order = sentinels_;
    queries_.insert(query);
    ask(std::move(query));
}

void SentinelLocator::finish(const std::shared_ptr<Query>& query, Result<Endpoint> found) {
    // The session's callbacks may be on the stack.
    if (query->session) dispatcher_.deferDelete(std::move(query->session));
    queries_.erase(query);
    auto done = std::move(query->done);
    query->done = nullptr;
    done(std::move(found));
}

void SentinelLocator::ask(std::shared_ptr<Query> query) {
    // The previous sentinel's session: its callbacks may be on the stack.
    if (query->session) dispatcher_.deferDelete(std::move(query->session));
    if (query->next >= query->order.size()) {
        return finish(query,
                      Error{ErrorKind::Unavailable, "no sentinel knows the master '" + masterName_ +
                                                        "' (last: " + query->lastError + ")"});
    }
    Endpoint sentinel = query->order[query->next++];
    query->session = std::make_unique<HiredisSession>(dispatcher_, timeout_);
    std::string error;
    if (!query->session->open(sentinel, error)) {
        query->lastError = sentinel.describe() + ": " + error;
        return ask(std::move(query));
    }
    std::weak_ptr<SentinelLocator> self = weak_from_this();
    // The locator owns the query (queries_); the session's callback must not, or a query
    // cut short by the locator's end would keep itself alive.
    std::weak_ptr<Query> weakQuery = query;
    // A failed or silent sentinel answers Unavailable through the pending command (the
    // session's deadline closes it); the gone handler need not do anything.
    if (!credentials_.password.empty()) {
        Command auth =
            credentials_.username.empty()
                ? Command::keyless({"AUTH", credentials_.password})
                : Command::keyless({"AUTH", credentials_.username, credentials_.password});
        query->session->send(auth, [](Result<RedisValue>) {});
    }
    bool sent = query->session->send(
        Command::keyless({"SENTINEL", "get-master-addr-by-name", masterName_}),
        [self, weakQuery, sentinel](Result<RedisValue> reply) {
            auto locator = self.lock();
            auto query = weakQuery.lock();
            if (!locator || !query || !query->done) return;
            std::string why;
            if (!reply.ok()) {
                why = reply.error().message;
            } else if (reply.value().isError()) {
                why = reply.value().str;  // NOAUTH, unknown command (not a sentinel) ...
            } else if (!reply.value().isArray() || reply.value().size() != 2) {
                why = "does not know the master";
            } else {
                Endpoint master;
                master.host = reply.value().at(0).asString();
                master.port = static_cast<int>(reply.value().at(1).asInt());
                master.tls = sentinel.tls;  // rediss://: the master speaks TLS too
                if (master.host.empty() || master.port <= 0) {
                    why = "answered no address";
                } else {
                    // The spec: the sentinel that answered goes to the front of the list.
                    auto& list = locator->sentinels_;
                    for (size_t i = 0; i < list.size(); ++i) {
                        if (list[i] == sentinel) {
                            std::rotate(list.begin(), list.begin() + i, list.begin() + i + 1);
                            break;
                        }
                    }
                    return locator->finish(query, master);
                }
            }
            query->lastError = sentinel.describe() + ": " + why;
            // Not from inside this session's callback: the next one starts from the loop.
            locator->dispatcher_.defer([self, weakQuery] {
                auto alive = self.lock();
                auto next = weakQuery.lock();
                if (alive && next) alive->ask(next);
            });
        });
    if (!sent) {
        query->lastError = sentinel.describe() + ": command not accepted";
        ask(std::move(query));
    }
}

void SentinelRotation::locate(std::function<void(Result<Endpoint>)> done) {
    const auto& list = sentinels_->sentinels();
    if (list.empty()) return done(Error{ErrorKind::Unavailable, "no sentinels"});
    done(list[next_++ % list.size()]);
}

namespace {

std::string roleIsMaster(const RedisValue& reply) {
    if (reply.isError()) return reply.str;
    std::string role = reply.at(0).asString();
    return role == "master" ? std::string() : "not a master (ROLE " + role + ")";
}

}  // namespace

SentinelClient::SentinelClient(event::Dispatcher& dispatcher, SentinelClientOptions options)
    : dispatcher_(dispatcher),
      locator_(std::make_shared<SentinelLocator>(dispatcher, options.sentinels, options.masterName,
                                                 options.sentinelCredentials,
                                                 options.sentinelTimeout)),
      node_(dispatcher, locator_,
            NodeClientOptions{options.timeout,
                              options.masterCredentials,
                              options.db,
                              {{Command::keyless({"ROLE"}), roleIsMaster}},
                              "READONLY",
                              "redis (sentinel master '" + options.masterName + "')",
                              options.metricsStore}),
      sentinelTimeout_(options.sentinelTimeout) {}

SentinelClient::~SentinelClient() {
    stop();
}

void SentinelClient::start() {
    node_.start();
    if (!watch_) {
        auto watch = std::make_unique<ChannelSubscriber>(
            dispatcher_, std::make_shared<SentinelRotation>(locator_), locator_->credentials(),
            sentinelTimeout_, std::vector<std::string>{"+switch-master"},
            [this](const std::string& channel, std::string_view payload) {
                onSentinelEvent(channel, payload);
            },
            "redis sentinel watch");
        watch->start();
        watch_ = std::move(watch);
    }
}

void SentinelClient::stop() {
    watch_.reset();
    node_.stop();
}

void SentinelClient::onSentinelEvent(const std::string&, std::string_view payload) {
    // "<master name> <old ip> <old port> <new ip> <new port>"
    size_t space = payload.find(' ');
    if (payload.substr(0, space) != locator_->masterName()) return;
    node_.reconnectNow("sentinel: +switch-master " + std::string(payload));
}

}  // namespace zaqard::storage::redis
