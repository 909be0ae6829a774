#include "transports/http/content_negotiation.h"

#include <strings.h>

#include <cctype>
#include <cstdlib>
#include <map>
#include <optional>
#include <vector>

#include "src/common/json.h"

namespace zaqard::http {

namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    return text;
}

struct MediaRange {
    std::string type;
    std::string subtype;
    std::map<std::string, std::string> params;
    double q = 1.0;
};

// mimeparse.parse_media_range (via cgi.parse_header); nullopt where it raises ValueError.
std::optional<MediaRange> parseMediaRange(std::string_view text) {
    std::vector<std::string_view> parts;
    bool quoted = false;
    size_t start = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
        if (i < text.size() && text[i] == '"') quoted = !quoted;
        if (i == text.size() || (text[i] == ';' && !quoted)) {
            parts.push_back(text.substr(start, i - start));
            start = i + 1;
        }
    }
    std::string fullType(trim(parts[0]));
    if (fullType == "*") fullType = "*/*";
    size_t slash = fullType.find('/');
    if (slash == std::string::npos || fullType.find('/', slash + 1) != std::string::npos)
        return std::nullopt;
    MediaRange range;
    range.type = std::string(trim(std::string_view(fullType).substr(0, slash)));
    range.subtype = std::string(trim(std::string_view(fullType).substr(slash + 1)));
    for (size_t i = 1; i < parts.size(); ++i) {
        size_t eq = parts[i].find('=');
        if (eq == std::string_view::npos) continue;
        std::string name(trim(parts[i].substr(0, eq)));
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value(trim(parts[i].substr(eq + 1)));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.substr(1, value.size() - 2);
        range.params[name] = value;
    }
    auto q = range.params.find("q");
    if (q != range.params.end()) {
        char* end = nullptr;
        double value = std::strtod(q->second.c_str(), &end);
        bool number = !q->second.empty() && end == q->second.c_str() + q->second.size();
        range.q = (number && value >= 0 && value <= 1) ? value : 1.0;
    }
    return range;
}

// mimeparse.quality_and_fitness_parsed for a parameterless target such as
// "application/json": (quality of the best-fitting range, its fitness).
std::pair<double, double> qualityAndFitness(std::string_view target,
                                            const std::vector<MediaRange>& ranges) {
    size_t slash = target.find('/');
    std::string_view type = target.substr(0, slash);
    std::string_view subtype = target.substr(slash + 1);
    double bestFitness = -1;
    double bestQ = 0;
    for (const auto& range : ranges) {
        bool typeMatch = range.type == type || range.type == "*";
        bool subtypeMatch = range.subtype == subtype || range.subtype == "*";
        if (!typeMatch || !subtypeMatch) continue;
        double fitness = (range.type == type ? 100 : 0) + (range.subtype == subtype ? 10 : 0) + 1;
        if (fitness > bestFitness) {
            bestFitness = fitness;
            bestQ = range.q;
        }
    }
    return {bestQ, bestFitness};
}

std::optional<std::vector<MediaRange>> parseAccept(std::string_view accept, bool skipBlank) {
    std::vector<MediaRange> ranges;
    while (true) {
        size_t comma = accept.find(',');
        std::string_view item = accept.substr(0, comma);
        if (!(skipBlank && trim(item).empty())) {
            auto range = parseMediaRange(item);
            if (!range) return std::nullopt;
            ranges.push_back(std::move(*range));
        }
        if (comma == std::string_view::npos) break;
        accept.remove_prefix(comma + 1);
    }
    return ranges;
}

void appendXmlEscaped(std::string& out, std::string_view text) {
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            default:
                out.push_back(c);
        }
    }
}

}  // namespace

bool clientAccepts(std::string_view accept, std::string_view mediaType) {
    if (accept.empty() || accept == "*/*" || accept == mediaType) return true;
    auto ranges = parseAccept(accept, false);
    return ranges && qualityAndFitness(mediaType, *ranges).first != 0.0;
}

ErrorFormat errorFormat(std::string_view accept) {
    if (accept.empty()) accept = "*/*";
    // mimeparse.best_match over (xml, text/xml, json): highest quality, then fitness,
    // then the later candidate.
    if (auto ranges = parseAccept(accept, true)) {
        const std::pair<const char*, ErrorFormat> candidates[] = {
            {"application/xml", ErrorFormat::Xml},
            {"text/xml", ErrorFormat::TextXml},
            {"application/json", ErrorFormat::Json}};
        std::pair<double, double> best{-1, -1};
        ErrorFormat chosen = ErrorFormat::None;
        for (const auto& [type, format] : candidates) {
            auto score = qualityAndFitness(type, *ranges);
            if (score >= best) {
                best = score;
                chosen = format;
            }
        }
        if (best.first != 0.0) return chosen;
    }
    std::string lowered(accept);
    for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lowered.find("+json") != std::string::npos) return ErrorFormat::Json;
    if (lowered.find("+xml") != std::string::npos) return ErrorFormat::Xml;
    return ErrorFormat::None;
}

bool isFormUrlEncoded(std::string_view contentType) {
    constexpr std::string_view kForm = "application/x-www-form-urlencoded";
    return contentType.size() == kForm.size() &&
           strncasecmp(contentType.data(), kForm.data(), kForm.size()) == 0;
}

std::string renderError(ErrorFormat format, std::string_view title, std::string_view description) {
    switch (format) {
        case ErrorFormat::Json: {
            Json body = Json::object();
            body.set("title", Json::string(title));
            if (!description.empty()) body.set("description", Json::string(description));
            return body.dump();
        }
        case ErrorFormat::Xml:
        case ErrorFormat::TextXml: {
            std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><error><title>";
            appendXmlEscaped(out, title);
            out += "</title>";
            if (!description.empty()) {
                out += "<description>";
                appendXmlEscaped(out, description);
                out += "</description>";
            }
            out += "</error>";
            return out;
        }
        case ErrorFormat::None:
            break;
    }
    return {};
}

const char* errorContentType(ErrorFormat format) {
    switch (format) {
        case ErrorFormat::Json:
            return "application/json";
        case ErrorFormat::Xml:
            return "application/xml";
        case ErrorFormat::TextXml:
            return "text/xml";
        case ErrorFormat::None:
            break;
    }
    return "";
}

}  // namespace zaqard::http
