// QueueStore on Redis: queue hash + per-project name index (see key_layout.h).
#pragma once

#include "storage/redis/redis_context.h"
#include "storage/storage.h"

namespace zaqard::storage::redis {

class RedisQueueStore : public QueueStore {
  public:
    explicit RedisQueueStore(RedisContext& context) : context_(context) {}

    void create(const QueueRef& queue, Json metadata, Callback<bool> done) override;
    void getMetadata(const QueueRef& queue, Callback<std::optional<Json>> done) override;
    void setMetadata(const QueueRef& queue, Json metadata, Callback<Unit> done) override;
    void remove(const QueueRef& queue, Callback<Unit> done) override;
    void list(const QueueListRequest& request, Callback<std::vector<QueueInfo>> done) override;
    void count(const std::string& project, Callback<int64_t> done) override;
    void stats(const QueueRef& queue, Callback<QueueStats> done) override;
    void purgeMessages(const QueueRef& queue, Callback<int64_t> done) override;

  private:
    struct ListState;
    void listStep(std::shared_ptr<ListState> state);

    RedisContext& context_;
};

}  // namespace zaqard::storage::redis
