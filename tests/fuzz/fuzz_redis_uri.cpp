// Redis URIs ([drivers:message_store:redis] uri, pool URIs): parseRedisUri
// (src/config/redis_uri.cpp), then the storage side as start-up and pool creation use a
// parsed URI: clientSupports and makeClient (storage/redis/client/client_factory), whose
// client is built but never started (no connection is attempted).
#include <cstddef>
#include <cstdint>
#include <string>

#include "src/config/config_loader.h"
#include "src/event/dispatcher.h"
#include "storage/redis/client/client_factory.h"

using namespace zaqard;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    config::RedisUri uri;
    std::string error;
    if (!config::parseRedisUri(text, uri, error)) {
        if (error.empty()) __builtin_trap();  // every refusal says why
        return 0;
    }
    if (!storage::redis::clientSupports(uri, error)) return 0;
    static auto* dispatcher = new zaqard::event::Dispatcher();
    storage::redis::ClientOptions options;
    options.metricsStore = "";
    auto client = storage::redis::makeClient(*dispatcher, uri, options, error);
    if (!client) __builtin_trap();  // clientSupports said yes
    return 0;
}
