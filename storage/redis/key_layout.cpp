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

namespace {
// Marks the name part of a topic tag; ':' never survives escapeKeyPart.
constexpr std::string_view kTopicMarker = "t:";
}  // namespace

std::string queueTag(const QueueRef& queue) {
    std::string tag = escapeKeyPart(queue.project) + "/";
    if (queue.kind == ResourceKind::Topic) tag += kTopicMarker;
    return tag + escapeKeyPart(queue.name);
}

bool isTopicTag(std::string_view tag) {
    auto slash = tag.find('/');
    return slash != std::string_view::npos && tag.substr(slash + 1).starts_with(kTopicMarker);
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
std::string messageSetKey(std::string_view tag) {
    return tagged("z:all:", tag);
}
std::string outboxKey(std::string_view tag) {
    return tagged("z:out:", tag);
}
std::string deadLetterDedupKey(std::string_view tag) {
    return tagged("z:dd:", tag);
}
std::string wakeChannel(std::string_view tag) {
    return tagged("z:wake:", tag);
}
std::vector<std::string> groupKeys(std::string_view tag) {
    return {tagged("z:gm:", tag), tagged("z:gh:", tag)};
}

std::string projectIndexKey(const std::string& project, ResourceKind kind) {
    return tagged(kind == ResourceKind::Topic ? "z:topics:" : "z:queues:", escapeKeyPart(project));
}

std::string projectIndexKeyOfTag(std::string_view tag) {
    return tagged(isTopicTag(tag) ? "z:topics:" : "z:queues:", tag.substr(0, tag.find('/')));
}

std::string queueNameOfTag(std::string_view tag) {
    // Queue and topic names are [A-Za-z0-9_.-], which escaping leaves untouched.
    auto slash = tag.find('/');
    if (slash == std::string_view::npos) return std::string();
    std::string_view name = tag.substr(slash + 1);
    if (isTopicTag(tag)) name.remove_prefix(kTopicMarker.size());
    return std::string(name);
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
