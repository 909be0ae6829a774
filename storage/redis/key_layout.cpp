// Key naming; see key_layout.h for the layout.
#include "storage/redis/key_layout.h"

namespace zaqard::storage::redis {

namespace {

const char* const kQueueKeyPrefixes[] = {
    "z:q:", "z:e:", "z:b:", "z:all:", "z:av:", "z:cl:", "z:dl:", "z:x:", "z:k:", "z:kx:", "z:out:"};

std::string tagged(const char* prefix, std::string_view tag) {
    std::string key(prefix);
    key.push_back('{');
    key.append(tag);
    key.push_back('}');
    return key;
}

}  // namespace

std::string escapeKeyPart(std::string_view text) {
    static const char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '_' || c == '.' || c == '-';
        if (plain) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xf]);
        }
    }
    return out;
}

std::string queueTag(const QueueRef& queue) {
    return escapeKeyPart(queue.project) + "/" + escapeKeyPart(queue.name);
}

std::string siblingTag(std::string_view tag, std::string_view queueName) {
    auto slash = tag.find('/');
    return std::string(tag.substr(0, slash)) + "/" + escapeKeyPart(queueName);
}

std::vector<std::string> queueKeys(std::string_view tag) {
    std::vector<std::string> keys;
    keys.reserve(std::size(kQueueKeyPrefixes));
    for (const char* prefix : kQueueKeyPrefixes) keys.push_back(tagged(prefix, tag));
    return keys;
}

std::string queueHashKey(std::string_view tag) {
    return tagged("z:q:", tag);
}
std::string claimedSetKey(std::string_view tag) {
    return tagged("z:cl:", tag);
}
std::string expirySetKey(std::string_view tag) {
    return tagged("z:x:", tag);
}
std::string outboxKey(std::string_view tag) {
    return tagged("z:out:", tag);
}
std::string deadLetterDedupKey(std::string_view tag) {
    return tagged("z:dd:", tag);
}

std::string projectIndexKey(const std::string& project) {
    return tagged("z:queues:", escapeKeyPart(project));
}

std::string projectIndexKeyOfTag(std::string_view tag) {
    return tagged("z:queues:", tag.substr(0, tag.find('/')));
}

std::string queueNameOfTag(std::string_view tag) {
    // Queue names are [A-Za-z0-9_.-], which escaping leaves untouched.
    auto slash = tag.find('/');
    return slash == std::string_view::npos ? std::string() : std::string(tag.substr(slash + 1));
}

int keySlot(std::string_view key) {
    // Only the part between the first '{' and the next '}' counts, when not empty.
    auto open = key.find('{');
    if (open != std::string_view::npos) {
        auto close = key.find('}', open + 1);
        if (close != std::string_view::npos && close > open + 1)
            key = key.substr(open + 1, close - open - 1);
    }
    // CRC16/XMODEM (polynomial 0x1021, initial value 0), bit by bit: keys are short
    // and this is not on a hot path.
    uint16_t crc = 0;
    for (unsigned char c : key) {
        crc ^= static_cast<uint16_t>(c << 8);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021)
                                 : static_cast<uint16_t>(crc << 1);
    }
    return crc & 16383;
}

int registryBucket(std::string_view tag) {
    return keySlot("{" + std::string(tag) + "}") % kRegistryBuckets;
}

std::string registryBucketKey(int bucket) {
    return tagged("z:registry:", std::to_string(bucket));
}

std::string registryKeyOfTag(std::string_view tag) {
    return registryBucketKey(registryBucket(tag));
}

const std::string& legacyRegistryKey() {
    static const std::string key = "z:registry";
    return key;
}

}  // namespace zaqard::storage::redis
