// MessageStore on Redis: one FCALL per call (post, list, get, remove, removeMany, pop); the
// long-polling wake-ups of a queue are its pub/sub channel (key_layout.h wakeChannel).
#pragma once

#include "storage/redis/redis_context.h"
#include "storage/redis/redriver.h"
#include "storage/storage.h"

namespace zaqard::storage::redis {

class RedisMessageStore : public MessageStore {
  public:
    // `pubsub` carries the long-polling wake-ups (watch).
    RedisMessageStore(RedisContext& context, PubSub& pubsub)
        : context_(context), pubsub_(pubsub), redriver_(context) {}

    void post(const PostRequest& request, Callback<PostResult> done) override;
    void list(const ListRequest& request, Callback<MessagePage> done) override;
    void get(const QueueRef& queue, const std::vector<std::string>& ids,
             Callback<GetMessagesResult> done) override;
    void removeMany(const QueueRef& queue, const std::vector<std::string>& ids,
                    Callback<Unit> done) override;
    void removeManyClaimed(const QueueRef& queue, const std::vector<std::string>& ids,
                           const std::vector<std::string>& claimIds, Callback<Unit> done) override;
    void remove(const QueueRef& queue, const std::string& id,
                const std::optional<std::string>& claimId, Callback<DeleteOutcome> done) override;
    void pop(const QueueRef& queue, int64_t count, Callback<std::vector<Message>> done) override;
    std::unique_ptr<PubSubListener> watch(const QueueRef& queue,
                                          std::function<void()> onWake) override;
    void redrive(const RedriveRequest& request, Callback<RedriveResult> done) override;

  private:
    void removeIds(const QueueRef& queue, const std::vector<std::string>& ids,
                   const std::vector<std::string>& claimIds, Callback<Unit> done);

    RedisContext& context_;
    PubSub& pubsub_;
    Redriver redriver_;
};

}  // namespace zaqard::storage::redis
