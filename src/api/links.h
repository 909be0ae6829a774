// Pagination links (rest-v2.md §1.9): the request path plus the query parameters the
// server read, in read order, with `marker` set to the last item of the page.
#pragma once

#include <string>
#include <string_view>

#include "src/api/query.h"
#include "src/common/json.h"

namespace zaqard::api {

// Percent-encodes everything but RFC 3986 unreserved characters, as falcon's
// to_query_str does.
std::string percentEncode(std::string_view text);

// "?a=1&b=x" from the read parameters (empty string when there are none).
std::string toQueryString(const QueryPairs& params);

// The href of the `next` link: path + query of `read` with marker set to `marker`.
std::string nextPageHref(const std::string& path, QueryPairs read, const std::string& marker);

// `[]` for an empty page, else [{"rel": "next", "href": ...}].
Json pageLinks(bool pageEmpty, const std::string& href);

}  // namespace zaqard::api
