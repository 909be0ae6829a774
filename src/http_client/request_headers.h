// Request headers as curl wants them, for every curl user (webhooks, Keystone).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "src/http_client/curl_handles.h"

namespace zaqard::http_client {

// curl's header list for `headers`. A pair whose name is empty or holds ':', ' ', CR, LF
// or NUL, or whose value holds CR, LF or NUL, is left out: header values can come from
// users (a subscription's post_headers) and must not inject lines. An empty value is sent
// as "Name;" (curl's spelling); "Expect:" is added so larger bodies are not held back for
// a 100-continue round trip.
CurlSlistPtr requestHeaderList(const std::vector<std::pair<std::string, std::string>>& headers);

}  // namespace zaqard::http_client
