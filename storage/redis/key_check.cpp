// checkKey; see key_check.h.
#include "storage/redis/key_check.h"

#include <optional>

#include "src/event/dispatcher.h"
#include "storage/redis/client/client_factory.h"

namespace zaqard::storage::redis {

namespace {
// Between attempts while the client is still connecting (it fails calls fast meanwhile).
constexpr std::chrono::milliseconds kRetry{100};
}  // namespace

KeyCheck checkKey(const config::RedisUri& uri, const std::string& checkValue, bool record,
                  std::chrono::milliseconds wait, std::string& detail) {
    event::Dispatcher dispatcher;
    auto client = makeClient(dispatcher, uri, ClientOptions{wait, "message"}, detail);
    if (!client) return KeyCheck::Unreachable;
    std::optional<KeyCheck> outcome;
    auto deadline = dispatcher.createTimer([&] {
        detail = "Redis did not answer in time";
        outcome = KeyCheck::Unreachable;
        dispatcher.exit();
    });
    event::TimerPtr retry;
    std::function<void()> attempt = [&] {
        // SET NX and GET in one pipeline: whoever is first records its value, everyone
        // compares with what is stored.
        std::vector<Command> commands;
        if (record) commands.push_back(Command{"SET", kKeyCheckName, checkValue, "NX"});
        commands.push_back(Command{"GET", kKeyCheckName});
        client->pipeline(std::move(commands), [&](Result<std::vector<RedisValue>> replies) {
            if (outcome) return;
            if (!replies.ok() || replies.value().size() != (record ? 2u : 1u) ||
                replies.value().back().isError()) {
                detail = replies.ok() ? "unexpected reply" : replies.error().message;
                return retry->enable(kRetry);
            }
            const auto& stored = replies.value().back();
            if (stored.isNil())
                outcome = KeyCheck::Matches;  // not recording: nothing stored
            else if (stored.asString() != checkValue)
                outcome = KeyCheck::Mismatch;
            else
                outcome =
                    !record || replies.value()[0].isNil() ? KeyCheck::Matches : KeyCheck::Recorded;
            dispatcher.exit();
        });
    };
    retry = dispatcher.createTimer([&] { attempt(); });
    client->start();
    deadline->enable(wait);
    retry->enable(std::chrono::milliseconds(0));
    dispatcher.run();
    client->stop();
    return outcome.value_or(KeyCheck::Unreachable);
}

}  // namespace zaqard::storage::redis
