// Keys of subscriptions and notification delivery. They share the queue's hash tag
// {T} (see key_layout.h), so each script still touches one cluster slot:
//
//   z:s:{T}   HASH subscription id -> record JSON     z:su:{T} HASH subscriber -> id
//   z:sx:{T}  ZSET subscription id by expiry ms       z:n:{T}  STREAM delivery jobs
//   z:nr:{T}  ZSET retry record id by due ms          z:nj:{T} HASH record id -> record
//   z:nh:{T}  ZSET held deliveries by expiry ms       z:nd:{T} STREAM dead letters
//   z:nreg:{N} SET of tags with subscriptions (the notifiers' registry), split into
//              the buckets of key_layout.h (registryBucket) so it spreads over masters
//   z:nreg    the single registry of zaqard before the buckets (read and drained)
//
// post.lua derives z:s:{T} and z:n:{T} from its queue hash key instead of receiving
// them, so the message scripts' key list stays as it is.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "storage/types.h"

namespace zaqard::storage::redis {

// The 11 queue keys followed by the 8 keys above (s, su, sx, n, nr, nj, nh, nd).
std::vector<std::string> subscriptionKeys(std::string_view tag);
std::string deadLetterStreamKey(std::string_view tag);
std::string notificationRegistryBucketKey(int bucket);
// The bucket holding `tag`.
std::string notificationRegistryKey(std::string_view tag);
const std::string& legacyNotificationRegistryKey();
// The queue a tag names (inverse of queueTag()).
QueueRef queueOfTag(std::string_view tag);

}  // namespace zaqard::storage::redis
