// SealingStores; see sealing_stores.h.
#include "storage/sealing/sealing_stores.h"

#include "src/common/log.h"

namespace zaqard::storage {

namespace {
constexpr size_t kMaxRememberedQueues = 65536;

// Wraps `done` so the messages `pick` selects are opened before it runs.
template <typename T, typename Pick>
Callback<T> revealing(const SealingStores* owner, QueueRef queue, Callback<T> done, Pick pick,
                      std::optional<Error> (SealingStores::*reveal)(const QueueRef&,
                                                                    std::vector<Message>&) const) {
    return [owner, queue = std::move(queue), done = std::move(done), pick,
            reveal](Result<T> result) mutable {
        if (result.ok()) {
            if (auto error = (owner->*reveal)(queue, pick(result.value())))
                return done(std::move(*error));
        }
        done(std::move(result));
    };
}
}  // namespace

SealingStores::SealingStores(Storage inner, std::shared_ptr<const MessageCipher> cipher)
    : inner_(inner), cipher_(std::move(cipher)) {}

Storage SealingStores::storage() {
    return Storage{
        inner_.queues,        messages_,     claims_,          inner_.health, inner_.subscriptions,
        inner_.notifications, inner_.pubsub, inner_.management};
}

std::string SealingStores::queueKey(const QueueRef& queue) {
    return std::string(queue.kind == ResourceKind::Topic ? "t" : "q") + queue.project + '\n' +
           queue.name;
}

void SealingStores::remember(const QueueRef& queue) {
    if (encrypted_.size() >= kMaxRememberedQueues) encrypted_.clear();
    encrypted_.insert(queueKey(queue));
}

void SealingStores::seal(PostRequest& request) const {
    for (auto& message : request.messages) message.body = cipher_->seal(message.body);
}

std::optional<Error> SealingStores::reveal(const QueueRef& queue,
                                           std::vector<Message>& messages) const {
    for (auto& message : messages) {
        if (!MessageCipher::isSealed(message.body)) continue;
        auto plain = cipher_->open(message.body);
        if (!plain) {
            log::error("encryption: message " + message.id + " of " + queue.project + "/" +
                       queue.name +
                       " does not decrypt (tampered, or sealed under another "
                       "[transport] message_encryption_key)");
            return Error{ErrorKind::Internal, "Message " + message.id + " could not be decrypted."};
        }
        message.body = std::move(*plain);
    }
    return std::nullopt;
}

void SealingStores::Messages::post(const PostRequest& request, Callback<PostResult> done) {
    SealingStores& owner = owner_;
    if (owner.encrypted_.count(queueKey(request.queue))) {
        PostRequest sealed = request;
        owner.seal(sealed);
        return owner.inner_.messages.post(sealed, std::move(done));
    }
    // The plaintext is kept for the case the script refuses it (an encrypted queue this
    // shard has not seen yet): sealed, it is posted once more.
    auto retry = std::make_shared<PostRequest>(request);
    owner.inner_.messages.post(
        request, [&owner, retry, done = std::move(done)](Result<PostResult> result) mutable {
            if (!result.ok() || result->refusal != PostRefusal::NeedsSealing)
                return done(std::move(result));
            owner.remember(retry->queue);
            owner.seal(*retry);
            owner.inner_.messages.post(*retry, std::move(done));
        });
}

void SealingStores::Messages::list(const ListRequest& request, Callback<MessagePage> done) {
    owner_.inner_.messages.list(
        request, revealing<MessagePage>(
                     &owner_, request.queue, std::move(done),
                     [](MessagePage& page) -> std::vector<Message>& { return page.messages; },
                     &SealingStores::reveal));
}

void SealingStores::Messages::get(const QueueRef& queue, const std::vector<std::string>& ids,
                                  Callback<GetMessagesResult> done) {
    owner_.inner_.messages.get(
        queue, ids,
        revealing<GetMessagesResult>(
            &owner_, queue, std::move(done),
            [](GetMessagesResult& found) -> std::vector<Message>& { return found.messages; },
            &SealingStores::reveal));
}

void SealingStores::Messages::removeMany(const QueueRef& queue, const std::vector<std::string>& ids,
                                         Callback<Unit> done) {
    owner_.inner_.messages.removeMany(queue, ids, std::move(done));
}

void SealingStores::Messages::removeManyClaimed(const QueueRef& queue,
                                                const std::vector<std::string>& ids,
                                                const std::vector<std::string>& claimIds,
                                                Callback<Unit> done) {
    owner_.inner_.messages.removeManyClaimed(queue, ids, claimIds, std::move(done));
}

void SealingStores::Messages::remove(const QueueRef& queue, const std::string& id,
                                     const std::optional<std::string>& claimId,
                                     Callback<DeleteOutcome> done) {
    owner_.inner_.messages.remove(queue, id, claimId, std::move(done));
}

void SealingStores::Messages::redrive(const RedriveRequest& request, Callback<RedriveResult> done) {
    owner_.inner_.messages.redrive(request, std::move(done));
}

std::unique_ptr<PubSubListener> SealingStores::Messages::watch(const QueueRef& queue,
                                                               std::function<void()> onWake) {
    return owner_.inner_.messages.watch(queue, std::move(onWake));
}

void SealingStores::Messages::pop(const QueueRef& queue, int64_t count,
                                  Callback<std::vector<Message>> done) {
    owner_.inner_.messages.pop(
        queue, count,
        revealing<std::vector<Message>>(
            &owner_, queue, std::move(done),
            [](std::vector<Message>& popped) -> std::vector<Message>& { return popped; },
            &SealingStores::reveal));
}

void SealingStores::Claims::create(const ClaimRequest& request, Callback<ClaimResult> done) {
    owner_.inner_.claims.create(
        request, revealing<ClaimResult>(
                     &owner_, request.queue, std::move(done),
                     [](ClaimResult& claim) -> std::vector<Message>& { return claim.messages; },
                     &SealingStores::reveal));
}

void SealingStores::Claims::get(const QueueRef& queue, const std::string& claimId,
                                Callback<ClaimInfo> done) {
    owner_.inner_.claims.get(
        queue, claimId,
        revealing<ClaimInfo>(
            &owner_, queue, std::move(done),
            [](ClaimInfo& info) -> std::vector<Message>& { return info.messages; },
            &SealingStores::reveal));
}

void SealingStores::Claims::renew(const QueueRef& queue, const std::string& claimId, int64_t ttl,
                                  int64_t grace, Callback<Unit> done) {
    owner_.inner_.claims.renew(queue, claimId, ttl, grace, std::move(done));
}

void SealingStores::Claims::release(const QueueRef& queue, const std::string& claimId,
                                    Callback<Unit> done) {
    owner_.inner_.claims.release(queue, claimId, std::move(done));
}

}  // namespace zaqard::storage
