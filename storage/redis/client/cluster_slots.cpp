// CLUSTER SLOTS: parsing and the fetcher; see cluster_slots.h.
#include "storage/redis/client/cluster_slots.h"

#include "storage/redis/client/hiredis_session.h"
#include "storage/redis/client/key_slot.h"

namespace zaqard::storage::redis {

bool parseClusterSlots(const RedisValue& reply, const Endpoint& asked,
                       std::vector<SlotRange>& ranges, std::string& error) {
    ranges.clear();
    if (reply.isError()) {
        error = reply.str;  // "ERR This instance has cluster support disabled", NOAUTH ...
        return false;
    }
    if (!reply.isArray()) {
        error = "CLUSTER SLOTS answered no array";
        return false;
    }
    for (const auto& entry : reply.elements) {
        const RedisValue& master = entry.at(2);
        SlotRange range;
        range.first = static_cast<int>(entry.at(0).asInt());
        range.last = static_cast<int>(entry.at(1).asInt());
        range.master.host = master.at(0).asString();
        range.master.port = static_cast<int>(master.at(1).asInt());
        range.master.tls = asked.tls;  // rediss://: every node speaks TLS
        if (range.master.host.empty() || range.master.host == "?") range.master.host = asked.host;
        if (!entry.isArray() || range.first < 0 || range.last >= kClusterSlots ||
            range.first > range.last || range.master.port <= 0) {
            error = "CLUSTER SLOTS answered a malformed range";
            ranges.clear();
            return false;
        }
        ranges.push_back(std::move(range));
    }
    return true;
}

SlotMapFetcher::SlotMapFetcher(event::Dispatcher& dispatcher, Credentials credentials,
                               std::chrono::milliseconds timeout)
    : dispatcher_(dispatcher), credentials_(std::move(credentials)), timeout_(timeout) {}

SlotMapFetcher::~SlotMapFetcher() {
    done_ = nullptr;
    // Its pending CLUSTER SLOTS answers Unavailable into a callback that checks alive_.
    alive_.reset();
    session_.reset();
}

void SlotMapFetcher::fetch(std::vector<Endpoint> candidates, Done done) {
    candidates_ = std::move(candidates);
    next_ = 0;
    lastError_ = "no node to ask";
    done_ = std::move(done);
    std::weak_ptr<bool> alive = alive_;
    dispatcher_.defer([this, alive] {
        if (!alive.expired()) askNext();
    });
}

void SlotMapFetcher::finish(Result<std::vector<SlotRange>> result) {
    if (session_) dispatcher_.deferDelete(std::move(session_));
    auto done = std::move(done_);
    done_ = nullptr;
    if (done) done(std::move(result));
}

void SlotMapFetcher::askNext() {
    // The previous node's session: its callbacks may be on the stack.
    if (session_) dispatcher_.deferDelete(std::move(session_));
    if (!done_) return;
    if (next_ >= candidates_.size()) {
        return finish(Error{ErrorKind::Unavailable,
                            "no cluster node answered CLUSTER SLOTS (last: " + lastError_ + ")"});
    }
    Endpoint node = candidates_[next_++];
    session_ = std::make_unique<HiredisSession>(dispatcher_, timeout_);
    std::string error;
    if (!session_->open(node, error)) {
        lastError_ = node.describe() + ": " + error;
        return askNext();
    }
    if (!credentials_.password.empty()) {
        Command auth =
            credentials_.username.empty()
                ? Command::keyless({"AUTH", credentials_.password})
                : Command::keyless({"AUTH", credentials_.username, credentials_.password});
        // A refused AUTH shows in the CLUSTER SLOTS reply (NOAUTH).
        session_->send(auth, [](Result<RedisValue>) {});
    }
    std::weak_ptr<bool> alive = alive_;
    HiredisSession* asked = session_.get();
    bool sent = session_->send(Command::keyless({"CLUSTER", "SLOTS"}),
                               [this, alive, asked, node](Result<RedisValue> reply) {
                                   if (alive.expired() || session_.get() != asked) return;
                                   std::vector<SlotRange> ranges;
                                   std::string why;
                                   if (!reply.ok()) {
                                       why = reply.error().message;
                                   } else if (parseClusterSlots(reply.value(), node, ranges, why)) {
                                       if (!ranges.empty()) return finish(std::move(ranges));
                                       why = "serves no slot yet";
                                   }
                                   lastError_ = node.describe() + ": " + why;
                                   // Not from inside this session's callback: the next node is
                                   // asked from the loop.
                                   dispatcher_.defer([this, alive] {
                                       if (!alive.expired()) askNext();
                                   });
                               });
    if (!sent) {
        lastError_ = node.describe() + ": command not accepted";
        askNext();
    }
}

}  // namespace zaqard::storage::redis
