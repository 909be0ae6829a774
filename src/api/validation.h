// Zaqar's input rules (zaqar/transport/validation.py, rest-v2.md §1.3 and §2): header
// identity checks, queue names, and the exact range texts. Range checks answer the
// description of the "Invalid API request" error, or nullopt when the value is fine.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "src/api/errors.h"
#include "src/api/request.h"
#include "src/config/config.h"

namespace zaqard::api {

using Limits = config::TransportLimits;
using Description = std::optional<std::string>;

// Fixed minimums of Zaqar (not configurable).
inline constexpr int64_t kMinMessageTtl = 60;
inline constexpr int64_t kMinClaimTtl = 60;
inline constexpr int64_t kMinClaimGrace = 60;
inline constexpr int64_t kMinDelay = 0;
inline constexpr size_t kMaxQueueNameLength = 64;
inline constexpr size_t kMaxProjectIdLength = 256;

// `^[a-zA-Z0-9_\-.]+$`, 1..64 characters.
bool isValidQueueName(std::string_view name);

// Beyond Zaqar: a message's FIFO "group", the queue-name charset, 1..128 characters.
inline constexpr size_t kMaxMessageGroupLength = 128;
bool isValidMessageGroup(std::string_view group);
inline constexpr const char* kMessageGroupText =
    "The \"group\" of a message must be a string of 1 to 128 characters: letters, digits, "
    "\"_\", \"-\" and \".\".";

// Client-ID (§1.3), in the configured mode; `normalized` receives the id to store and
// compare (canonical UUID when it parses as one, else the raw text in "off" mode).
Rejection checkClientId(const Headers& headers, const Limits& limits, std::string& normalized);
// X-Project-ID present and non-empty.
Rejection checkProjectId(const Headers& headers, std::string& project);
// Queue name and project length, only for routes with a queue in the path.
Rejection checkQueueIdentification(const std::string& queue, const std::string& project);
// The same for routes with a topic in the path (rest-v2.md §1.2 step 7).
Rejection checkTopicIdentification(const std::string& topic, const std::string& project);

Description queueListLimit(int64_t limit, const Limits& limits);
Description messageListLimit(int64_t limit, const Limits& limits);  // also ids on GET
Description claimLimit(int64_t limit, const Limits& limits);
// Long polling (beyond Zaqar): `wait` seconds, 0 to [zaqard] max_wait_seconds.
Description waitSeconds(int64_t wait, int64_t maxWait);
Description popLimit(int64_t pop, const Limits& limits);
Description deleteIdsCount(size_t count, const Limits& limits);
Description messageTtl(int64_t ttl, const Limits& limits);
Description messageDelayText(const Limits& limits);
Description claimTtl(int64_t ttl, const Limits& limits);
Description claimGrace(int64_t grace, const Limits& limits);
Description messagePostSize(size_t size, const Limits& limits);
// The post-size text when the queue's _max_messages_post_size is the tighter limit.
std::string messagePostSizeForQueue(int64_t queueLimit, const Limits& limits);
Description queueMetadataSize(size_t size, const Limits& limits);

// How many code points a UTF-8 string has (Python's len()).
size_t codePointCount(std::string_view text);

}  // namespace zaqard::api
