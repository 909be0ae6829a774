// What a subscriber receives (notifications.md §2-§4): the notification payload, the
// (un)subscribe confirmation payloads and the `post_data` template. Key order and JSON
// encoding match Zaqar 15 byte for byte, so receivers written for Zaqar keep working.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "src/common/json.h"

namespace zaqard::notifiers {

// One posted message as validated (§2).
struct NotificationInput {
    int64_t ttl = 0;               // effective TTL
    Json body;                     // the message body (plaintext, also for encrypted queues)
    std::optional<int64_t> delay;  // set only when the queue has a truthy _default_message_delay
    std::string queueName;
    bool topic = false;  // posted to the topic `queueName` (rest-v2.md §8)
};

// {"ttl", "body", ["delay"], "Message_Type": "Notification", "queue_name"} in that order.
// Beyond Zaqar: a topic's message names it as "topic_name" instead of "queue_name".
Json notificationPayload(const NotificationInput& input);

enum class ConfirmationKind { Subscribe, Unsubscribe };

// The signed-URL data of a confirmation (§3); the api layer computes the signature.
struct ConfirmationInput {
    ConfirmationKind kind = ConfirmationKind::Subscribe;
    std::string queueName;
    bool topic = false;  // a topic's subscription: "topic" in the text, "topic_name" key
    std::string signature;
    std::string paths;  // the one confirm path
    std::string projectId;
    std::string expires;                // %Y-%m-%dT%H:%M:%S
    std::string wsgiSubscribeUrl;       // empty: key absent (noauth setups)
    std::string websocketSubscribeUrl;  // empty: key absent
};

// The confirmation payload in Zaqar's key order, ending with "queue_name" as the webhook
// task appends it.
Json confirmationPayload(const ConfirmationInput& input);

// Zaqar's wire encoding of a payload (Python json.dumps defaults).
std::string encodePayload(const Json& payload);

// Replaces every `"$zaqar_message$"` (quotes included) in `templateText` by `payloadJson`.
std::string applyPostData(std::string_view templateText, std::string_view payloadJson);

// The webhook body for one payload: options.post_data applied when it is a string
// (Beyond Zaqar: a non-string post_data is ignored instead of failing the delivery).
std::string webhookBody(const Json& payload, const json_t* subscriptionOptions);

}  // namespace zaqard::notifiers
