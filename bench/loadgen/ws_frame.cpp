// The REST → action table follows Zaqar's v2 websocket API (websocket-v2.md §3; our
// docs/api.md "WebSocket"): path segments give the action and its id fields, REST query
// parameters become typed body members (limit → integer, ids → message_ids array, ...),
// and the REST JSON body is merged into the frame body (queue_create: it is the metadata).
// Replies are not parsed into a tree: the frame is scanned once for its two top-level
// members, since the load generator shares the cores with the server it measures.
#include "loadgen/ws_frame.h"

#include <charconv>
#include <cstdio>
#include <vector>

namespace zqbench {
namespace {

enum class Type { String, Integer, Boolean, Array };

struct QueryField {
    std::string_view rest;  // name in the REST query string
    std::string_view ws;    // member of the frame body
    Type type;
};

enum class BodyMode { None, Merge, Metadata };

struct Route {
    std::string_view action;
    BodyMode body = BodyMode::None;
    std::vector<QueryField> query;
    std::vector<std::pair<std::string_view, std::string>> ids;  // queue_name, message_id, ...
};

void appendJsonString(std::string* out, std::string_view text) {
    out->push_back('"');
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out->push_back('\\');
            out->push_back(c);
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
            out->append(escaped);
        } else {
            out->push_back(c);
        }
    }
    out->push_back('"');
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percentDecode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0 &&
            hexValue(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2])));
            i += 2;
        } else {
            out.push_back(text[i] == '+' ? ' ' : text[i]);
        }
    }
    return out;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find(separator, start);
        if (end == std::string_view::npos) end = text.size();
        parts.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

bool appendTyped(std::string* out, const std::string& value, Type type) {
    switch (type) {
        case Type::String:
            appendJsonString(out, value);
            return true;
        case Type::Integer: {
            long long n = 0;
            const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
            if (ec != std::errc() || end != value.data() + value.size()) return false;
            out->append(std::to_string(n));
            return true;
        }
        case Type::Boolean:
            if (value != "true" && value != "false") return false;
            out->append(value);
            return true;
        case Type::Array: {
            out->push_back('[');
            bool first = true;
            for (std::string_view item : split(value, ',')) {
                if (item.empty()) continue;
                if (!first) out->push_back(',');
                first = false;
                appendJsonString(out, item);
            }
            out->push_back(']');
            return true;
        }
    }
    return false;
}

