// RAII owners for libcurl's C handles, shared by every curl user (notifiers, auth).
#pragma once

#include <curl/curl.h>

#include <memory>

namespace zaqard::http_client {

struct CurlEasyDeleter {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct CurlMultiDeleter {
    void operator()(CURLM* handle) const { curl_multi_cleanup(handle); }
};
struct CurlSlistDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

using CurlEasyPtr = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlMultiPtr = std::unique_ptr<CURLM, CurlMultiDeleter>;
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlSlistDeleter>;

// curl_global_init() once per process, before the first handle (it is not thread-safe
// on older libcurl, so every user goes through this).
void ensureCurlGlobalInit();

}  // namespace zaqard::http_client
