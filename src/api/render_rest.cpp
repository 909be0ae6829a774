#include "src/api/render_rest.h"

#include <ctime>

#include "src/api/checksum.h"
#include "src/api/links.h"
#include "src/common/python_json.h"

namespace zaqard::api::rest {

std::string queuePath(const std::string& queue) {
    return "/v2/queues/" + queue;
}

Json messageBody(const std::string& text) {
    Json body = parseJsonValue(text);
    return body ? body : Json::null();
}

Json message(const storage::Message& m, const std::string& base, const std::string& claimId,
             bool withChecksum) {
    std::string href = base + "/messages/" + m.id;
    if (!claimId.empty()) href += "?claim_id=" + percentEncode(claimId);
    Json body = messageBody(m.body);
    Json out = Json::object();
    out.set("id", Json::string(m.id));
    out.set("href", Json::string(href));
    out.set("ttl", Json::integer(m.ttl));
    out.set("age", Json::integer(m.age));
    if (!m.group.empty()) out.set("group", Json::string(m.group));
    if (withChecksum) out.set("checksum", Json::string(py::messageChecksum(body.get())));
    out.set("body", std::move(body));
    return out;
}

namespace {

// Ids are our UUIDs and queue names match [a-zA-Z0-9_-] (validated), claim ids are
// percent-encoded: none needs JSON escaping, so the text is what jansson would write.
void appendMessageText(std::string& out, const storage::Message& m, const std::string& base,
                       const std::string& claimId) {
    out += "{\"id\":\"";
    out += m.id;
    out += "\",\"href\":\"";
    out += base;
    out += "/messages/";
    out += m.id;
    if (!claimId.empty()) {
        out += "?claim_id=";
        out += percentEncode(claimId);
    }
    out += "\",\"ttl\":";
    out += std::to_string(m.ttl);
    out += ",\"age\":";
    out += std::to_string(m.age);
    if (!m.group.empty()) {  // validated charset: nothing to escape
        out += ",\"group\":\"";
        out += m.group;
        out += '"';
    }
    out += ",\"body\":";
    out += m.body.empty() ? std::string_view("null") : std::string_view(m.body);
    out += '}';
}

// `[...]` of messages, each as message() renders it.
void appendMessages(std::string& out, const std::vector<storage::Message>& messages,
                    const std::string& base, const std::string& claimId, bool withChecksum) {
    out += '[';
    for (size_t i = 0; i < messages.size(); ++i) {
        const storage::Message& m = messages[i];
        if (i > 0) out += ',';
        const std::string& claim = claimId.empty() ? m.claimId : claimId;
        // The checksum needs the decoded body: that (rare) case takes the Json path.
        if (withChecksum)
            out += dumpJson(message(m, base, claim, true).get());
        else
            appendMessageText(out, m, base, claim);
    }
    out += ']';
}

}  // namespace

std::string messagesText(const std::vector<storage::Message>& messages, const std::string& base,
                         const std::string& claimId, bool withChecksum, std::string_view tail) {
    std::string out = "{\"messages\":";
    out.reserve(64 + messages.size() * (160 + base.size()) + tail.size());
    appendMessages(out, messages, base, claimId, withChecksum);
    out += tail;
    out += '}';
    return out;
}

std::string messageText(const storage::Message& m, const std::string& base, bool withChecksum) {
    if (withChecksum) return dumpJson(message(m, base, m.claimId, true).get());
    std::string out;
    out.reserve(160 + base.size() + m.body.size());
    appendMessageText(out, m, base, m.claimId);
    return out;
}

std::string claimText(const storage::ClaimInfo& info, const std::string& base, bool withChecksum) {
    std::string out = "{\"age\":" + std::to_string(info.age) +
                      ",\"ttl\":" + std::to_string(info.ttl) + ",\"messages\":";
    out.reserve(64 + info.messages.size() * (160 + base.size()));
    appendMessages(out, info.messages, base, info.id, withChecksum);
    out += ",\"href\":";
    out += dumpJson(Json::string(base + "/claims/" + info.id).get());
    out += '}';
    return out;
}

Json message(const storage::Message& m, const std::string& base, bool withChecksum) {
    return message(m, base, m.claimId, withChecksum);
}

Json popItem(const storage::Message& m, bool withChecksum) {
    Json body = messageBody(m.body);
    Json out = Json::object();
    out.set("id", Json::string(m.id));
    out.set("age", Json::integer(m.age));
    out.set("ttl", Json::integer(m.ttl));
    if (!m.group.empty()) out.set("group", Json::string(m.group));
    if (withChecksum) out.set("checksum", Json::string(py::messageChecksum(body.get())));
    out.set("body", std::move(body));
    // Mongo's (and the spec's recommended) value: the throw-away claim is not exposed.
    out.set("claim_id", Json::null());
    out.set("claim_count", Json::integer(m.claimCount));
    return out;
}

Json claim(const storage::ClaimInfo& info, const std::string& base, bool withChecksum) {
    Json messages = Json::array();
    for (const auto& m : info.messages) messages.append(message(m, base, info.id, withChecksum));
    Json out = Json::object();
    out.set("age", Json::integer(info.age));
    out.set("ttl", Json::integer(info.ttl));
    out.set("messages", std::move(messages));
    out.set("href", Json::string(base + "/claims/" + info.id));
    return out;
}

namespace {

Json statsMessage(const storage::Message& m, const std::string& base) {
    Json out = Json::object();
    out.set("href", Json::string(base + "/messages/" + m.id));
    out.set("age", Json::integer(m.age));
    out.set("created", Json::string(isoTimestamp(m.created)));
    return out;
}

}  // namespace

Json stats(const storage::QueueStats& s, const std::string& base) {
    Json counts = Json::object();
    counts.set("claimed", Json::integer(s.claimed));
    counts.set("free", Json::integer(s.free));
    counts.set("total", Json::integer(s.total));
    if (s.total > 0) {
        if (s.oldest) counts.set("oldest", statsMessage(*s.oldest, base));
        if (s.newest) counts.set("newest", statsMessage(*s.newest, base));
    }
    Json out = Json::object();
    out.set("messages", std::move(counts));
    return out;
}

Json topicStats(const storage::QueueStats& s, const std::string& base) {
    if (s.total == 0) return stats(storage::QueueStats{}, base);
    Json counts = Json::object();
    counts.set("total", Json::integer(s.total));
    if (s.oldest) counts.set("oldest", statsMessage(*s.oldest, base));
    if (s.newest) counts.set("newest", statsMessage(*s.newest, base));
    Json out = Json::object();
    out.set("messages", std::move(counts));
    return out;
}

std::string isoTimestamp(double unixSeconds) {
    auto seconds = static_cast<time_t>(unixSeconds);
    struct tm utc {};
    gmtime_r(&seconds, &utc);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return buffer;
}

}  // namespace zaqard::api::rest
