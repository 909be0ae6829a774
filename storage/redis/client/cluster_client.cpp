// ClusterClient: slot routing, redirections and retries; see cluster_client.h.
#include "storage/redis/client/cluster_client.h"

#include <algorithm>
#include <optional>
#include <set>

#include "src/common/clock.h"
#include "src/common/log.h"
#include "storage/redis/client/channel_subscriber.h"
#include "storage/redis/client/cluster_reply.h"
#include "storage/redis/client/key_slot.h"

namespace zaqard::storage::redis {

namespace {
constexpr std::chrono::milliseconds kFirstRetry{10};
constexpr std::chrono::milliseconds kMaxRetry{100};

int64_t micros(std::chrono::milliseconds ms) {
    return static_cast<int64_t>(ms.count()) * 1000;
}
}  // namespace

struct ClusterClient::Node {
    Endpoint endpoint;
    std::unique_ptr<NodeClient> client;
    int64_t idleSince = 0;  // monotonic micros since it serves no slot; 0 while it does
};

struct ClusterClient::Call {
    std::vector<Command> commands;
    bool single = false;  // command(): answer `one` with the only reply
    ReplyCallback one;
    PipelineCallback many;
    int routeIndex = -1;  // the first keyed command; -1: keyless
    int slot = -1;
    int64_t deadline = 0;  // monotonic micros
    int redirects = 0;
    std::optional<Endpoint> ask;  // the next send goes there, behind ASKING
    std::chrono::milliseconds backoff{0};
    bool resend = false;  // queued by resendNow(): goes out even at the deadline's edge
    std::string lastError = "redis cluster: no answer";
};

// subscribe()'s locator: the masters of the current map one after the other (the seeds
// before a map is known), so a subscription that dropped comes back on another master.
class ClusterClient::MasterRotation : public Locator {
  public:
    MasterRotation(std::shared_ptr<std::vector<Endpoint>> masters, std::vector<Endpoint> seeds)
        : masters_(std::move(masters)), seeds_(std::move(seeds)) {}
    void locate(std::function<void(Result<Endpoint>)> done) override {
        const auto& list = masters_->empty() ? seeds_ : *masters_;
        if (list.empty()) return done(Error{ErrorKind::Unavailable, "no cluster node known"});
        done(list[next_++ % list.size()]);
    }
    std::string describe() const override { return "a Redis Cluster master"; }

