#include "notifiers/webhook_request.h"

#include <strings.h>

#include <algorithm>

#include "notifiers/payload.h"
#include "notifiers/webhook_signature.h"

namespace zaqard::notifiers {

namespace {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Later values replace earlier ones of the same name, keeping the first position, as
// python-requests' case-insensitive header dict does.
void setHeader(HeaderList& headers, const std::string& name, const std::string& value) {
    auto found = std::find_if(headers.begin(), headers.end(), [&name](const auto& header) {
        return strcasecmp(header.first.c_str(), name.c_str()) == 0;
    });
    if (found != headers.end()) {
        found->second = value;
    } else {
        headers.emplace_back(name, value);
    }
}

}  // namespace

std::string webhookUrl(const std::string& subscriber) {
    constexpr std::string_view kTrust = "trust+";
    if (subscriber.compare(0, kTrust.size(), kTrust) == 0) return subscriber.substr(kTrust.size());
    return subscriber;
}

WebhookRequest buildWebhookRequest(const WebhookDelivery& delivery) {
    WebhookRequest request;
    request.url = webhookUrl(delivery.subscriber);
    request.body = webhookBody(delivery.payload, delivery.options);

    if (!delivery.trustToken.empty())
        setHeader(request.headers, "X-Auth-Token", delivery.trustToken);
    setHeader(request.headers, "Content-Type", "application/json");
    // The id of the request that posted the message, as the access log names it, so a
    // receiver's logs and zaqard's meet (beyond Zaqar; post_headers may override it).
    if (!delivery.requestId.empty()) setHeader(request.headers, "X-Request-ID", delivery.requestId);
    json_t* postHeaders =
        json_is_object(delivery.options)
            ? json_object_get(const_cast<json_t*>(delivery.options), "post_headers")
            : nullptr;
    if (json_is_object(postHeaders)) {
        const char* name;
        json_t* value;
        json_object_foreach(postHeaders, name, value) {
            // python-requests rejects non-string header values; we skip them.
            if (json_is_string(value)) {
                setHeader(request.headers, name,
                          std::string(json_string_value(value), json_string_length(value)));
            }
        }
    }
    if (!delivery.signingSecret.empty()) {
        auto signature = signWebhook(delivery.signingSecret, delivery.deliveryId,
                                     delivery.timestamp, request.body);
        if (!signature.signature.empty()) {
            setHeader(request.headers, "webhook-id", signature.id);
            setHeader(request.headers, "webhook-timestamp", signature.timestamp);
            setHeader(request.headers, "webhook-signature", signature.signature);
        }
    }
    return request;
}

}  // namespace zaqard::notifiers
