// Beyond Zaqar: Standard Webhooks signatures (https://www.standardwebhooks.com) for
// subscriptions that carry a signing secret. Receivers verify
//   webhook-signature: v1,<base64(HMAC-SHA256(key, id + "." + timestamp + "." + body))>
// A secret written `whsec_<base64>` uses the decoded bytes as the key (the Standard
// Webhooks convention); any other secret is used as raw bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zaqard::notifiers {

struct WebhookSignatureHeaders {
    std::string id;         // webhook-id
    std::string timestamp;  // webhook-timestamp (integer seconds since the epoch)
    std::string signature;  // webhook-signature
};

// The HMAC key for a secret; nullopt when a `whsec_` secret is not valid base64.
std::optional<std::string> signingKey(std::string_view secret);

// "v1," + base64 HMAC-SHA256; empty when the secret is unusable.
std::string webhookSignature(std::string_view secret, std::string_view id, int64_t timestamp,
                             std::string_view body);

// All three headers; `id` should stay the same across retries of one delivery so that
// receivers can de-duplicate.
WebhookSignatureHeaders signWebhook(std::string_view secret, std::string_view id, int64_t timestamp,
                                    std::string_view body);

}  // namespace zaqard::notifiers
