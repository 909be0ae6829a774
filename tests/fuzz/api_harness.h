// Shared by the harnesses that drive Api::handle: the real api on a real RedisDriver that
// is never started, so every request that passes validation and reaches storage is
// answered 503 (the driver's "redis: not connected") without any Redis, mock or network.
// The dispatcher's loop is turned without blocking until the request is answered, which
// runs the driver's deferred refusals and frees the call.
#pragma once

#include <event2/event.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

#include "src/api/api.h"
#include "src/common/log.h"
#include "src/config/config.h"
#include "src/event/dispatcher.h"
#include "storage/redis/redis_driver.h"

namespace zaqard::fuzz {

class ApiHarness {
  public:
    ApiHarness() {
        // Refused storage calls log a line each: nothing to learn from millions of them.
        log::setup("/dev/null", false);
        config_.admin_mode = true;  // /v2/health and the admin checks are reachable too
        config_.signed_url_secret_key = "fuzz-secret";
        storage::redis::RedisDriverOptions options;
        options.sweep = false;
        options.metricsStore = "";
        driver_ = std::make_unique<storage::redis::RedisDriver>(
            dispatcher_, config_.message_store_redis, options);
        api_ = std::make_unique<api::Api>(config_, driver_->storage());
    }

    // Handles `request` and returns its response; aborts if it is never answered (a hang
    // is a finding too).
    api::Response run(api::Request request) {
        std::optional<api::Response> out;
        api_->handle(std::move(request),
                     [&out](api::Response response) { out.emplace(std::move(response)); });
        for (int turn = 0; turn < 64 && !out; ++turn)
            event_base_loop(dispatcher_.base(), EVLOOP_NONBLOCK);
        if (!out) std::abort();
        // ZAQARD_FUZZ_VERBOSE=1: each input's answer, to see what a corpus reaches.
        static const bool verbose = std::getenv("ZAQARD_FUZZ_VERBOSE") != nullptr;
        if (verbose)
            std::fprintf(stderr, "%d %s\n", out->status,
                         out->body ? out->body.dump().c_str() : out->rawBody.substr(0, 80).c_str());
        return std::move(*out);
    }

    const config::Config& config() const { return config_; }

  private:
    config::Config config_;
    event::Dispatcher dispatcher_;
    std::unique_ptr<storage::redis::RedisDriver> driver_;
    std::unique_ptr<api::Api> api_;
};

// One per process: built on the first input (libFuzzer runs inputs one after another).
inline ApiHarness& apiHarness() {
    static ApiHarness* harness = new ApiHarness();  // never destroyed: no exit-time order issues
    return *harness;
}

}  // namespace zaqard::fuzz
