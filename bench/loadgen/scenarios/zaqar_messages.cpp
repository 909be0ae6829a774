// Response scans rely on what rest-v2.md guarantees: claimed hrefs end in ?claim_id=<cid>,
// every message object has an "age", and list responses carry "links" after "messages".
#include "loadgen/scenarios/zaqar_messages.h"

#include <charconv>

namespace zqbench {

std::string queueName(int index) {
    return "bench-q" + std::to_string(index);
}

std::string queuePath(int index) {
    return "/v2/queues/" + queueName(index);
}

std::string postBody(int batch, int size, uint64_t sentNs) {
    // {"ts": 1234567890123456, "pad": ""} is ~36 bytes before padding.
    const size_t pad = size > 36 ? static_cast<size_t>(size - 36) : 0;
    const std::string ts = std::to_string(sentNs);
    std::string out;
    out.reserve(16 + static_cast<size_t>(batch) * (pad + 64));
    out.append("{\"messages\": [");
    for (int i = 0; i < batch; ++i) {
        if (i) out.append(", ");
        out.append("{\"body\": {\"ts\": ").append(ts).append(", \"pad\": \"");
        out.append(pad, 'x');
        out.append("\"}, \"ttl\": 300}");
    }
    out.append("]}");
    return out;
}

namespace {

uint64_t parseUint(std::string_view text, size_t from) {
    while (from < text.size() && (text[from] == ' ' || text[from] == ':')) ++from;
    uint64_t v = 0;
    std::from_chars(text.data() + from, text.data() + text.size(), v);
    return v;
}

// The string value of the key whose opening quote is at `pos`, or npos; `end` past it.
size_t stringValue(std::string_view text, size_t pos, size_t keySize, size_t* end) {
    pos += keySize;
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == ':')) ++pos;
    if (pos >= text.size() || text[pos] != '"') return std::string_view::npos;
    *end = text.find('"', pos + 1);
    return *end == std::string_view::npos ? *end : pos + 1;
}

// A claim answered over websocket has no hrefs: {"claim_id": "<cid>", "messages":
// [{"id": "<id>", "claim_id": "<cid>", ...}]}.
void scanWsClaim(std::string_view body, ClaimedMessages* out) {
    constexpr std::string_view kClaimId = "\"claim_id\"";
    constexpr std::string_view kId = "\"id\"";
    size_t end = 0;
    const size_t claim = body.find(kClaimId);
    if (claim == std::string_view::npos) return;
    const size_t cid = stringValue(body, claim, kClaimId.size(), &end);
    if (cid == std::string_view::npos) return;
    out->claimId = std::string(body.substr(cid, end - cid));
    for (size_t pos = 0; (pos = body.find(kId, pos)) != std::string_view::npos; pos += kId.size()) {
        const size_t id = stringValue(body, pos, kId.size(), &end);
        if (id != std::string_view::npos) out->ids.emplace_back(body.substr(id, end - id));
    }
}

}  // namespace

ClaimedMessages scanClaim(std::string_view body) {
    ClaimedMessages out;
    constexpr std::string_view kClaimParam = "?claim_id=";
    constexpr std::string_view kMessages = "/messages/";
    size_t pos = 0;
    while ((pos = body.find(kClaimParam, pos)) != std::string_view::npos) {
        const size_t idEnd = pos;
        const size_t idStart = body.rfind(kMessages, pos);
        const size_t cidStart = pos + kClaimParam.size();
        const size_t cidEnd = body.find('"', cidStart);
        if (idStart == std::string_view::npos || cidEnd == std::string_view::npos) break;
        out.ids.emplace_back(
            body.substr(idStart + kMessages.size(), idEnd - idStart - kMessages.size()));
        if (out.claimId.empty())
            out.claimId = std::string(body.substr(cidStart, cidEnd - cidStart));
        pos = cidEnd;
    }
    if (out.ids.empty()) scanWsClaim(body, &out);
    constexpr std::string_view kTs = "\"ts\"";
    pos = 0;
    while ((pos = body.find(kTs, pos)) != std::string_view::npos) {
        pos += kTs.size();
        out.sentNs.push_back(parseUint(body, pos));
    }
    return out;
}

size_t countMessages(std::string_view body) {
    size_t n = 0;
    for (size_t pos = 0; (pos = body.find("\"age\"", pos)) != std::string_view::npos; pos += 5) ++n;
    return n;
}

std::string nextLink(std::string_view body) {
    const size_t links = body.rfind("\"links\"");
    if (links == std::string_view::npos) return {};
    const size_t href = body.find("\"href\"", links);
    if (href == std::string_view::npos) return {};
    const size_t open = body.find('"', href + 6);
    if (open == std::string_view::npos) return {};
    std::string out;
    for (size_t i = open + 1; i < body.size() && body[i] != '"'; ++i) {
        if (body[i] == '\\' && i + 1 < body.size()) ++i;  // only \/ is expected here
        out.push_back(body[i]);
    }
    return out;
}

int64_t intField(std::string_view body, std::string_view key) {
    std::string quoted;
    quoted.reserve(key.size() + 2);
    quoted.push_back('"');
    quoted.append(key);
    quoted.push_back('"');
    const size_t pos = body.find(quoted);
    if (pos == std::string_view::npos) return -1;
    return static_cast<int64_t>(parseUint(body, pos + quoted.size()));
}

}  // namespace zqbench
