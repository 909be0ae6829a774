#include "transports/http/response_writer.h"

#include <event2/buffer.h>

namespace zaqard::http {

void sendResponse(evhttp_request* request, const api::Response& response,
                  const ReplyOptions& options) {
    evkeyvalq* headers = evhttp_request_get_output_headers(request);
    std::string body = !response.rawBody.empty() ? response.rawBody
                       : response.body           ? response.body.dump()
                                                 : std::string();
    if (!body.empty() && !response.contentType.empty())
        evhttp_add_header(headers, "Content-Type", response.contentType.c_str());
    for (const auto& [name, value] : response.headers)
        evhttp_add_header(headers, name.c_str(), value.c_str());
    if (!options.requestId.empty())
        evhttp_add_header(headers, "X-Request-ID", options.requestId.c_str());
    if (options.closeConnection) evhttp_add_header(headers, "Connection", "close");
    if (!body.empty())
        evbuffer_add(evhttp_request_get_output_buffer(request), body.data(), body.size());
    evhttp_send_reply(request, response.status, nullptr, nullptr);
}

}  // namespace zaqard::http
