// The Redis Cluster hash slot of a key, as the cluster specification defines it: CRC16
// (XMODEM: polynomial 0x1021, initial value 0) of the key, or of the content of its first
// `{...}` when that is not empty, modulo 16384. The cluster client routes every command by
// it; the key layout buckets its registries by it.
#pragma once

#include <string_view>

namespace zaqard::storage::redis {

inline constexpr int kClusterSlots = 16384;

int keySlot(std::string_view key);

}  // namespace zaqard::storage::redis
