#include "src/api/render_websocket.h"

#include "src/api/render_rest.h"

namespace zaqard::api::ws {

Json message(const storage::Message& m, const std::string& claimId) {
    Json out = Json::object();
    out.set("id", Json::string(m.id));
    out.set("claim_id", claimId.empty() ? Json::null() : Json::string(claimId));
    out.set("ttl", Json::integer(m.ttl));
    out.set("age", Json::integer(m.age));
    if (!m.group.empty()) out.set("group", Json::string(m.group));
    out.set("body", rest::messageBody(m.body));
    return out;
}

std::string claimCreatedText(const std::vector<storage::Message>& messages,
                             const std::string& claimId) {
    // Ids are our UUIDs and groups match a validated charset: nothing to escape there.
    // The claim id is escaped once, as jansson would.
    const std::string claim = dumpJson(Json::string(claimId).get());
    std::string out = "{\"claim_id\":";
    out.reserve(32 + messages.size() * (120 + claim.size()));
    out += claim;
    out += ",\"messages\":[";
    for (size_t i = 0; i < messages.size(); ++i) {
        const storage::Message& m = messages[i];
        if (i > 0) out += ',';
        out += "{\"id\":\"";
        out += m.id;
        out += "\",\"claim_id\":";
        out += claimId.empty() ? std::string_view("null") : std::string_view(claim);
        out += ",\"ttl\":";
        out += std::to_string(m.ttl);
        out += ",\"age\":";
        out += std::to_string(m.age);
        if (!m.group.empty()) {
            out += ",\"group\":\"";
            out += m.group;
            out += '"';
        }
        out += ",\"body\":";
        out += m.body.empty() ? std::string_view("null") : std::string_view(m.body);
        out += '}';
    }
    out += "]}";
    return out;
}

Json popItem(const storage::Message& m) {
    return rest::popItem(m, /*withChecksum=*/false);
}

Json claim(const storage::ClaimInfo& info) {
    Json messages = Json::array();
    for (const auto& m : info.messages) messages.append(message(m, info.id));
    Json out = Json::object();
    out.set("age", Json::integer(info.age));
    out.set("ttl", Json::integer(info.ttl));
    out.set("messages", std::move(messages));
    return out;
}

namespace {

Json statsMessage(const storage::Message& m) {
    Json out = Json::object();
    out.set("id", Json::string(m.id));
    out.set("age", Json::integer(m.age));
    out.set("created", Json::string(rest::isoTimestamp(m.created)));
    return out;
}

}  // namespace

Json stats(const storage::QueueStats& s) {
    Json counts = Json::object();
    counts.set("claimed", Json::integer(s.claimed));
    counts.set("free", Json::integer(s.free));
    counts.set("total", Json::integer(s.total));
    if (s.total > 0) {
        if (s.oldest) counts.set("oldest", statsMessage(*s.oldest));
        if (s.newest) counts.set("newest", statsMessage(*s.newest));
    }
    Json out = Json::object();
    out.set("messages", std::move(counts));
    return out;
}

Response reply(int status, Json body) {
    Response response;
    response.status = status;
    response.body = std::move(body);
    return response;
}

Response sentence(int status, const std::string& text) {
    return reply(status, Json::string(text));
}

Response error(int status, const std::string& exception,
               const std::optional<std::string>& summary) {
    Json body = Json::object();
    body.set("exception", Json::string(exception));
    body.set("error", summary ? Json::string(*summary) : Json::null());
    return reply(status, std::move(body));
}

ErrorContext errorContext(const Request& request) {
    const bool topic = !request.topicName.empty();
    return {request.action, topic ? request.topicName : request.queueName, request.subscriptionId};
}

std::optional<std::string> failureSummary(const ErrorContext& context) {
    const std::string& q = context.queue;
    switch (context.action) {
        case Action::QueueList:
            return "Queues could not be listed.";
        case Action::TopicList:
            return "Topics could not be listed.";
        case Action::TopicCreate:
            return "Topic " + q + " could not be created.";
        case Action::TopicDelete:
            return "Topic " + q + " could not be deleted.";
        case Action::TopicGet:
            return "Cannot retrieve topic " + q + ".";
        case Action::TopicStats:
            return "Cannot retrieve topic " + q + " stats.";
        case Action::TopicPurge:
            return std::nullopt;
        case Action::TopicMessagePost:
            return "No messages could be enqueued.";
        case Action::QueueCreate:
            return "Queue " + q + " could not be created.";
        case Action::QueueDelete:
            return "Queue " + q + " could not be deleted.";
        case Action::QueueGet:
            return "Cannot retrieve queue " + q + ".";
        case Action::QueueStats:
            return "Cannot retrieve queue " + q + " stats.";
        case Action::QueuePurge:
            return std::nullopt;
        case Action::MessagePost:
            return "No messages could be enqueued.";
        case Action::SubscriptionList:
            return "Subscriptions could not be listed.";
        case Action::SubscriptionCreate:
            return "Subscription " + q + " could not be created.";
        case Action::SubscriptionDelete:
            return "Subscription " + context.subscriptionId + " for queue " + q +
                   " could not be deleted.";
        case Action::SubscriptionGet:
            return "Cannot retrieve subscription " + context.subscriptionId + ".";
        default:
            return "Unexpected error.";
    }
}

Response fromRestError(Response response, const ErrorContext& context) {
    if (response.status < 400 || !json_is_object(response.body.get())) return response;
    const json_t* title = json_object_get(response.body.get(), "title");
    if (!json_is_string(title)) return response;
    const json_t* description = json_object_get(response.body.get(), "description");
    std::string titleText = json_string_value(title);
    std::string detail = json_is_string(description) ? json_string_value(description) : titleText;
    // api_errors.BadRequest renders as "Bad request. <description>" in Zaqar;
    // DocumentTypeNotSupported is an exception of its own, without the prefix.
    if (titleText == "Invalid request body" && detail != "Document type not supported.")
        detail = "Bad request. " + detail;
    std::optional<std::string> summary;
    if (response.status >= 500) summary = failureSummary(context);
    return error(response.status, detail, summary);
}

}  // namespace zaqard::api::ws
