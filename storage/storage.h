// Async storage interfaces, one per resource. Every call answers exactly once through its
// callback, on the calling shard's thread, with a value or an Error (Unavailable -> 503).
// Implementations: storage/redis.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "src/common/result.h"
#include "storage/types.h"

namespace zaqard::storage {

template <typename T>
using Callback = std::function<void(Result<T>)>;

class QueueStore {
public:
    virtual ~QueueStore() = default;
    // Creates the queue with `metadata` (a JSON object) unless it exists; answers whether
    // it was created. An existing queue's metadata is left untouched.
    virtual void create(const QueueRef& queue, Json metadata, Callback<bool> done) = 0;
    // Stored metadata, or nullopt when the queue does not exist.
    virtual void getMetadata(const QueueRef& queue, Callback<std::optional<Json>> done) = 0;
    // Replaces the metadata of an existing queue; NotFound when it does not exist.
    virtual void setMetadata(const QueueRef& queue, Json metadata, Callback<Unit> done) = 0;
    // Removes the queue, its messages and claims. Succeeds for unknown queues.
    virtual void remove(const QueueRef& queue, Callback<Unit> done) = 0;
    virtual void list(const QueueListRequest& request, Callback<std::vector<QueueInfo>> done) = 0;
    virtual void count(const std::string& project, Callback<int64_t> done) = 0;
    virtual void stats(const QueueRef& queue, Callback<QueueStats> done) = 0;
    // Removes every message (claimed and delayed ones too) and the claims.
    virtual void purgeMessages(const QueueRef& queue, Callback<Unit> done) = 0;
};

class MessageStore {
public:
    virtual ~MessageStore() = default;
    // Creates the queue when missing (Zaqar's lazy queues), then stores the messages.
    virtual void post(const PostRequest& request, Callback<PostResult> done) = 0;
    virtual void list(const ListRequest& request, Callback<MessagePage> done) = 0;
    // By ids (claimed and delayed included); missing/expired ids are skipped.
    virtual void get(const QueueRef& queue, const std::vector<std::string>& ids,
                     Callback<GetMessagesResult> done) = 0;
    // Bulk delete without claim checks (ids not in the queue are ignored).
    virtual void removeMany(const QueueRef& queue, const std::vector<std::string>& ids,
                            Callback<Unit> done) = 0;
    // Bulk delete where every existing message must be held by one of `claimIds`;
    // otherwise nothing is deleted and Forbidden is answered.
    virtual void removeManyClaimed(const QueueRef& queue, const std::vector<std::string>& ids,
                                   const std::vector<std::string>& claimIds,
                                   Callback<Unit> done) = 0;
    virtual void remove(const QueueRef& queue, const std::string& id,
                        const std::optional<std::string>& claimId,
                        Callback<DeleteOutcome> done) = 0;
    // Removes and returns up to `count` claimable messages from the head.
    virtual void pop(const QueueRef& queue, int64_t count, Callback<std::vector<Message>> done) = 0;
};

class ClaimStore {
public:
    virtual ~ClaimStore() = default;
    virtual void create(const ClaimRequest& request, Callback<ClaimResult> done) = 0;
    // NotFound for unknown or expired claims.
    virtual void get(const QueueRef& queue, const std::string& claimId,
                     Callback<ClaimInfo> done) = 0;
    virtual void renew(const QueueRef& queue, const std::string& claimId, int64_t ttl,
                       int64_t grace, Callback<Unit> done) = 0;
    // Succeeds for unknown ids too.
    virtual void release(const QueueRef& queue, const std::string& claimId,
                         Callback<Unit> done) = 0;
};

class HealthStore {
public:
    virtual ~HealthStore() = default;
    virtual void ping(Callback<Unit> done) = 0;
};

// The stores of one shard. The api layer holds references; the shard owns the driver.
struct Storage {
    QueueStore& queues;
    MessageStore& messages;
    ClaimStore& claims;
    HealthStore& health;
};

}  // namespace zaqard::storage
