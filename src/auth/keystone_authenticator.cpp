#include "src/auth/keystone_authenticator.h"

#include "src/common/clock.h"

namespace zaqard::auth {

KeystoneAuthenticator::KeystoneAuthenticator(event::Dispatcher& dispatcher,
                                             const config::KeystoneAuthOptions& options)
    : cache_(static_cast<size_t>(options.token_cache_size), options.token_cache_time),
      client_(dispatcher, options) {}

KeystoneAuthenticator::~KeystoneAuthenticator() = default;

void KeystoneAuthenticator::validate(const std::string& token, Done done) {
    if (token.empty()) return done(Validation{Verdict::Invalid, nullptr});
    std::string key = TokenCache::keyOf(token);
    if (auto cached = cache_.find(key, nowSeconds())) return done(*cached);
    auto& waiting = inFlight_[key];
    waiting.push_back(std::move(done));
    if (waiting.size() > 1) return;  // the first asker's request answers everyone
    client_.validate(token, [this, key](const Validation& validation) { finish(key, validation); });
}

void KeystoneAuthenticator::finish(const std::string& key, const Validation& validation) {
    cache_.store(key, validation, nowSeconds());
    auto it = inFlight_.find(key);
    if (it == inFlight_.end()) return;
    std::vector<Done> waiting = std::move(it->second);
    inFlight_.erase(it);
    for (auto& done : waiting) done(validation);
}

}  // namespace zaqard::auth
