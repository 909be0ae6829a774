// Verification of pre-signed URLs on incoming requests (auth-and-config.md §3.3,
// websocket-v2.md §4.1): the request carries the share document as URL-* headers and is
// let through only if its method and path are among the signed ones, the expiry is in
// the future and the HMAC matches.
#pragma once

#include <string>
#include <string_view>

#include "src/api/request.h"

namespace zaqard::api {

// Whether the request carries a signature to verify: a URL-Signature header, even an
// empty one (Debian's behaviour; upstream skipped empty values, an authentication bypass
// under Keystone).
bool hasUrlSignature(const Headers& headers);

// REST form: URL-Methods and URL-Paths are comma-separated. Unlike Zaqar's unanchored
// regular-expression search, a signed path grants the request path only when they are
// equal or the request continues it at a segment boundary ("/v2/queues/q/messages" grants
// ".../messages/<id>", never "/v2/queues/q2/messages" or ".../messagesX").
// `now` is in seconds since the epoch. Any failure means 404 for the caller.
bool verifySignedRequest(const std::string& secretKey, std::string_view method,
                         std::string_view path, const Headers& headers, double now);

// WebSocket form: URL-Methods and URL-Paths are JSON arrays (the transport passes array
// headers as their JSON text). The action's row gives the method and path (`signedFrame`:
// GET for message list/get/get-many, POST for message_post, DELETE for message deletes;
// any other action fails), the frame's parameters fill the path: e.g.
// "/v2/queues/<queue>/messages" must be a signed path or continue one (Z15 checked no
// path at all).
bool verifySignedFrame(const std::string& secretKey, Action action, const PathParams& params,
                       const Headers& headers, double now);
// The same for a frame on queue `queueName`.
bool verifySignedFrame(const std::string& secretKey, Action action, const std::string& queueName,
                       const Headers& headers, double now);

// The HTTP method an action is served under (its REST route): "GET", "POST", ... ; "" for
// actions without a route (MethodNotAllowed, whose method the api does not know).
const char* methodOfAction(Action action);

// Whether `path` is `signedPath` or continues it at a "/" boundary.
bool signedPathCovers(std::string_view signedPath, std::string_view path);

}  // namespace zaqard::api
