// Turns one delivery (subscriber URI, subscription options, payload) into the HTTP
// request Zaqar would send (notifications.md §4, §6): Content-Type first, then every
// string pair of options.post_headers overriding case-insensitively, body from the
// payload or options.post_data. Beyond Zaqar: Standard Webhooks signature headers when a
// signing secret is given.
#pragma once

#include <jansson.h>

#include <cstdint>
#include <string>

#include "notifiers/webhook_client.h"
#include "src/common/json.h"

namespace zaqard::notifiers {

struct WebhookDelivery {
    std::string subscriber;           // http(s)://... or trust+http(s)://...
    const json_t* options = nullptr;  // the subscription's options object (may be null)
    Json payload;                     // notificationPayload() or confirmationPayload()
    std::string trustToken;           // trust+ subscribers: the Keystone token
    std::string signingSecret;        // empty: unsigned (Zaqar's behaviour)
    std::string deliveryId;           // webhook-id; stable across retries
    int64_t timestamp = 0;            // webhook-timestamp, seconds since the epoch
    std::string requestId;            // X-Request-ID: the posting request's id ("" none)
};

// The subscriber URI with a `trust+` prefix removed.
std::string webhookUrl(const std::string& subscriber);

WebhookRequest buildWebhookRequest(const WebhookDelivery& delivery);

}  // namespace zaqard::notifiers
