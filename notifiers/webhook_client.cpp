#include "notifiers/webhook_client.h"

#include <algorithm>

#include "src/http_client/request_headers.h"

namespace zaqard::notifiers {

namespace {

// What a transfer keeps alive while curl uses it.
struct Transfer {
    CurlSlistPtr headers;
    std::string body;
    char errorBuffer[CURL_ERROR_SIZE] = {};
};

size_t discardBody(char*, size_t size, size_t count, void*) {
    return size * count;
}

}  // namespace

DeliveryOutcome classifyWebhookResult(const WebhookResult& result) {
    if (result.curlCode != CURLE_OK) {
        switch (result.curlCode) {
            case CURLE_URL_MALFORMAT:
            case CURLE_UNSUPPORTED_PROTOCOL:
            case CURLE_BAD_FUNCTION_ARGUMENT:
            case CURLE_TOO_MANY_REDIRECTS:
                return DeliveryOutcome::GiveUp;
            default:
                // Refused, reset, DNS, TLS, timeouts: the receiver may come back.
                return DeliveryOutcome::Retry;
        }
    }
    long status = result.httpStatus;
    if (status >= 200 && status < 300) return DeliveryOutcome::Success;
    if (status >= 500 || status == 429) return DeliveryOutcome::Retry;
    return DeliveryOutcome::GiveUp;
}

WebhookClient::WebhookClient(event::Dispatcher& dispatcher, WebhookOptions options)
    : dispatcher_(dispatcher),
      options_(std::move(options)),
      alive_(std::make_shared<bool>(true)),
      multi_(dispatcher, http_client::CurlMultiLimits{options_.maxConnectionsPerHost,
                                                      options_.maxTotalConnections,
                                                      options_.maxCachedConnections}) {}

WebhookClient::~WebhookClient() {
    *alive_ = false;
}

void WebhookClient::post(WebhookRequest request, Callback callback) {
    auto transfer = std::make_shared<Transfer>();
    CurlEasyPtr handle(curl_easy_init());
    transfer->body = std::move(request.body);
    CURL* easy = handle.get();
    if (easy == nullptr) {
        complete(std::move(callback),
                 {CURLE_OUT_OF_MEMORY, 0, curl_easy_strerror(CURLE_OUT_OF_MEMORY)});
        return;
    }

    transfer->headers = http_client::requestHeaderList(request.headers);

    curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, transfer->body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(transfer->body.size()));
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer->headers.get());
    curl_easy_setopt(easy, CURLOPT_USERAGENT, options_.userAgent.c_str());
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connectTimeout.count()));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.totalTimeout.count()));
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options_.caFile.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options_.caFile.c_str());
    curl_easy_setopt(easy, CURLOPT_PROXY, options_.proxy.c_str());
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &discardBody);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->errorBuffer);

    // CurlMulti calls back from a deferred call already: answer directly.
    bool added = multi_.add(
        std::move(handle), [transfer, callback, alive = alive_](CurlEasyPtr done, CURLcode code) {
            if (!*alive || !callback) return;
            WebhookResult result;
            result.curlCode = code;
            curl_easy_getinfo(done.get(), CURLINFO_RESPONSE_CODE, &result.httpStatus);
            if (code != CURLE_OK) {
                result.error = transfer->errorBuffer[0] != '\0' ? transfer->errorBuffer
                                                                : curl_easy_strerror(code);
            }
            callback(result);
        });
    if (!added) complete(std::move(callback), {CURLE_FAILED_INIT, 0, "curl refused the transfer"});
}

void WebhookClient::complete(Callback callback, WebhookResult result) {
    dispatcher_.defer([alive = alive_, callback = std::move(callback), result = std::move(result)] {
        if (*alive && callback) callback(result);
    });
}

}  // namespace zaqard::notifiers
