// runServer: the process. Builds and binds every shard on the main thread, starts their
// threads, then the main thread only waits for signals; a stop drains every shard
// (bounded) and joins them.
#include "src/runtime/server.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <tuple>
#include <vector>

#include "src/common/log.h"
#include "src/common/message_cipher.h"
#include "src/config/keystone_options.h"
#include "src/event/dispatcher.h"
#include "src/event/listen_socket.h"
#include "src/runtime/service_notify.h"
#include "src/runtime/shard.h"
#include "src/runtime/signals.h"
#include "src/tls/server_tls.h"
#include "storage/redis/client/client_factory.h"
#include "storage/redis/key_check.h"

namespace zaqard::runtime {

namespace {

constexpr std::chrono::milliseconds kDrainTimeout{10000};

// Where Redis is, for the start-up line (never the password).
std::string describeRedis(const config::RedisUri& uri) {
    std::string text;
    if (!uri.sentinels.empty()) {
        text = "sentinel master '" + uri.masterName + "' via ";
        for (size_t i = 0; i < uri.sentinels.size(); ++i)
            text += (i ? "," : "") + uri.sentinels[i].first + ":" +
                    std::to_string(uri.sentinels[i].second);
    } else if (uri.cluster) {
        text = "cluster via ";
        for (size_t i = 0; i < uri.clusterNodes.size(); ++i)
            text += (i ? "," : "") + uri.clusterNodes[i].first + ":" +
                    std::to_string(uri.clusterNodes[i].second);
    } else if (!uri.socketPath.empty()) {
        text = "redis:" + uri.socketPath;
    } else {
        bool v6 = uri.host.find(':') != std::string::npos;
        text = (uri.tls ? "rediss://" : "redis://") + (v6 ? "[" + uri.host + "]" : uri.host) + ":" +
               std::to_string(uri.port);
    }
    if (uri.db) text += " db " + std::to_string(uri.db);
    if (uri.tls && (uri.cluster || !uri.sentinels.empty())) text += " over TLS";
    return text;
}

// [transport] message_encryption_key against the check value stored in Redis
// (docs/security.md): false when another key sealed what is there. Only an explicitly set
// key is recorded, so moving off Zaqar's public default is never refused.
bool checkEncryptionKey(const config::Config& config, const config::RedisUri& uri,
                        const std::string& optionName) {
    MessageCipher cipher(config.message_encryption_key);
    std::string detail;
    auto outcome =
        storage::redis::checkKey(uri, cipher.keyCheckValue(), config.message_encryption_key_set,
                                 std::chrono::milliseconds(2000), detail);
    switch (outcome) {
        case storage::redis::KeyCheck::Mismatch:
            log::error(
                "[transport] message_encryption_key does not match the key whose check value "
                "is stored in " +
                optionName + " (Redis key " + storage::redis::kKeyCheckName +
                "): messages of encrypted queues were sealed under another key. Start with "
                "that key; if no message sealed under it remains, delete that Redis key.");
            return false;
        case storage::redis::KeyCheck::Unreachable:
            log::warning("message_encryption_key not checked against " + optionName + ": " +
                         detail);
            return true;
        case storage::redis::KeyCheck::Recorded:
            log::info("message_encryption_key (" + config.message_encryption_algorithms +
                      ": AES-256-GCM) check value recorded in " + optionName);
            return true;
        case storage::redis::KeyCheck::Matches:
            return true;
    }
    return true;
}

int shardCount(const config::Config& config) {
    if (config.shards > 0) return config.shards;
    unsigned cores = std::thread::hardware_concurrency();
    return cores ? static_cast<int>(cores) : 1;
}

}  // namespace

int runServer(const config::Config& configIn, std::shared_ptr<const api::policy::Policy> policy) {
    blockSignals();
    if (std::string error; !config::checkKeystoneOptions(configIn, error)) {
        log::error(error);
        return 1;
    }
    // (Without pooling the management store's URI names the same Redis: config_loader
    // checks that.)
    if (std::string error; !storage::redis::clientSupports(configIn.message_store_redis, error)) {
        log::error("[drivers:message_store:redis] uri: " + error);
        return 1;
    }
    if (std::string error; configIn.pooling && !storage::redis::clientSupports(
                                                   configIn.management_store_redis, error)) {
        log::error("[drivers:management_store:redis] uri: " + error);
        return 1;
    }

    // [trustee] is used only to make Keystone trusts (auth_strategy = keystone).
    const auto& trustee = configIn.trustee_options;
    if (!trustee.auth_url.empty() || !trustee.username.empty()) {
        if (configIn.auth_strategy != "keystone") {
            log::error(
                "[trustee]: trusts for trust+ subscriptions need [DEFAULT] auth_strategy = "
                "keystone (without Keystone there is no trustor to delegate)");
            return 1;
        }
        if (trustee.auth_url.empty() || trustee.username.empty()) {
            log::error("[trustee]: auth_url and username are both needed");
            return 1;
        }
    }
    if (!checkEncryptionKey(configIn, configIn.message_store_redis,
                            "[drivers:message_store:redis] uri") ||
        (configIn.pooling && !checkEncryptionKey(configIn, configIn.management_store_redis,
                                                 "[drivers:management_store:redis] uri")))
        return 1;
    if (!configIn.message_encryption_key_set)
        log::info(
            "[transport] message_encryption_key is Zaqar's public default: set it before "
            "queues use _enable_encrypt_messages");
    std::shared_ptr<tls::ServerTls> tls;
    if (configIn.tlsEnabled()) {
        std::string error;
        tls = tls::ServerTls::create(configIn, error);
        if (!tls) {
            log::error(error);
            return 1;
        }
    }

    // Port 0 means "any free port": every shard must get the same one, so reserve it
    // first with a bound (not listening) SO_REUSEPORT socket.
    config::Config config = configIn;
    UniqueFd reservation;
    if (config.port == 0) {
        std::string error;
        reservation = event::openListener(config.bind, 0, false, error);
        if (!reservation) {
            log::error(error);
            return 1;
        }
        config.port = event::localPort(reservation.get());
    }
    UniqueFd websocketReservation;
    if (config.websocket_port == 0) {
        std::string error;
        websocketReservation = event::openListener(config.websocket_bind, 0, false, error);
        if (!websocketReservation) {
            log::error(error);
            return 1;
        }
        config.websocket_port = event::localPort(websocketReservation.get());
    }

    UniqueFd sslReservation;
    UniqueFd sslWebsocketReservation;
    for (auto [port, bind, held] : {std::tuple{&config.ssl_port, &config.bind, &sslReservation},
                                    std::tuple{&config.ssl_websocket_port, &config.websocket_bind,
                                               &sslWebsocketReservation}}) {
        if (!tls || *port != 0) continue;
        std::string error;
        *held = event::openListener(*bind, 0, false, error);
        if (!*held) {
            log::error(error);
            return 1;
        }
        *port = event::localPort(held->get());
    }

    const int count = shardCount(config);
    std::vector<std::unique_ptr<Shard>> shards;
    for (int i = 0; i < count; ++i) {
        shards.push_back(std::make_unique<Shard>(config, i, policy, tls));
        std::string error;
        if (!shards.back()->listen(error)) {
            log::error(error);
            return 1;
        }
    }
    reservation = UniqueFd();
    websocketReservation = UniqueFd();
    sslReservation = UniqueFd();
    sslWebsocketReservation = UniqueFd();
    std::string tlsListeners;
    if (tls && config.ssl_port >= 0)
        tlsListeners += ", https://" + config.bind + ":" + std::to_string(config.ssl_port);
    if (tls && config.ssl_websocket_port >= 0)
        tlsListeners +=
            ", wss://" + config.websocket_bind + ":" + std::to_string(config.ssl_websocket_port);
    if (tls)
        tlsListeners += std::string(" (TLS") +
                        (config.ssl_ca_file.empty() ? "" : ", client certificates required") + ")";

    const std::string listening =
        "listening on http://" + config.bind + ":" + std::to_string(config.port) +
        " (REST) and ws://" + config.websocket_bind + ":" + std::to_string(config.websocket_port) +
        " (WebSocket)" + tlsListeners + ", Redis " + describeRedis(config.message_store_redis) +
        ", " + std::to_string(count) + (count == 1 ? " shard" : " shards");
    log::info(
        "zaqard " + listening +
        (config.sourceFile.empty() ? ", built-in defaults" : ", config " + config.sourceFile));

    event::Dispatcher main;
    std::atomic<int> running{count};
    // Shards whose Redis has not answered yet: the last one to answer makes the process
    // ready (sd_notify READY=1, from the main thread). A stop before that sends no READY.
    std::atomic<int> unanswered{count};
    bool stopping = false;
    for (auto& shard : shards) {
        shard->start(
            [&main, &running] {
                if (--running == 0) main.exit();
            },
            [&main, &unanswered, &stopping, &listening] {
                if (--unanswered != 0) return;
                main.post([&stopping, &listening] {
                    if (stopping) return;
                    log::info("zaqard ready: Redis answered on every shard");
                    notifyReady(listening);
                });
            });
    }

    SignalWatcher signals(
        main,
        [&] {
            if (stopping) log::warning("second stop signal: not waiting for requests in flight");
            if (!stopping) notifyStopping();
            stopping = true;
            for (auto& shard : shards) shard->stop(kDrainTimeout);
        },
        [&tls] {
            log::reopen();
            if (!tls) return;
            // New handshakes get the new certificate; open connections keep theirs.
            if (std::string error; !tls->reload(error))
                log::error("SIGHUP: TLS certificate not reloaded, keeping the current one: " +
                           error);
            else
                log::info("SIGHUP: TLS certificate and key reloaded");
        });
    if (!signals.ok()) {
        log::error("cannot watch signals");
        for (auto& shard : shards) shard->stop(std::chrono::milliseconds(0));
    }

    main.run();
    for (auto& shard : shards) shard->join();
    shards.clear();
    log::info("zaqard stopped");
    return 0;
}

}  // namespace zaqard::runtime
