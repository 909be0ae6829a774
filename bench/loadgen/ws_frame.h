// The websocket rendering of the transport-neutral Request/Response (request.h): a REST
// method + path + body becomes a Zaqar v2 websocket request frame
//   {"action": "message_post", "headers": {"Client-ID": ..., "X-Project-ID": ...},
//    "body": {"queue_name": "q", "messages": [...]}}
// and a reply frame {"request": <echo>, "body": ..., "headers": {"status": N}} becomes
// Response{status, body}, so scenarios and statistics do not know which transport ran.
#pragma once

#include <string>
#include <string_view>

#include "loadgen/request.h"

namespace zqbench {

// Appends the frame for `request` to `out`. False (with a reason, `out` unchanged) when
// no websocket action carries that REST call.
bool renderWsFrame(const Request& request, std::string_view clientId, std::string_view project,
                   std::string* out, std::string* error);

enum class WsReply { Reply, NotReply, Malformed };
// A reply fills `response` (status and the raw JSON text of "body"); a frame without
// headers.status (a notification pushed to the connection) is NotReply.
WsReply parseWsReply(std::string_view frame, Response* response);

}  // namespace zqbench