// The action for a REST call, or an empty action when there is none.
Route route(std::string_view method, const std::vector<std::string_view>& segments) {
    constexpr Type S = Type::String, I = Type::Integer, B = Type::Boolean, A = Type::Array;
    const size_t n = segments.size();
    const bool get = method == "GET", post = method == "POST", del = method == "DELETE";
    if (n == 0 || segments[0] != "v2") return {};
    Route r;
    auto with = [&r](std::string_view action, BodyMode body, std::vector<QueryField> query) {
        r.action = action;
        r.body = body;
        r.query = std::move(query);
        return r;
    };
    if (n == 1 && get) return with("get_home_doc", BodyMode::None, {});
    if (n == 2 && segments[1] == "ping" && (get || method == "HEAD"))
        return with("ping_node", BodyMode::None, {});
    if (n == 2 && segments[1] == "health" && get)
        return with("check_node_health", BodyMode::None, {});
    if (n < 2 || segments[1] != "queues") return {};
    if (n == 2) {
        if (get)
            return with(
                "queue_list", BodyMode::None,
                {{"marker", "marker", S}, {"limit", "limit", I}, {"detailed", "detailed", B}});
        return {};
    }
    r.ids.emplace_back("queue_name", std::string(segments[2]));
    if (n == 3) {
        if (method == "PUT") return with("queue_create", BodyMode::Metadata, {});
        if (get) return with("queue_get", BodyMode::None, {});
        if (del) return with("queue_delete", BodyMode::None, {});
        return {};
    }
    const std::string_view collection = segments[3];
    if (n == 4) {
        if (collection == "stats" && get) return with("queue_get_stats", BodyMode::None, {});
        if (collection == "purge" && post) return with("queue_purge", BodyMode::Merge, {});
        if (collection == "messages") {
            if (post) return with("message_post", BodyMode::Merge, {});
            if (get)
                return with("message_list", BodyMode::None,
                            {{"marker", "marker", S},
                             {"limit", "limit", I},
                             {"echo", "echo", B},
                             {"include_claimed", "include_claimed", B},
                             {"include_delayed", "include_delayed", B},
                             {"ids", "message_ids", A}});
            if (del)
                return with(
                    "message_delete_many", BodyMode::None,
                    {{"ids", "message_ids", A}, {"claim_ids", "claim_ids", A}, {"pop", "pop", I}});
        }
        if (collection == "claims" && post)
            return with("claim_create", BodyMode::Merge, {{"limit", "limit", I}});
        if (collection == "subscriptions") {
            if (post) return with("subscription_create", BodyMode::Merge, {});
            if (get)
                return with("subscription_list", BodyMode::None,
                            {{"marker", "marker", S}, {"limit", "limit", I}});
        }
        return {};
    }
    if (n != 5) return {};
    const std::string id(segments[4]);
    if (collection == "messages") {
        r.ids.emplace_back("message_id", id);
        if (get) return with("message_get", BodyMode::None, {});
        if (del) return with("message_delete", BodyMode::None, {{"claim_id", "claim_id", S}});
    } else if (collection == "claims") {
        r.ids.emplace_back("claim_id", id);
        if (get) return with("claim_get", BodyMode::None, {});
        if (method == "PATCH") return with("claim_update", BodyMode::Merge, {});
        if (del) return with("claim_delete", BodyMode::None, {});
    } else if (collection == "subscriptions") {
        r.ids.emplace_back("subscription_id", id);
        if (get) return with("subscription_get", BodyMode::None, {});
        if (del) return with("subscription_delete", BodyMode::None, {});
    }
    return {};
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\r' ||
                             text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\r' ||
                             text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

// --- reply scanning ---------------------------------------------------------------------

size_t skipSpace(std::string_view s, size_t pos) {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\n' || s[pos] == '\r' || s[pos] == '\t'))
        ++pos;
    return pos;
}

// Past the closing quote of the string starting at `pos`, or npos.
size_t skipString(std::string_view s, size_t pos) {
    for (++pos; pos < s.size(); ++pos) {
        if (s[pos] == '\\') {
            ++pos;
        } else if (s[pos] == '"') {
            return pos + 1;
        }
    }
    return std::string_view::npos;
}

// Past the JSON value starting at `pos` (no validation beyond nesting), or npos.
size_t skipValue(std::string_view s, size_t pos) {
    pos = skipSpace(s, pos);
    if (pos >= s.size()) return std::string_view::npos;
    if (s[pos] == '"') return skipString(s, pos);
    if (s[pos] != '{' && s[pos] != '[') {
        while (pos < s.size() && s[pos] != ',' && s[pos] != '}' && s[pos] != ']' && s[pos] != ' ' &&
               s[pos] != '\n' && s[pos] != '\r' && s[pos] != '\t')
            ++pos;
        return pos;
    }
    int depth = 0;
    for (; pos < s.size(); ++pos) {
        const char c = s[pos];
        if (c == '"') {
            pos = skipString(s, pos);
            if (pos == std::string_view::npos) return pos;
            --pos;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            if (--depth == 0) return pos + 1;
        }
    }
    return std::string_view::npos;
}

// Calls visit(key, value) for each member of the object at `pos`; false if malformed.
template <typename Visit>
bool forEachMember(std::string_view s, size_t pos, Visit&& visit) {
    pos = skipSpace(s, pos);
    if (pos >= s.size() || s[pos] != '{') return false;
    pos = skipSpace(s, pos + 1);
    if (pos < s.size() && s[pos] == '}') return true;
    while (pos < s.size()) {
        if (s[pos] != '"') return false;
        const size_t keyEnd = skipString(s, pos);
        if (keyEnd == std::string_view::npos) return false;
        const std::string_view key = s.substr(pos + 1, keyEnd - pos - 2);
        pos = skipSpace(s, keyEnd);
        if (pos >= s.size() || s[pos] != ':') return false;
        const size_t valueStart = skipSpace(s, pos + 1);
        const size_t valueEnd = skipValue(s, valueStart);
        if (valueEnd == std::string_view::npos) return false;
        visit(key, s.substr(valueStart, valueEnd - valueStart));
        pos = skipSpace(s, valueEnd);
        if (pos < s.size() && s[pos] == '}') return true;
        if (pos >= s.size() || s[pos] != ',') return false;
        pos = skipSpace(s, pos + 1);
    }
    return false;
}

}  // namespace

