// api::Response -> the evhttp reply: status, Content-Type (only with a body), the api's
// extra headers, X-Request-ID, and the body (pre-rendered text or compact JSON).
#pragma once

#include <event2/http.h>

#include <string>

#include "src/api/request.h"

namespace zaqard::http {

struct ReplyOptions {
    std::string requestId;
    bool closeConnection = false;  // draining: tell keep-alive clients to go
};

// Sends the reply; `request` belongs to evhttp again afterwards and must not be used.
void sendResponse(evhttp_request* request, const api::Response& response,
                  const ReplyOptions& options);

}  // namespace zaqard::http
