// WebSocket response shapes (websocket-v2.md §3): Zaqar's v2 WebSocket endpoints answer
// the same operations as REST with other bodies — no hrefs or links, sentences as 2xx
// bodies, {"exception", "error"} error bodies. Handlers pick this renderer when
// Request::dialect is WebSocket.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "src/api/request.h"
#include "src/common/json.h"
#include "storage/types.h"

namespace zaqard::api::ws {

// {"id", "claim_id", "ttl", "age", "body"}; claim_id is null when `claimId` is empty.
Json message(const storage::Message& m, const std::string& claimId);

// claim_create's 201 body as text: {"claim_id", "messages": [message(), ...]}, what
// dumping that Json would give (byte for byte when the stored bodies are compact). Stored
// bodies are spliced in unparsed, as rest::messagesText does: a parse and a dump less per
// claimed message.
std::string claimCreatedText(const std::vector<storage::Message>& messages,
                             const std::string& claimId);

// Pop items: {"id", "age", "ttl", "body", "claim_id": null, "claim_count"}.
Json popItem(const storage::Message& m);

// claim_get: {"age", "ttl", "messages"} (no href).
Json claim(const storage::ClaimInfo& info);

// {"messages": {"claimed", "free", "total"[, "oldest", "newest"]}} where oldest/newest are
// the raw stored view {"id", "age", "created"} (no href).
Json stats(const storage::QueueStats& s);

// A response whose body is `body` (an object, a list or a plain string).
Response reply(int status, Json body);
// A reply whose body is a human sentence, e.g. "Queue q created." (2xx) or the 409
// "Subscription q not created.".
Response sentence(int status, const std::string& text);

// Zaqar's error_response: {"exception": <detail>, "error": <summary or null>}.
Response error(int status, const std::string& exception,
               const std::optional<std::string>& summary = std::nullopt);

// What an error body needs to know about the request it answers.
struct ErrorContext {
    Action action = Action::Ping;
    std::string queue;
    std::string subscriptionId;
};
ErrorContext errorContext(const Request& request);

// Zaqar's `error` summary when storage fails under an action (endpoints.py): its own
// sentence where the endpoint catches storage errors ("Queues could not be listed.",
// "Cannot retrieve queue q.", ...), null for queue_purge, and on_exception_sends_500's
// "Unexpected error." for the endpoints that catch nothing.
std::optional<std::string> failureSummary(const ErrorContext& context);

// Rewrites a REST-shaped error ({"title", "description"}) into the WebSocket shape
// {"exception": <description>, "error": <summary or null>}; any other response is returned
// unchanged. Field-level body errors ("Invalid request body") get the "Bad request. "
// prefix of Zaqar's BadRequest (not "Document type not supported.", its own exception);
// 5xx get failureSummary() as the summary.
Response fromRestError(Response response, const ErrorContext& context);

}  // namespace zaqard::api::ws
