// Subscription and notification key names; see notification_keys.h.
#include "storage/redis/notification_keys.h"

#include "storage/redis/key_layout.h"

namespace zaqard::storage::redis {

namespace {

std::string tagged(const char* prefix, std::string_view tag) {
    std::string key(prefix);
    key.push_back('{');
    key.append(tag);
    key.push_back('}');
    return key;
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::string unescape(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            int hi = hexValue(text[i + 1]);
            int lo = hexValue(text[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(text[i]);
    }
    return out;
}

}  // namespace

std::vector<std::string> subscriptionKeys(std::string_view tag) {
    std::vector<std::string> keys = queueKeys(tag);
    for (const char* prefix :
         {"z:s:", "z:su:", "z:sx:", "z:n:", "z:nr:", "z:nj:", "z:nh:", "z:nd:"})
        keys.push_back(tagged(prefix, tag));
    return keys;
}

std::string deadLetterStreamKey(std::string_view tag) {
    return tagged("z:nd:", tag);
}

std::string notificationRegistryBucketKey(int bucket) {
    return tagged("z:nreg:", std::to_string(bucket));
}

std::string notificationRegistryKey(std::string_view tag) {
    return notificationRegistryBucketKey(registryBucket(tag));
}

const std::string& legacyNotificationRegistryKey() {
    static const std::string key = "z:nreg";
    return key;
}

QueueRef queueOfTag(std::string_view tag) {
    auto slash = tag.find('/');
    if (slash == std::string_view::npos) return {unescape(tag), ""};
    if (isTopicTag(tag))
        return {unescape(tag.substr(0, slash)), queueNameOfTag(tag), ResourceKind::Topic};
    return {unescape(tag.substr(0, slash)), unescape(tag.substr(slash + 1))};
}

}  // namespace zaqard::storage::redis