bool renderWsFrame(const Request& request, std::string_view clientId, std::string_view project,
                   std::string* out, std::string* error) {
    const std::string_view path = request.path;
    const size_t question = path.find('?');
    std::vector<std::string_view> segments;
    for (std::string_view segment : split(path.substr(0, question), '/'))
        if (!segment.empty()) segments.push_back(segment);
    const Route r = route(request.method, segments);
    const auto fail = [&](const std::string& why) {
        *error = "no websocket action for " + std::string(request.method) + " " + request.path +
                 (why.empty() ? "" : " (" + why + ")");
        return false;
    };
    if (r.action.empty()) return fail("");

    std::string frame;
    frame.reserve(160 + request.body.size());
    frame.append("{\"action\":");
    appendJsonString(&frame, r.action);
    frame.append(",\"headers\":{\"Client-ID\":");
    appendJsonString(&frame, clientId);
    frame.append(",\"X-Project-ID\":");
    appendJsonString(&frame, project);
    frame.append("},\"body\":{");
    bool first = true;
    auto member = [&](std::string_view name) {
        if (!first) frame.push_back(',');
        first = false;
        appendJsonString(&frame, name);
        frame.push_back(':');
    };
    for (const auto& [name, value] : r.ids) {
        member(name);
        appendJsonString(&frame, value);
    }
    if (question != std::string_view::npos) {
        for (std::string_view pair : split(path.substr(question + 1), '&')) {
            if (pair.empty()) continue;
            const size_t equals = pair.find('=');
            const std::string name = percentDecode(pair.substr(0, equals));
            const std::string value =
                equals == std::string_view::npos ? "" : percentDecode(pair.substr(equals + 1));
            const QueryField* field = nullptr;
            for (const QueryField& candidate : r.query)
                if (candidate.rest == name) field = &candidate;
            if (!field) return fail("query parameter " + name);
            member(field->ws);
            if (!appendTyped(&frame, value, field->type))
                return fail("query parameter " + name + " is not of its type");
        }
    }
    const std::string_view body = trim(request.body);
    if (!body.empty()) {
        if (r.body == BodyMode::None) return fail("a body where the action takes none");
        if (r.body == BodyMode::Metadata) {
            member("metadata");
            frame.append(body);
        } else {
            if (body.size() < 2 || body.front() != '{' || body.back() != '}')
                return fail("the body is not a JSON object");
            const std::string_view inner = trim(body.substr(1, body.size() - 2));
            if (!inner.empty()) {
                if (!first) frame.push_back(',');
                first = false;
                frame.append(inner);
            }
        }
    }
    frame.append("}}");
    out->append(frame);
    return true;
}

WsReply parseWsReply(std::string_view frame, Response* response) {
    std::string_view body;
    int status = -1;
    bool bodySeen = false;
    bool headersOk = true;
    const bool ok = forEachMember(frame, 0, [&](std::string_view key, std::string_view value) {
        if (key == "body") {
            body = value;
            bodySeen = true;
        } else if (key == "headers") {
            headersOk = forEachMember(value, 0, [&](std::string_view name, std::string_view v) {
                if (name != "status") return;
                int parsed = 0;
                const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), parsed);
                if (ec == std::errc() && end == v.data() + v.size()) status = parsed;
            });
        }
    });
    if (!ok || !headersOk) return WsReply::Malformed;
    if (status < 0) return WsReply::NotReply;
    response->status = status;
    response->body.assign(bodySeen ? body : std::string_view("{}"));
    return WsReply::Reply;
}

}  // namespace zqbench
