#include "notifiers/curl_handles.h"

#include <mutex>

namespace zaqard::notifiers {

void ensureCurlGlobalInit() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace zaqard::notifiers
