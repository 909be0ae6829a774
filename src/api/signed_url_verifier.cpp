#include "src/api/signed_url_verifier.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

#include "src/api/action_table.h"
#include "src/api/signed_url.h"
#include "src/common/json.h"

namespace zaqard::api {

namespace {

std::vector<std::string> splitCommas(std::string_view text) {
    std::vector<std::string> items;
    while (true) {
        size_t comma = text.find(',');
        items.emplace_back(text.substr(0, comma));
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return items;
}

// A JSON array of strings, or nothing.
std::optional<std::vector<std::string>> stringArray(const std::string& text) {
    Json value = parseJsonValue(text);
    if (!json_is_array(value.get())) return std::nullopt;
    std::vector<std::string> items;
    size_t i;
    json_t* item;
    json_array_foreach(value.get(), i, item) {
        if (!json_is_string(item)) return std::nullopt;
        items.emplace_back(json_string_value(item), json_string_length(item));
    }
    return items;
}

const std::string* header(const Headers& headers, const char* name) {
    auto it = headers.find(name);
    return it == headers.end() ? nullptr : &it->second;
}

// Python's int() would take it (Zaqar refuses integer expiries before parsing the date).
bool looksLikeInteger(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) text.remove_prefix(1);
    if (text.empty()) return false;
    for (char c : text)
        if (!std::isdigit(static_cast<unsigned char>(c)) && c != '_') return false;
    return true;
}

// Steps 3 and 4 of §3.3 once method and path have matched: the expiry, then the HMAC
// over the sorted header values, compared in constant time.
bool signatureValid(const std::string& secretKey, std::vector<std::string> paths,
                    std::vector<std::string> methods, const Headers& headers, double now) {
    if (secretKey.empty()) return false;  // Zaqar: "The `key` can't be None"
    const std::string* signature = header(headers, "URL-Signature");
    const std::string* expires = header(headers, "URL-Expires");
    if (!signature || !expires || looksLikeInteger(*expires)) return false;
    ParsedTime parsed = parseIsoTime(*expires);
    if (!parsed.unixSeconds || *parsed.unixSeconds <= now) return false;
    const std::string* project = header(headers, "X-Project-ID");
    std::sort(paths.begin(), paths.end());
    std::sort(methods.begin(), methods.end());
    std::string expected = signUrl(secretKey, paths, methods, project ? *project : "None",
                                   formatExpires(*parsed.unixSeconds));
    return signature->size() == expected.size() &&
           CRYPTO_memcmp(signature->data(), expected.data(), expected.size()) == 0;
}

}  // namespace

bool hasUrlSignature(const Headers& headers) {
    return headers.find("URL-Signature") != headers.end();
}

bool signedPathCovers(std::string_view signedPath, std::string_view path) {
    if (signedPath.empty() || path.size() < signedPath.size() ||
        path.compare(0, signedPath.size(), signedPath) != 0)
        return false;
    return path.size() == signedPath.size() || signedPath.back() == '/' ||
           path[signedPath.size()] == '/';
}

bool verifySignedRequest(const std::string& secretKey, std::string_view method,
                         std::string_view path, const Headers& headers, double now) {
    const std::string* methodsHeader = header(headers, "URL-Methods");
    const std::string* pathsHeader = header(headers, "URL-Paths");
    // Zaqar splits the headers on "," as they are (no blank trimming), missing ones as "".
    std::vector<std::string> methods = splitCommas(methodsHeader ? *methodsHeader : "");
    std::vector<std::string> paths = splitCommas(pathsHeader ? *pathsHeader : "");
    if (method.empty() || std::find(methods.begin(), methods.end(), method) == methods.end())
        return false;
    bool covered = std::any_of(paths.begin(), paths.end(),
                               [&](const std::string& p) { return signedPathCovers(p, path); });
    if (!covered) return false;
    return signatureValid(secretKey, std::move(paths), std::move(methods), headers, now);
}

bool verifySignedFrame(const std::string& secretKey, Action action, const PathParams& params,
                       const Headers& headers, double now) {
    const SignedFrame& signedFrame = actionSpec(action).signedFrame;
    if (!signedFrame.method) return false;
    const std::string* methodsHeader = header(headers, "URL-Methods");
    const std::string* pathsHeader = header(headers, "URL-Paths");
    if (!methodsHeader || !pathsHeader) return false;
    auto methods = stringArray(*methodsHeader);
    auto paths = stringArray(*pathsHeader);
    if (!methods || !paths) return false;
    if (std::find(methods->begin(), methods->end(), signedFrame.method) == methods->end())
        return false;
    const std::string path = expandPath(signedFrame.path, params);
    bool covered = std::any_of(paths->begin(), paths->end(),
                               [&](const std::string& p) { return signedPathCovers(p, path); });
    if (!covered) return false;
    return signatureValid(secretKey, std::move(*paths), std::move(*methods), headers, now);
}

bool verifySignedFrame(const std::string& secretKey, Action action, const std::string& queueName,
                       const Headers& headers, double now) {
    PathParams params;
    params.queueName = queueName;
    return verifySignedFrame(secretKey, action, params, headers, now);
}

const char* methodOfAction(Action action) {
    const char* method = actionSpec(action).rest.method;
    return method ? method : "";
}

}  // namespace zaqard::api
