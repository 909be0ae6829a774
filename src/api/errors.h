// Zaqar's error responses: status, title and description exactly as falcon and Zaqar's
// wsgi/errors.py produce them (rest-v2.md §1.7). Handlers build every error through here.
#pragma once

#include <optional>
#include <string>

#include "src/api/request.h"
#include "src/common/result.h"

namespace zaqard::api {

// A validation step either passes (nullopt) or carries the response to send.
using Rejection = std::optional<Response>;

Response errorResponse(int status, const std::string& title,
                       const std::optional<std::string>& description = std::nullopt);

// 400 "Invalid API request": semantic validation (limits, TTLs, reserved metadata on PUT).
Response badRequestApi(const std::string& description);
// 400 "Invalid request body": JSON and type problems, PATCH-queue validation.
Response badRequestBody(const std::string& description);
// 400 "Invalid request body" / "Document type not supported."
Response documentTypeNotSupported();
// 400 "Invalid parameter" for a query parameter that is not an int / bool.
Response invalidIntParameter(const std::string& name);
Response invalidBoolParameter(const std::string& name);
// 404 "Not found" with the storage-style description.
Response notFound(const std::string& description);
// 404 with title "404 Not Found" and no description (unknown route).
Response routeNotFound();
// 409 "Resource conflict".
Response conflict(const std::string& description);
// 503 "Service temporarily unavailable"; `sentence` is the route's first sentence.
Response serviceUnavailable(const std::string& sentence);
// A storage failure: Unavailable (and anything unexpected) -> 503 with `sentence`;
// 4xx kinds carry their ready description in Error::message.
Response storageError(const Error& error, const std::string& sentence);

// 204/201 etc. without a body.
Response emptyResponse(int status);

// Zaqar's storage "does not exist" texts (zaqar/storage/errors.py). `noun` names the
// resource (QueueDoesNotExist "Queue", TopicDoesNotExist "Topic"; lower case inside).
std::string queueDoesNotExist(const std::string& queue, const std::string& project,
                              const char* noun = "Queue");
std::string messageDoesNotExist(const std::string& id, const std::string& queue,
                                const std::string& project, const char* noun = "queue");
std::string claimDoesNotExist(const std::string& id, const std::string& queue,
                              const std::string& project, const char* noun = "queue");

}  // namespace zaqard::api
