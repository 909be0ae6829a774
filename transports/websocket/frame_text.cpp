#include "transports/websocket/frame_text.h"

namespace zaqard::websocket {

namespace {

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t skipSpace(std::string_view s, size_t pos) {
    while (pos < s.size() && isSpace(s[pos])) ++pos;
    return pos;
}

// Past the closing quote of the string opening at `pos`, or npos.
size_t skipString(std::string_view s, size_t pos) {
    for (++pos; pos < s.size(); ++pos) {
        if (s[pos] == '\\')
            ++pos;
        else if (s[pos] == '"')
            return pos + 1;
    }
    return std::string_view::npos;
}

// Past the value starting at `pos` (valid JSON assumed: only nesting is tracked), or npos.
size_t skipValue(std::string_view s, size_t pos) {
    if (pos >= s.size()) return std::string_view::npos;
    if (s[pos] == '"') return skipString(s, pos);
    if (s[pos] != '{' && s[pos] != '[') {
        while (pos < s.size() && s[pos] != ',' && s[pos] != '}' && s[pos] != ']' &&
               !isSpace(s[pos]))
            ++pos;
        return pos;
    }
    int depth = 0;
    while (pos < s.size()) {
        const char c = s[pos];
        if (c == '"') {
            pos = skipString(s, pos);
            if (pos == std::string_view::npos) return pos;
            continue;
        }
        if (c == '{' || c == '[') ++depth;
        if ((c == '}' || c == ']') && --depth == 0) return pos + 1;
        ++pos;
    }
    return std::string_view::npos;
}

}  // namespace

MemberLookup memberText(std::string_view s, std::string_view key) {
    MemberLookup result;
    size_t pos = skipSpace(s, 0);
    if (pos >= s.size() || s[pos] != '{') return result;
    pos = skipSpace(s, pos + 1);
    if (pos < s.size() && s[pos] == '}') {
        result.ok = true;
        return result;
    }
    // Bounded by the text: every pass consumes at least a key and a value.
    while (pos < s.size()) {
        if (s[pos] != '"') return result;
        const size_t keyEnd = skipString(s, pos);
        if (keyEnd == std::string_view::npos) return result;
        const std::string_view name = s.substr(pos + 1, keyEnd - pos - 2);
        if (name.find('\\') != std::string_view::npos) return result;
        pos = skipSpace(s, keyEnd);
        if (pos >= s.size() || s[pos] != ':') return result;
        const size_t valueStart = skipSpace(s, pos + 1);
        const size_t valueEnd = skipValue(s, valueStart);
        if (valueEnd == std::string_view::npos || valueEnd == valueStart) return result;
        if (name == key) result.value = s.substr(valueStart, valueEnd - valueStart);
        pos = skipSpace(s, valueEnd);
        if (pos < s.size() && s[pos] == '}') {
            result.ok = true;
            return result;
        }
        if (pos >= s.size() || s[pos] != ',') return result;
        pos = skipSpace(s, pos + 1);
    }
    return result;
}

}  // namespace zaqard::websocket
