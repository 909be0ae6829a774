#include "src/auth/token_cache.h"

#include <openssl/sha.h>

#include <algorithm>

#include "src/metrics/record.h"

namespace zaqard::auth {

std::string TokenCache::keyOf(const std::string& token) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest);
    return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

std::optional<Validation> TokenCache::find(const std::string& key, double now) {
    auto it = entries_.find(key);
    if (it == entries_.end()) {
        metrics::tokenCacheLookup(false);
        return std::nullopt;
    }
    if (it->second.until <= now) {
        erase(key);
        metrics::tokenCacheLookup(false);
        return std::nullopt;
    }
    metrics::tokenCacheLookup(true);
    return it->second.validation;
}

void TokenCache::store(const std::string& key, const Validation& validation, double now) {
    if (capacity_ == 0 || ttl_ <= 0 || validation.verdict == Verdict::Unavailable) return;
    double until = now + ttl_;
    if (validation.verdict == Verdict::Valid && validation.identity)
        until = std::min(until, validation.identity->expiresAt);
    if (until <= now) return;
    erase(key);
    while (entries_.size() >= capacity_) erase(order_.front());
    order_.push_back(key);
    entries_[key] = Entry{validation, until, std::prev(order_.end())};
}

void TokenCache::erase(const std::string& key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return;
    order_.erase(it->second.age);
    entries_.erase(it);
}

}  // namespace zaqard::auth
