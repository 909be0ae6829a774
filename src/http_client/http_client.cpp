#include "src/http_client/http_client.h"

#include <strings.h>

#include <algorithm>
#include <memory>

#include "src/http_client/request_headers.h"

namespace zaqard::http_client {

namespace {

// What a transfer keeps alive while curl writes into it.
struct Exchange {
    CurlSlistPtr headers;
    std::string body;
    HttpResponse response;
    size_t maxResponseBytes = 0;
    char errorBuffer[CURL_ERROR_SIZE] = {};
};

size_t onBody(char* data, size_t size, size_t count, void* user) {
    auto* exchange = static_cast<Exchange*>(user);
    size_t bytes = size * count;
    if (exchange->response.body.size() + bytes > exchange->maxResponseBytes) return 0;
    exchange->response.body.append(data, bytes);
    return bytes;
}

size_t onHeader(char* data, size_t size, size_t count, void* user) {
    auto* exchange = static_cast<Exchange*>(user);
    size_t bytes = size * count;
    std::string_view line(data, bytes);
    // A new status line (redirect or 100 Continue) starts a new header block.
    if (line.rfind("HTTP/", 0) == 0) {
        exchange->response.headers.clear();
        return bytes;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return bytes;
    auto trim = [](std::string_view text) {
        while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
            text.remove_prefix(1);
        while (!text.empty() && (text.back() == '\r' || text.back() == '\n' || text.back() == ' ' ||
                                 text.back() == '\t'))
            text.remove_suffix(1);
        return text;
    };
    exchange->response.headers.emplace_back(std::string(trim(line.substr(0, colon))),
                                            std::string(trim(line.substr(colon + 1))));
    return bytes;
}

}  // namespace

std::string HttpResponse::header(const std::string& name) const {
    for (const auto& [key, value] : headers)
        if (strcasecmp(key.c_str(), name.c_str()) == 0) return value;
    return {};
}

void HttpClient::send(HttpRequest request, Callback callback) {
    auto exchange = std::make_shared<Exchange>();
    exchange->body = std::move(request.body);
    exchange->maxResponseBytes = request.maxResponseBytes;
    CurlEasyPtr easy(curl_easy_init());
    auto fail = [&](CURLcode code, std::string error) {
        HttpResponse response;
        response.curlCode = code;
        response.error = std::move(error);
        multi_.dispatcher().defer(
            [callback = std::move(callback), response]() { callback(response); });
    };
    if (!easy) return fail(CURLE_OUT_OF_MEMORY, curl_easy_strerror(CURLE_OUT_OF_MEMORY));

    exchange->headers = requestHeaderList(request.headers);

    CURL* e = easy.get();
    curl_easy_setopt(e, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    bool sendsBody = !exchange->body.empty() || request.method == "POST" ||
                     request.method == "PUT" || request.method == "PATCH";
    if (sendsBody) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, exchange->body.data());
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(exchange->body.size()));
    }
    if (request.method == "HEAD") curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    if (request.method != "GET" && request.method != "POST")
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, exchange->headers.get());
    curl_easy_setopt(e, CURLOPT_USERAGENT, "zaqard");
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(request.connectTimeout.count()));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(request.totalTimeout.count()));
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, request.insecure ? 0L : 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, request.insecure ? 0L : 2L);
    if (!request.caFile.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, request.caFile.c_str());
    curl_easy_setopt(e, CURLOPT_PROXY, "");  // environment proxies are ignored
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &onBody);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, exchange.get());
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &onHeader);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, exchange.get());
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, exchange->errorBuffer);

    bool added =
        multi_.add(std::move(easy), [exchange, callback](CurlEasyPtr done, CURLcode result) {
            HttpResponse response = std::move(exchange->response);
            response.curlCode = result;
            curl_easy_getinfo(done.get(), CURLINFO_RESPONSE_CODE, &response.status);
            if (result != CURLE_OK) {
                response.error = exchange->errorBuffer[0] != '\0' ? exchange->errorBuffer
                                                                  : curl_easy_strerror(result);
            }
            callback(std::move(response));
        });
    if (!added) fail(CURLE_FAILED_INIT, "curl refused the transfer");
}

}  // namespace zaqard::http_client
