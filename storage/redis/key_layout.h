// Redis key names, laid out for Redis Cluster: every key one command or script touches
// hashes to ONE slot (storage/redis/README.md has the table and the cross-slot steps).
//
//   Per queue (hash tag {T}, T = <escaped project>/<escaped queue>, so a queue lives in
//   one slot and each queue script touches that slot only). A topic has the same keys
//   under T = <escaped project>/t:<escaped topic>: escaping turns every ':' of a name
//   into %3A, so no queue tag starts its name part with "t:" and the namespaces never meet.
//     z:q:{T}   z:e:{T}   z:b:{T}   z:all:{T}  z:av:{T}  z:cl:{T}
//     z:dl:{T}  z:x:{T}   z:k:{T}   z:kx:{T}   z:out:{T}
//     z:dd:{T}  ids of messages dead-lettered into this queue (move dedup)
//     z:w:{T}   long polling: exists while a request waits on the queue (expires)
//     z:gm:{T}  z:gh:{T}  FIFO message groups: waiting messages, group heads (the
//               scripts derive them from z:q:{T}; see _lib.lua)
//   Per project (hash tag {<escaped project>}):
//     z:queues:{P}   ZSET of queue names (score 0: lexicographic listing)
//     z:topics:{P}   ZSET of topic names (the same, for topics)
//   Global, split into kRegistryBuckets keys with the hash tags {0}..{15} so that they
//   spread over the masters of a cluster:
//     z:registry:{N}   SET of queue tags T whose bucket is N (walked by the sweeper and
//                      the health report)
//     z:registry       the single SET of zaqard before the buckets (read and drained)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/redis/client/key_slot.h"
#include "storage/types.h"

namespace zaqard::storage::redis {

// Percent-encodes every byte outside [A-Za-z0-9_.-].
std::string escapeKeyPart(std::string_view text);

// "<escaped project>/<escaped queue>" (a topic: "<escaped project>/t:<escaped topic>"):
// the hash-tag content of a queue's (topic's) keys.
std::string queueTag(const QueueRef& queue);
// Whether a tag names a topic.
bool isTopicTag(std::string_view tag);
// The tag of another queue of the same project (dead-letter queues).
std::string siblingTag(std::string_view tag, std::string_view queueName);

// The 11 keys every queue script receives, in the order _lib.lua expects.
std::vector<std::string> queueKeys(std::string_view tag);
std::string queueHashKey(std::string_view tag);
// z:cl:{T} (claimed messages by claim expiry), z:x:{T} (messages outside the in-order
// run, by expiry) and z:all:{T} (every message by rank).
std::string claimedSetKey(std::string_view tag);
std::string expirySetKey(std::string_view tag);
std::string messageSetKey(std::string_view tag);
std::string outboxKey(std::string_view tag);
// The dead-letter dedup set of a queue (KEYS[12] of dead_letter_post.lua).
std::string deadLetterDedupKey(std::string_view tag);
// z:wake:{T}: the pub/sub channel on which posts wake the queue's long-polling requests
// (a channel, not a key; _lib.lua wake_waiters).
std::string wakeChannel(std::string_view tag);
// The FIFO group keys of a queue (z:gm:{T}, z:gh:{T}): removed with its messages.
std::vector<std::string> groupKeys(std::string_view tag);

// z:queues:{P} (z:topics:{P} for topics).
std::string projectIndexKey(const std::string& project, ResourceKind kind = ResourceKind::Queue);
// Same, from a queue (topic) tag (its escaped project part and its kind).
std::string projectIndexKeyOfTag(std::string_view tag);
// The queue (topic) name of a tag, without the topic marker.
std::string queueNameOfTag(std::string_view tag);

// keySlot() (the hash slot the cluster client routes by) is in client/key_slot.h.

// Global registries are split into this many buckets. Part of the layout: changing it
// moves every tag to another bucket (a reader would have to read both counts).
inline constexpr int kRegistryBuckets = 16;
// The bucket of a queue tag (the same for the sweeper's and the notifiers' registry).
int registryBucket(std::string_view tag);
// z:registry:{N}: the sweeper's registry bucket N.
std::string registryBucketKey(int bucket);
std::string registryKeyOfTag(std::string_view tag);
// z:registry: the single registry written by zaqard before the buckets.
const std::string& legacyRegistryKey();

}  // namespace zaqard::storage::redis
