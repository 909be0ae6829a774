#include "src/http_client/curl_handles.h"

#include <mutex>

namespace zaqard::http_client {

void ensureCurlGlobalInit() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace zaqard::http_client
