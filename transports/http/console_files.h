// The web console's files (console/ in the source tree), embedded at build time by
// cmake/embed_console.cmake, served by console_route.h.
#pragma once

#include <span>
#include <string_view>

namespace zaqard::http {

struct ConsoleFile {
    std::string_view name;         // path under console/, e.g. "app.js"
    std::string_view contentType;  // from the extension
    std::string_view etag;         // quoted, e.g. "\"3f2a...\"": part of the file's SHA-256
    std::string_view body;
};

// Sorted by name.
std::span<const ConsoleFile> consoleFiles();

}  // namespace zaqard::http
