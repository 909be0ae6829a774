// Encryption at rest above the storage driver (docs/security.md "Encryption at rest"):
// wraps a shard's MessageStore and ClaimStore so that bodies posted to queues with
// _enable_encrypt_messages are sealed before they leave the process, and every body a
// store answers (list, get, get by ids, pop, claim create, claim get) is opened before the
// api renders it. The driver stores bodies as opaque text and never sees plaintext of an
// encrypted queue.
//
// Which queues are encrypted only the post script knows (it reads the queue's mirror of
// the flag in the same atomic call): it refuses an unsealed body with
// PostRefusal::NeedsSealing, and this layer seals and posts again, remembering the queue
// so later posts are sealed at once (one round trip). A queue remembered here after its
// flag was turned off keeps getting sealed bodies, which read back the same.
//
// A sealed body that does not open (tampered, or sealed under another key) fails the call
// with ErrorKind::Internal (500), naming the message in the log: never ciphertext or
// garbage in a reply.
#pragma once

#include <memory>
#include <string>
#include <unordered_set>

#include "src/common/message_cipher.h"
#include "storage/storage.h"

namespace zaqard::storage {

class SealingStores {
  public:
    SealingStores(Storage inner, std::shared_ptr<const MessageCipher> cipher);
    SealingStores(const SealingStores&) = delete;
    SealingStores& operator=(const SealingStores&) = delete;

    // `inner` with the message and claim stores replaced by the sealing ones.
    Storage storage();

  private:
    class Messages : public MessageStore {
      public:
        explicit Messages(SealingStores& owner) : owner_(owner) {}
        void post(const PostRequest& request, Callback<PostResult> done) override;
        void list(const ListRequest& request, Callback<MessagePage> done) override;
        void get(const QueueRef& queue, const std::vector<std::string>& ids,
                 Callback<GetMessagesResult> done) override;
        void removeMany(const QueueRef& queue, const std::vector<std::string>& ids,
                        Callback<Unit> done) override;
        void removeManyClaimed(const QueueRef& queue, const std::vector<std::string>& ids,
                               const std::vector<std::string>& claimIds,
                               Callback<Unit> done) override;
        void remove(const QueueRef& queue, const std::string& id,
                    const std::optional<std::string>& claimId,
                    Callback<DeleteOutcome> done) override;
        void pop(const QueueRef& queue, int64_t count,
                 Callback<std::vector<Message>> done) override;
        // Bodies move inside Redis, sealed or not: the inner store's, as is.
        void redrive(const RedriveRequest& request, Callback<RedriveResult> done) override;
        // Wake-ups carry no body: the inner store's, as is.
        std::unique_ptr<PubSubListener> watch(const QueueRef& queue,
                                              std::function<void()> onWake) override;

      private:
        SealingStores& owner_;
    };
    class Claims : public ClaimStore {
      public:
        explicit Claims(SealingStores& owner) : owner_(owner) {}
        void create(const ClaimRequest& request, Callback<ClaimResult> done) override;
        void get(const QueueRef& queue, const std::string& claimId,
                 Callback<ClaimInfo> done) override;
        void renew(const QueueRef& queue, const std::string& claimId, int64_t ttl, int64_t grace,
                   Callback<Unit> done) override;
        void release(const QueueRef& queue, const std::string& claimId,
                     Callback<Unit> done) override;

      private:
        SealingStores& owner_;
    };

    // Opens every sealed body in place; the Internal error names the first that fails.
    std::optional<Error> reveal(const QueueRef& queue, std::vector<Message>& messages) const;
    void seal(PostRequest& request) const;
    static std::string queueKey(const QueueRef& queue);
    void remember(const QueueRef& queue);

    Storage inner_;
    std::shared_ptr<const MessageCipher> cipher_;
    // Queues the post script said are encrypted (bounded: forgotten wholesale when full;
    // a forgotten queue costs one refused post).
    std::unordered_set<std::string> encrypted_;
    Messages messages_{*this};
    Claims claims_{*this};
};

}  // namespace zaqard::storage
