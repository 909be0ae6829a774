// The start-up check of [transport] message_encryption_key against the Redis it stores in
// (docs/security.md "Encryption at rest"): the first process to start records the key's
// check value (MessageCipher::keyCheckValue) under kKeyCheckName; a later process with
// another key is refused before it serves anything, instead of answering 500s for every
// body the old key sealed.
#pragma once

#include <chrono>
#include <string>

#include "src/config/config.h"

namespace zaqard::storage::redis {

inline constexpr const char* kKeyCheckName = "zaqard:message_encryption_key_check";

enum class KeyCheck {
    Recorded,     // none was stored: ours is now
    Matches,      // the stored value is ours
    Mismatch,     // another key's value is stored
    Unreachable,  // Redis did not answer within the time given: not checked
};

// Blocks the calling thread (start-up only, before any shard runs) for at most `wait`.
// Without `record` the stored value is only compared (Matches also when none is stored).
KeyCheck checkKey(const config::RedisUri& uri, const std::string& checkValue, bool record,
                  std::chrono::milliseconds wait, std::string& detail);

}  // namespace zaqard::storage::redis
