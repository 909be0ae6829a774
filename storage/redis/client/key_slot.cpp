// keySlot(): see key_slot.h. On the cluster client's hot path (every command), so the
// CRC is table-driven.
#include "storage/redis/client/key_slot.h"

#include <array>
#include <cstdint>

namespace zaqard::storage::redis {

namespace {

constexpr std::array<uint16_t, 256> makeTable() {
    std::array<uint16_t, 256> table{};
    for (int byte = 0; byte < 256; ++byte) {
        auto crc = static_cast<uint16_t>(byte << 8);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021)
                                 : static_cast<uint16_t>(crc << 1);
        table[byte] = crc;
    }
    return table;
}

constexpr std::array<uint16_t, 256> kTable = makeTable();

}  // namespace

int keySlot(std::string_view key) {
    // Only the part between the first '{' and the next '}' counts, when not empty.
    auto open = key.find('{');
    if (open != std::string_view::npos) {
        auto close = key.find('}', open + 1);
        if (close != std::string_view::npos && close > open + 1)
            key = key.substr(open + 1, close - open - 1);
    }
    uint16_t crc = 0;
    for (unsigned char c : key)
        crc = static_cast<uint16_t>((crc << 8) ^ kTable[((crc >> 8) ^ c) & 0xff]);
    return crc & (kClusterSlots - 1);
}

}  // namespace zaqard::storage::redis
