// Per-shard cache of token validations (keystonemiddleware caches in memory too). Keys
// are SHA-256 digests of the tokens, so the cache never holds a usable token. Bounded:
// past `capacity` entries the oldest goes. A valid token is trusted until
// min(its expires_at, cached-at + token_cache_time); an invalid one is remembered for
// token_cache_time (a token id never becomes valid later) so floods of bad tokens do not
// reach Keystone. Unavailable outcomes are never cached.
#pragma once

#include <list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "src/auth/token_validator.h"

namespace zaqard::auth {

class TokenCache {
  public:
    TokenCache(size_t capacity, double cacheSeconds) : capacity_(capacity), ttl_(cacheSeconds) {}

    static std::string keyOf(const std::string& token);

    // The cached outcome, or nullopt (absent or expired). `now` in epoch seconds.
    std::optional<Validation> find(const std::string& key, double now);
    void store(const std::string& key, const Validation& validation, double now);
    size_t size() const { return entries_.size(); }

  private:
    struct Entry {
        Validation validation;
        double until = 0;
        std::list<std::string>::iterator age;
    };
    void erase(const std::string& key);

    size_t capacity_;
    double ttl_;
    std::unordered_map<std::string, Entry> entries_;
    std::list<std::string> order_;  // oldest first
};

}  // namespace zaqard::auth