  private:
    std::shared_ptr<std::vector<Endpoint>> masters_;
    std::vector<Endpoint> seeds_;
    size_t next_ = 0;
};

ClusterClient::ClusterClient(event::Dispatcher& dispatcher, ClusterClientOptions options)
    : dispatcher_(dispatcher),
      options_(std::move(options)),
      slots_(kClusterSlots, nullptr),
      masterList_(std::make_shared<std::vector<Endpoint>>()),
      fetcher_(dispatcher, options_.credentials, options_.timeout) {
    refreshTimer_ = dispatcher_.createTimer([this] { startRefresh(); });
    retryTimer_ = dispatcher_.createTimer([this] { runRetries(); });
}

ClusterClient::~ClusterClient() {
    stop();
    alive_.reset();
}

void ClusterClient::start() {
    if (running_) return;
    running_ = true;
    for (auto& [name, node] : nodes_) node->client->start();
    refreshTimer_->enable(std::chrono::milliseconds(0));
}

void ClusterClient::stop() {
    if (!running_ && nodes_.empty() && retries_.empty()) return;
    running_ = false;
    refreshTimer_->disable();
    retryTimer_->disable();
    auto waiting = std::move(retries_);
    retries_.clear();
    for (auto& [when, call] : waiting)
        finish(call, Error{ErrorKind::Unavailable, "redis cluster: client stopped"});
    // Stopping a node answers its pending calls (finish(), since running_ is false); its
    // callbacks may be on the stack, hence deferDelete.
    auto nodes = std::move(nodes_);
    nodes_.clear();
    std::fill(slots_.begin(), slots_.end(), nullptr);
    covered_ = false;
    masterList_->clear();
    for (auto& [name, node] : nodes) {
        node->client->stop();
        dispatcher_.deferDelete(std::move(node));
    }
}

RedisClient::State ClusterClient::state() const {
    if (!running_) return State::Stopped;
    if (masterList_->empty() || !covered_) return State::Connecting;
    for (const auto& [name, node] : nodes_)
        if (node->idleSince == 0 && !node->client->ready()) return State::Connecting;
    return State::Ready;
}

void ClusterClient::setHandshake(std::function<std::vector<Command>()> handshake) {
    handshake_ = std::move(handshake);
    for (auto& [name, node] : nodes_) node->client->setHandshake(handshake_);
}

Endpoint ClusterClient::masterOf(int slot) const {
    if (slot < 0 || slot >= kClusterSlots || slots_[slot] == nullptr) return {};
    return slots_[slot]->endpoint;
}

std::vector<Endpoint> ClusterClient::masters() const {
    return *masterList_;
}

ClusterClient::Node* ClusterClient::nodeAt(const Endpoint& endpoint) {
    std::string name = endpoint.describe();
    auto found = nodes_.find(name);
    if (found != nodes_.end()) return found->second.get();
    auto node = std::make_unique<Node>();
    node->endpoint = endpoint;
    // Idle until the map (or a MOVED) gives it a slot: a node known only from an ASK is
    // retired like one that left the map.
    node->idleSince = monotonicMicros();
    NodeClientOptions options;
    options.timeout = options_.timeout;
    options.credentials = options_.credentials;
    options.name = "redis cluster node " + name;
    node->client = std::make_unique<NodeClient>(
        dispatcher_, std::make_shared<FixedLocator>(endpoint), std::move(options));
    if (handshake_) node->client->setHandshake(handshake_);
    if (running_) node->client->start();
    Node* raw = node.get();
    nodes_.emplace(name, std::move(node));
    return raw;
}

// --- calls -------------------------------------------------------------------------------

void ClusterClient::command(Command command, ReplyCallback done) {
    auto call = std::make_shared<Call>();
    call->single = true;
    call->one = std::move(done);
    call->commands.push_back(std::move(command));
    call->deadline =
        monotonicMicros() + micros(options_.timeout) + micros(call->commands[0].extraTime);
    if (!call->commands[0].key().empty()) {
        call->routeIndex = 0;
        call->slot = keySlot(call->commands[0].key());
    }
    dispatch(call);
}

void ClusterClient::pipeline(std::vector<Command> commands, PipelineCallback done) {
    auto call = std::make_shared<Call>();
    call->many = std::move(done);
    call->deadline = monotonicMicros() + micros(options_.timeout);
    for (size_t i = 0; i < commands.size(); ++i) {
        call->deadline += micros(commands[i].extraTime);
        if (call->routeIndex < 0 && !commands[i].key().empty()) {
            call->routeIndex = static_cast<int>(i);
            call->slot = keySlot(commands[i].key());
        }
    }
    call->commands = std::move(commands);
    if (call->commands.empty()) {
        call->lastError = "redis cluster: empty pipeline";
        call->deadline = 0;  // answered from the retry timer, not inside this call
        retryLater(call, call->lastError);
        return;
    }
    dispatch(call);
}

ClusterClient::Node* ClusterClient::routeOf(const Call& call) {
    if (call.slot >= 0) return slots_[call.slot];
    // Keyless: any master, rotating, a connected one if there is one.
    const auto& list = *masterList_;
    for (size_t tried = 0; tried < list.size(); ++tried) {
        auto found = nodes_.find(list[nextKeyless_++ % list.size()].describe());
        if (found != nodes_.end() && found->second->client->ready()) return found->second.get();
    }
    if (list.empty()) return nullptr;
    auto found = nodes_.find(list.front().describe());
    return found == nodes_.end() ? nullptr : found->second.get();
}

void ClusterClient::dispatch(const std::shared_ptr<Call>& call) {
    if (!running_) {
        call->lastError = "redis cluster: client stopped";
        call->deadline = 0;
        return retryLater(call, call->lastError);
    }
    Node* node = nullptr;
    bool asking = false;
    if (call->ask) {
        node = nodeAt(*call->ask);
        call->ask.reset();  // ASK is followed once; a later MOVED or ASK decides again
        asking = true;
    } else {
        node = routeOf(*call);
    }
    if (node == nullptr) {
        requestRefresh();
        return retryLater(call, call->slot >= 0 ? "redis cluster: no master known for slot " +
                                                      std::to_string(call->slot)
                                                : "redis cluster: no master known");
    }
    std::weak_ptr<bool> alive = alive_;
    Endpoint from = node->endpoint;
    if (asking) {
        // ASKING before each keyed command: it lets the next command only into the
        // importing slot.
        std::vector<Command> sent;
        std::vector<size_t> own;  // the index of each of the call's replies in `sent`
        for (const auto& command : call->commands) {
            if (!command.key().empty()) sent.push_back(Command::keyless({"ASKING"}));
            own.push_back(sent.size());
            sent.push_back(command);
        }
        node->client->pipeline(std::move(sent),
                               [this, alive, call, from, own](Result<std::vector<RedisValue>> all) {
                                   if (alive.expired()) return;
                                   if (!all.ok()) return onAnswer(call, from, std::move(all));
                                   std::vector<RedisValue> replies;
                                   for (size_t index : own)
                                       replies.push_back(std::move(all.value()[index]));
                                   onAnswer(call, from, std::move(replies));
                               });
        return;
    }
    if (call->single) {
        node->client->command(call->commands[0],
                              [this, alive, call, from](Result<RedisValue> reply) {
                                  if (alive.expired()) return;
                                  if (!reply.ok()) return onAnswer(call, from, reply.error());
                                  std::vector<RedisValue> replies;
                                  replies.push_back(std::move(reply.value()));
                                  onAnswer(call, from, std::move(replies));
                              });
        return;
    }
    node->client->pipeline(call->commands,
                           [this, alive, call, from](Result<std::vector<RedisValue>> all) {
                               if (alive.expired()) return;
                               onAnswer(call, from, std::move(all));
                           });
}

void ClusterClient::onAnswer(const std::shared_ptr<Call>& call, const Endpoint& from,
                             Result<std::vector<RedisValue>> answer) {
    if (!running_) return finish(call, std::move(answer));
    if (!answer.ok()) {
        // The node is down, restarting or gone: the map may have changed under us.
        requestRefresh();
        return retryLater(call, from.describe() + ": " + answer.error().message);
    }
    auto& replies = answer.value();
    size_t decisive = call->routeIndex >= 0 ? static_cast<size_t>(call->routeIndex) : 0;
    if (decisive >= replies.size()) return finish(call, std::move(answer));
    const RedisValue& reply = replies[decisive];
    ClusterRedirect redirect = parseClusterRedirect(reply, from);
    switch (redirect.kind) {
        case ClusterRedirect::Kind::None:
            return finish(call, std::move(answer));
        case ClusterRedirect::Kind::Moved:
        case ClusterRedirect::Kind::Ask:
            if (++call->redirects > kMaxRedirects) {
                return finish(
                    call, Error{ErrorKind::Unavailable,
                                "redis cluster: too many redirections (last: " + reply.str + ")"});
            }
            if (redirect.kind == ClusterRedirect::Kind::Moved) {
                Node* target = nodeAt(redirect.target);
                target->idleSince = 0;
                slots_[redirect.slot] = target;
                requestRefresh();
            } else {
                call->ask = redirect.target;
            }
            return resendNow(call);
        case ClusterRedirect::Kind::TryAgain:
        case ClusterRedirect::Kind::Down:
            return retryLater(call, from.describe() + ": " + reply.str);
    }
}

void ClusterClient::finish(const std::shared_ptr<Call>& call,
                           Result<std::vector<RedisValue>> answer) {
    if (call->single) {
        auto done = std::move(call->one);
        call->one = nullptr;
        if (!done) return;
        if (!answer.ok()) return done(answer.error());
        if (answer.value().empty()) return done(Error{ErrorKind::Unavailable, call->lastError});
        return done(std::move(answer.value().front()));
    }
    auto done = std::move(call->many);
    call->many = nullptr;
    if (done) done(std::move(answer));
}

// --- retries -----------------------------------------------------------------------------

void ClusterClient::retryLater(const std::shared_ptr<Call>& call, const std::string& why) {
    call->lastError = why;
    call->backoff =
        call->backoff.count() == 0 ? kFirstRetry : std::min(call->backoff * 2, kMaxRetry);
    int64_t when = std::min(monotonicMicros() + micros(call->backoff), call->deadline);
    bool first = retries_.empty() || when < retries_.begin()->first;
    retries_.emplace(when, call);
    if (first) {
        int64_t wait = std::max<int64_t>(0, when - monotonicMicros());
        retryTimer_->enable(std::chrono::milliseconds((wait + 999) / 1000));
    }
}

void ClusterClient::resendNow(const std::shared_ptr<Call>& call) {
    int64_t now = monotonicMicros();
    call->resend = true;
    bool first = retries_.empty() || now < retries_.begin()->first;
    retries_.emplace(now, call);
    if (first) retryTimer_->enable(std::chrono::milliseconds(0));
}

void ClusterClient::runRetries() {
    int64_t now = monotonicMicros();
    std::vector<std::shared_ptr<Call>> due;
    while (!retries_.empty() && retries_.begin()->first <= now) {
        due.push_back(std::move(retries_.begin()->second));
        retries_.erase(retries_.begin());
    }
    for (auto& call : due) {
        // A resend after MOVED/ASK goes out even at the deadline's edge (kMaxRedirects
        // bounds those).
        bool resend = call->resend;
        call->resend = false;
        if (!resend && now >= call->deadline) {
            finish(call, Error{ErrorKind::Unavailable, call->lastError});
            continue;
        }
        dispatch(call);
    }
    if (!retries_.empty()) {
        int64_t wait = std::max<int64_t>(0, retries_.begin()->first - monotonicMicros());
        retryTimer_->enable(std::chrono::milliseconds((wait + 999) / 1000));
    }
}

// --- the slot map ------------------------------------------------------------------------

void ClusterClient::requestRefresh() {
    if (!running_) return;
    if (fetcher_.busy()) {
        refreshWanted_ = true;  // the map being read may predate what we just learnt
        return;
    }
    int64_t due = lastRefreshStart_ + micros(kMinRefreshGap);
    int64_t now = monotonicMicros();
    if (refreshSoon_ && refreshDue_ <= std::max(due, now)) return;
    refreshSoon_ = true;
    refreshDue_ = std::max(due, now);
    refreshTimer_->enable(std::chrono::milliseconds((refreshDue_ - now + 999) / 1000));
}

std::vector<Endpoint> ClusterClient::refreshCandidates() const {
    // Connected masters first (they answer at once), then the others, then the seeds.
    std::vector<Endpoint> ready;
    std::vector<Endpoint> others;
    for (const auto& endpoint : *masterList_) {
        auto found = nodes_.find(endpoint.describe());
        bool up = found != nodes_.end() && found->second->client->ready();
        (up ? ready : others).push_back(endpoint);
    }
    ready.insert(ready.end(), others.begin(), others.end());
    for (const auto& seed : options_.seeds)
        if (std::find(ready.begin(), ready.end(), seed) == ready.end()) ready.push_back(seed);
    return ready;
}

void ClusterClient::startRefresh() {
    refreshSoon_ = false;
    if (!running_ || fetcher_.busy()) return;
    // From this timer, never from a reply callback: nodes may be stopped here.
    retireIdleNodes();
    lastRefreshStart_ = monotonicMicros();
    refreshWanted_ = false;
    std::weak_ptr<bool> alive = alive_;
    fetcher_.fetch(refreshCandidates(), [this, alive](Result<std::vector<SlotRange>> ranges) {
        if (alive.expired() || !running_) return;
        if (ranges.ok()) {
            applyMap(ranges.value());
        } else {
            if (!reportedDown_) log::warning("redis cluster: " + ranges.error().message);
            reportedDown_ = true;
        }
        if (refreshWanted_) return requestRefresh();
        // The next periodic refresh; requestRefresh() may bring it forward.
        auto period =
            state() == State::Ready ? options_.refreshEvery : options_.refreshWhileDegraded;
        refreshSoon_ = false;
        refreshTimer_->enable(period);
    });
}

void ClusterClient::applyMap(const std::vector<SlotRange>& ranges) {
    std::vector<Node*> slots(kClusterSlots, nullptr);
    std::set<Node*> used;
    for (const auto& range : ranges) {
        Node* node = nodeAt(range.master);
        used.insert(node);
        std::fill(slots.begin() + range.first, slots.begin() + range.last + 1, node);
    }
    int64_t now = monotonicMicros();
    std::vector<Endpoint> masters;
    for (auto& [name, node] : nodes_) {
        if (used.count(node.get())) {
            node->idleSince = 0;
            masters.push_back(node->endpoint);
        } else if (node->idleSince == 0) {
            node->idleSince = now;
        }
    }
    bool changed = masters != *masterList_;
    size_t uncovered = static_cast<size_t>(std::count(slots.begin(), slots.end(), nullptr));
    slots_ = std::move(slots);
    covered_ = uncovered == 0;
    *masterList_ = std::move(masters);
    ++mapsApplied_;
    if (changed || reportedDown_) {
        std::string list;
        for (const auto& endpoint : *masterList_) list += " " + endpoint.describe();
        log::info("redis cluster: masters" + list +
                  (uncovered ? " (" + std::to_string(uncovered) + " slots without a master)"
                             : std::string()));
    }
    reportedDown_ = false;
}

void ClusterClient::retireIdleNodes() {
    int64_t now = monotonicMicros();
    for (auto it = nodes_.begin(); it != nodes_.end();) {
        Node* node = it->second.get();
        bool idle = node->idleSince != 0 && now - node->idleSince > micros(kRetireAfter) &&
                    std::find(slots_.begin(), slots_.end(), node) == slots_.end();
        if (!idle) {
            ++it;
            continue;
        }
        auto retired = std::move(it->second);
        it = nodes_.erase(it);
        // Its pending calls answer Unavailable into onAnswer, which retries them elsewhere.
        retired->client->stop();
        dispatcher_.deferDelete(std::move(retired));
    }
}

std::unique_ptr<RedisSubscription> ClusterClient::subscribe(std::vector<std::string> channels,
                                                            MessageHandler onMessage) {
    auto subscriber = std::make_unique<ChannelSubscriber>(
        dispatcher_, std::make_shared<MasterRotation>(masterList_, options_.seeds),
        options_.credentials, options_.timeout, std::move(channels), std::move(onMessage),
        "redis cluster pub/sub");
    subscriber->start();
    return subscriber;
}

}  // namespace zaqard::storage::redis
