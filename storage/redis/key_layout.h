// Redis key names. Every key of one queue carries the hash tag {<project>/<queue>}
// (project percent-encoded so it holds no '{', '}' or '/'), so a queue lives in one
// cluster slot and each script touches one slot only. Per-project data lives under the
// tag {<project>}; the sweeper's registry is one global key.
//
//   z:q:{T}   z:e:{T}   z:b:{T}   z:all:{T}  z:av:{T}  z:cl:{T}
//   z:dl:{T}  z:x:{T}   z:k:{T}   z:kx:{T}   z:out:{T}        (T = <project>/<queue>)
//   z:queues:{<project>}  ZSET of queue names (score 0: lexicographic listing)
//   z:registry            SET of every queue tag T (expiry sweeper, health volume)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "storage/types.h"

namespace zaqard::storage::redis {

// Percent-encodes every byte outside [A-Za-z0-9_.-].
std::string escapeKeyPart(std::string_view text);

// "<escaped project>/<escaped queue>": the hash-tag content of a queue's keys.
std::string queueTag(const QueueRef& queue);
// The tag of another queue of the same project (dead-letter queues).
std::string siblingTag(std::string_view tag, std::string_view queueName);

// The 11 keys every queue script receives, in the order _lib.lua expects.
std::vector<std::string> queueKeys(std::string_view tag);
std::string queueHashKey(std::string_view tag);
// z:cl:{T} (claimed messages by claim expiry) and z:x:{T} (every message by expiry).
std::string claimedSetKey(std::string_view tag);
std::string expirySetKey(std::string_view tag);
std::string outboxKey(std::string_view tag);

std::string projectIndexKey(const std::string& project);
// Same, from a queue tag (its escaped project part).
std::string projectIndexKeyOfTag(std::string_view tag);
std::string queueNameOfTag(std::string_view tag);
const std::string& registryKey();

}  // namespace zaqard::storage::redis
