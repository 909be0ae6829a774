#include "src/common/python_repr.h"

#include <cstdio>

namespace zaqard {

std::string pythonRepr(std::string_view text) {
    bool hasSingle = text.find('\'') != std::string_view::npos;
    bool hasDouble = text.find('"') != std::string_view::npos;
    char quote = hasSingle && !hasDouble ? '"' : '\'';
    std::string out(1, quote);
    for (unsigned char c : text) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c == static_cast<unsigned char>(quote)) {
                    out += '\\';
                    out += static_cast<char>(c);
                } else if (c < 0x20 || c == 0x7f) {
                    char buffer[8];
                    std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
                    out += buffer;
                } else {
                    out += static_cast<char>(c);  // UTF-8 passes through as Python 3 prints it
                }
        }
    }
    out += quote;
    return out;
}

}  // namespace zaqard
