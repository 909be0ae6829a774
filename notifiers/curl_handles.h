// libcurl's RAII owners, shared with the other curl users (src/http_client/curl_handles.h).
#pragma once

#include "src/http_client/curl_handles.h"

namespace zaqard::notifiers {

using http_client::CurlEasyPtr;
using http_client::CurlMultiPtr;
using http_client::CurlSlistPtr;
using http_client::ensureCurlGlobalInit;

}  // namespace zaqard::notifiers
