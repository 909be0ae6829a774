// HealthStore on Redis; see redis_health_store.h.
//
// messageVolume() reads the per-queue sets the scripts keep anyway, never the messages:
// per queue total = ZCARD z:all:{T} - ZCOUNT z:x:{T} [-inf, now] and claimed =
// ZCOUNT z:cl:{T} (now, +inf). That is stats.lua's formula but for the expired messages
// of the in-order run (not in z:x, _lib.lua) that housekeeping has not dropped yet: they
// count here until the queue's next call or sweep (stats.lua walks to find them). The queues come
// from a cursor scan of the registry buckets z:registry:{0..15}, then of the pre-bucket z:registry
// (SSCAN, kTagsPerScan tags a round trip, one key after the other); the three counts of every tag
// of a batch are sent pipelined without waiting. Cost for Q queues: 1 + 17 + ceil(Q / 500) round
// trips and 3 Q O(log n) commands, e.g. ~38 round trips and 30 000 commands (a few ms of Redis
// time) for 10 000 queues. Nothing is aggregated in Redis: in Redis Cluster each SSCAN
// goes to its bucket's slot, each ZCOUNT to its queue's slot, and no script touches two
// slots. The sum is not one snapshot (queues change during the scan), as Zaqar's
// per-collection counts are not; a tag whose move out of z:registry was interrupted
// counts twice until the next sweep moves it.
#include "storage/redis/redis_health_store.h"

#include <algorithm>
#include <memory>

#include "storage/redis/key_layout.h"

namespace zaqard::storage::redis {

namespace {

constexpr const char* kTagsPerScan = "500";
// SSCAN ends by itself (cursor 0); the bound only guards against a misbehaving server:
// 100 000 round trips cover 50 M queues.
constexpr int kMaxScans = 100000;

Error replyError(const Result<RedisValue>& reply) {
    if (!reply.ok()) return reply.error();
    return Error{ErrorKind::Unavailable, reply.value().str};
}

// One messageVolume() call in progress; kept alive by the callbacks it is waiting for.
class VolumeScan : public std::enable_shared_from_this<VolumeScan> {
  public:
    VolumeScan(RedisClient& redis, Callback<MessageVolume> done)
        : redis_(redis), done_(std::move(done)) {}

    void start() {
        auto self = shared_from_this();
        redis_.command({"TIME"}, [self](Result<RedisValue> reply) {
            if (!reply.ok() || reply.value().isError()) return self->fail(replyError(reply));
            int64_t ms = reply.value().at(0).asInt() * 1000 + reply.value().at(1).asInt() / 1000;
            self->after_ = "(" + std::to_string(ms);
            self->upTo_ = std::to_string(ms);
            self->scan();
        });
    }

  private:
    void scan() {
        if (++scans_ > kMaxScans)
            return fail(Error{ErrorKind::Unavailable, "queue registry scan did not end"});
        auto self = shared_from_this();
        std::string key =
            position_ < kRegistryBuckets ? registryBucketKey(position_) : legacyRegistryKey();
        redis_.command({"SSCAN", key, cursor_, "COUNT", kTagsPerScan},
                       [self](Result<RedisValue> reply) {
                           if (!reply.ok() || reply.value().isError())
                               return self->fail(replyError(reply));
                           self->cursor_ = reply.value().at(0).asString();
                           const RedisValue& tags = reply.value().at(1);
                           if (tags.size() == 0) return self->batchDone();
                           self->pending_ = 3 * tags.size();
                           for (const auto& tag : tags.elements) {
                               const std::string& t = tag.asString();
                               self->count({"ZCARD", messageSetKey(t)}, self->volume_.total, 1);
                               self->count({"ZCOUNT", expirySetKey(t), "-inf", self->upTo_},
                                           self->volume_.total, -1);
                               self->count({"ZCOUNT", claimedSetKey(t), self->after_, "+inf"},
                                           self->volume_.claimed, 1);
                           }
                       });
    }

    // Adds sign * the command's integer reply to sum.
    void count(Command command, int64_t& sum, int sign) {
        auto self = shared_from_this();
        redis_.command(std::move(command), [self, &sum, sign](Result<RedisValue> reply) {
            if (!reply.ok() || reply.value().isError())
                self->fail(replyError(reply));
            else
                sum += sign * reply.value().asInt();
            if (--self->pending_ == 0) self->batchDone();
        });
    }

    void batchDone() {
        if (failed_) return;
        if (cursor_ != "0" && !cursor_.empty()) return scan();
        cursor_ = "0";
        if (++position_ <= kRegistryBuckets) return scan();  // the next bucket, then z:registry
        volume_.free = std::max<int64_t>(volume_.total - volume_.claimed, 0);
        done_(volume_);
    }

    void fail(Error error) {
        if (failed_) return;
        failed_ = true;
        done_(std::move(error));
    }

    RedisClient& redis_;
    Callback<MessageVolume> done_;
    std::string after_;  // "(<now ms>": scores strictly after now
    std::string upTo_;   // "<now ms>": scores up to now (expired)
    int position_ = 0;   // registry bucket; kRegistryBuckets: the pre-bucket z:registry
    std::string cursor_ = "0";
    int scans_ = 0;
    size_t pending_ = 0;
    bool failed_ = false;
    MessageVolume volume_;
};

}  // namespace

void RedisHealthStore::ping(Callback<Unit> done) {
    redis_.command({"PING"}, [done = std::move(done)](Result<RedisValue> reply) {
        if (!reply.ok()) return done(reply.error());
        if (reply.value().isError()) return done(Error{ErrorKind::Unavailable, reply.value().str});
        done(Unit{});
    });
}

void RedisHealthStore::messageVolume(Callback<MessageVolume> done) {
    std::make_shared<VolumeScan>(redis_, std::move(done))->start();
}

}  // namespace zaqard::storage::redis
