#include "src/api/validation.h"

#include <algorithm>

#include "src/common/uuid.h"

namespace zaqard::api {

namespace {
bool nameCharacters(std::string_view name) {
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.';
        if (!ok) return false;
    }
    return true;
}
}  // namespace

bool isValidQueueName(std::string_view name) {
    if (name.empty() || name.size() > kMaxQueueNameLength) return false;
    return nameCharacters(name);
}

// The storage scripts rely on the charset: ':' and ';' bound a group's range of waiting
// messages (_lib.lua), and the name goes into JSON unescaped.
bool isValidMessageGroup(std::string_view group) {
    if (group.empty() || group.size() > kMaxMessageGroupLength) return false;
    return nameCharacters(group);
}

size_t codePointCount(std::string_view text) {
    size_t count = 0;
    for (unsigned char c : text)
        if ((c & 0xc0) != 0x80) ++count;
    return count;
}

Rejection checkClientId(const Headers& headers, const Limits& limits, std::string& normalized) {
    auto it = headers.find("Client-ID");
    if (it == headers.end())
        return errorResponse(400, "Missing header value", "The \"Client-ID\" header is required.");
    const std::string& raw = it->second;
    auto uuid = normalizeUuid(raw);
    if (limits.client_id_uuid_safe_strict) {
        if (!uuid) return errorResponse(400, "Wrong UUID value", "Malformed hexadecimal UUID.");
    } else {
        auto length = static_cast<int64_t>(codePointCount(raw));
        if (length < limits.min_length_client_id || length > limits.max_length_client_id) {
            // falcon.HTTPBadRequest(str(ex)) puts the text in the title, without description.
            return errorResponse(400, "Length of client id must be at least " +
                                          std::to_string(limits.min_length_client_id) +
                                          " and no greater than " +
                                          std::to_string(limits.max_length_client_id) + ".");
        }
    }
    normalized = uuid ? *uuid : raw;
    return std::nullopt;
}

Rejection checkProjectId(const Headers& headers, std::string& project) {
    auto it = headers.find("X-Project-ID");
    if (it == headers.end())
        return errorResponse(400, "Project-Id Missing", "The header X-PROJECT-ID was missing");
    if (it->second.empty())
        return errorResponse(400, "Empty project header not allowed",
                             "X-PROJECT-ID cannot be an empty string. Specify the right header "
                             "X-PROJECT-ID and retry.");
    project = it->second;
    return std::nullopt;
}

Rejection checkQueueIdentification(const std::string& queue, const std::string& project) {
    if (codePointCount(project) > kMaxProjectIdLength || !isValidQueueName(queue))
        return errorResponse(400, "Invalid queue identification",
                             "The format of the submitted queue name or project id is not valid.");
    return std::nullopt;
}

Rejection checkTopicIdentification(const std::string& topic, const std::string& project) {
    if (codePointCount(project) > kMaxProjectIdLength || !isValidQueueName(topic))
        return errorResponse(400, "Invalid topic identification",
                             "The format of the submitted topic name or project id is not valid.");
    return std::nullopt;
}

Description queueListLimit(int64_t limit, const Limits& limits) {
    if (limit > 0 && limit <= limits.max_queues_per_page) return std::nullopt;
    return "Limit must be at least 1 and no greater than " +
           std::to_string(limits.max_queues_per_page) + ".";
}

Description messageListLimit(int64_t limit, const Limits& limits) {
    if (limit > 0 && limit <= limits.max_messages_per_page) return std::nullopt;
    return "Limit must be at least 1 and may not be greater than " +
           std::to_string(limits.max_messages_per_page) + ".";
}

Description waitSeconds(int64_t wait, int64_t maxWait) {
    if (wait >= 0 && wait <= maxWait) return std::nullopt;
    return "The value of the wait parameter must be at least 0 and may not be greater than " +
           std::to_string(maxWait) + " seconds.";
}

Description claimLimit(int64_t limit, const Limits& limits) {
    if (limit > 0 && limit <= limits.max_messages_per_claim_or_pop) return std::nullopt;
    return "Limit must be at least 1 and may not be greater than " +
           std::to_string(limits.max_messages_per_claim_or_pop) + ".";
}

Description popLimit(int64_t pop, const Limits& limits) {
    if (pop > 0 && pop <= limits.max_messages_per_claim_or_pop) return std::nullopt;
    return "Pop value must be at least 1 and may not be greater than " +
           std::to_string(limits.max_messages_per_claim_or_pop) + ".";
}

Description deleteIdsCount(size_t count, const Limits& limits) {
    if (count > 0 && static_cast<int64_t>(count) <= limits.max_messages_per_page)
        return std::nullopt;
    return "ids parameter should have at least 1 and not greater than " +
           std::to_string(limits.max_messages_per_page) + " values.";
}

Description messageTtl(int64_t ttl, const Limits& limits) {
    if (ttl >= kMinMessageTtl && ttl <= limits.max_message_ttl) return std::nullopt;
    return "The TTL for a message may not exceed " + std::to_string(limits.max_message_ttl) +
           " seconds, and must be at least " + std::to_string(kMinMessageTtl) + " seconds long.";
}

Description messageDelayText(const Limits& limits) {
    // Sic: Zaqar's text has no space after the comma.
    return "The Delay TTL for a message may not exceed " +
           std::to_string(limits.max_message_delay) + " seconds,and must be at least " +
           std::to_string(kMinDelay) + " seconds long.";
}

Description claimTtl(int64_t ttl, const Limits& limits) {
    if (ttl >= kMinClaimTtl && ttl <= limits.max_claim_ttl) return std::nullopt;
    return "The TTL for a claim may not exceed " + std::to_string(limits.max_claim_ttl) +
           " seconds, and must be at least " + std::to_string(kMinClaimTtl) + " seconds long.";
}

Description claimGrace(int64_t grace, const Limits& limits) {
    if (grace >= kMinClaimGrace && grace <= limits.max_claim_grace) return std::nullopt;
    return "The grace for a claim may not exceed " + std::to_string(limits.max_claim_grace) +
           " seconds, and must be at least " + std::to_string(kMinClaimGrace) + " seconds long.";
}

Description messagePostSize(size_t size, const Limits& limits) {
    if (static_cast<int64_t>(size) <= limits.max_messages_post_size) return std::nullopt;
    return "Message collection size is too large. Max size " +
           std::to_string(limits.max_messages_post_size);
}

std::string messagePostSizeForQueue(int64_t queueLimit, const Limits& limits) {
    int64_t effective = std::min(queueLimit, limits.max_messages_post_size);
    return "Message collection size is too large. The max size for current queue is " +
           std::to_string(effective) +
           ". It is calculated by max size = min(max_messages_post_size_config: " +
           std::to_string(limits.max_messages_post_size) +
           ", max_messages_post_size_queue: " + std::to_string(queueLimit) + ").";
}

Description queueMetadataSize(size_t size, const Limits& limits) {
    if (static_cast<int64_t>(size) <= limits.max_queue_metadata) return std::nullopt;
    return "Queue metadata is too large. Max size: " + std::to_string(limits.max_queue_metadata);
}

}  // namespace zaqard::api
