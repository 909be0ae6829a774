// Reading members out of a text frame that jansson has already parsed, without its tree:
// a reply echoes the request (websocket-v2.md), and splicing the request's own text in
// spares dumping it again (a dump per reply was most of what jansson cost a frame).
#pragma once

#include <optional>
#include <string_view>

namespace zaqard::websocket {

// The text of member `key` of the object `object` (JSON text already validated, as a
// decoded frame is; leading and trailing whitespace allowed): the last one when the key
// repeats, as jansson keeps the last. nullopt when the member is absent, the text is not
// an object, or a key at that level is written with escapes (callers then use the tree).
struct MemberLookup {
    bool ok = false;                        // false: cannot tell (not an object, escaped keys)
    std::optional<std::string_view> value;  // the member's text when present
};
MemberLookup memberText(std::string_view object, std::string_view key);

}  // namespace zaqard::websocket
