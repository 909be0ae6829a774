#include "notifiers/payload.h"

#include "src/common/python_json.h"

namespace zaqard::notifiers {

Json notificationPayload(const NotificationInput& input) {
    Json payload = Json::object();
    payload.set("ttl", Json::integer(input.ttl));
    payload.set("body", input.body ? input.body : Json::null());
    if (input.delay) payload.set("delay", Json::integer(*input.delay));
    payload.set("Message_Type", Json::string("Notification"));
    payload.set(input.topic ? "topic_name" : "queue_name", Json::string(input.queueName));
    return payload;
}

Json confirmationPayload(const ConfirmationInput& input) {
    bool subscribe = input.kind == ConfirmationKind::Subscribe;
    Json payload = Json::object();
    // Zaqar starts from the catalog URLs, then update()s the rest in this order.
    if (!input.wsgiSubscribeUrl.empty()) {
        payload.set("WSGISubscribeURL", Json::string(input.wsgiSubscribeUrl));
    }
    if (!input.websocketSubscribeUrl.empty()) {
        payload.set("WebSocketSubscribeURL", Json::string(input.websocketSubscribeUrl));
    }
    payload.set("Message_Type",
                Json::string(subscribe ? "SubscriptionConfirmation" : "UnsubscribeConfirmation"));
    const std::string noun = input.topic ? "topic" : "queue";
    payload.set(
        "Message",
        Json::string(
            subscribe ? "You have chosen to subscribe to the " + noun + ": " + input.queueName
                      : "You have unsubscribed successfully to the " + noun + ": " +
                            input.queueName + ", you can resubscribe it by using confirmed=True."));
    payload.set("URL-Signature", Json::string(input.signature));
    payload.set("URL-Methods", Json::string("PUT"));
    payload.set("URL-Paths", Json::string(input.paths));
    payload.set("X-Project-ID", Json::string(input.projectId));
    payload.set("URL-Expires", Json::string(input.expires));
    payload.set("SubscribeBody", Json::object().set("confirmed", Json::boolean(true)));
    payload.set("UnsubscribeBody", Json::object().set("confirmed", Json::boolean(false)));
    payload.set(input.topic ? "topic_name" : "queue_name", Json::string(input.queueName));
    return payload;
}

std::string encodePayload(const Json& payload) {
    return pythonJsonDumps(payload.get());
}

std::string applyPostData(std::string_view templateText, std::string_view payloadJson) {
    static constexpr std::string_view kPlaceholder = "\"$zaqar_message$\"";
    std::string out;
    size_t position = 0;
    while (true) {
        size_t found = templateText.find(kPlaceholder, position);
        if (found == std::string_view::npos) break;
        out.append(templateText.substr(position, found - position));
        out.append(payloadJson);
        position = found + kPlaceholder.size();
    }
    out.append(templateText.substr(position));
    return out;
}

std::string webhookBody(const Json& payload, const json_t* subscriptionOptions) {
    std::string encoded = encodePayload(payload);
    const json_t* postData =
        json_is_object(subscriptionOptions)
            ? json_object_get(const_cast<json_t*>(subscriptionOptions), "post_data")
            : nullptr;
    if (!json_is_string(postData)) return encoded;
    return applyPostData(
        std::string_view(json_string_value(postData), json_string_length(postData)), encoded);
}

}  // namespace zaqard::notifiers
