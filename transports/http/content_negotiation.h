// The Accept / Content-Type rules Zaqar gets from falcon (rest-v2.md §1.2 #2, #3): which
// clients accept JSON (mimeparse.quality), and how falcon serialises an error for a client
// (JSON, XML, or an empty body). Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace zaqard::http {

// falcon's req.client_accepts(mediaType); an absent or empty Accept accepts everything.
bool clientAccepts(std::string_view accept, std::string_view mediaType);

enum class ErrorFormat { Json, Xml, TextXml, None };

// falcon's default_serialize_error choice for this Accept header.
ErrorFormat errorFormat(std::string_view accept);

// Zaqar's urlencoded guard: the whole Content-Type, compared case-insensitively.
bool isFormUrlEncoded(std::string_view contentType);

// An error document as falcon renders it in `format` ({"title", "description"} or
// <error><title/><description/></error>); empty for ErrorFormat::None.
std::string renderError(ErrorFormat format, std::string_view title, std::string_view description);
const char* errorContentType(ErrorFormat format);

}  // namespace zaqard::http
