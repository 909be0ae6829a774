#include "src/api/errors.h"

#include "src/common/log.h"

namespace zaqard::api {

Response errorResponse(int status, const std::string& title,
                       const std::optional<std::string>& description) {
    Response response;
    response.status = status;
    Json body = Json::object();
    body.set("title", Json::string(title));
    if (description) body.set("description", Json::string(*description));
    response.body = std::move(body);
    return response;
}

Response badRequestApi(const std::string& description) {
    return errorResponse(400, "Invalid API request", description);
}

Response badRequestBody(const std::string& description) {
    return errorResponse(400, "Invalid request body", description);
}

Response documentTypeNotSupported() {
    return badRequestBody("Document type not supported.");
}

Response invalidIntParameter(const std::string& name) {
    return errorResponse(
        400, "Invalid parameter",
        "The \"" + name + "\" parameter is invalid. The value must be an integer.");
}

Response invalidBoolParameter(const std::string& name) {
    return errorResponse(400, "Invalid parameter",
                         "The \"" + name +
                             "\" parameter is invalid. The value of the parameter must be \"true\" "
                             "or \"false\".");
}

Response notFound(const std::string& description) {
    return errorResponse(404, "Not found", description);
}

Response routeNotFound() {
    return errorResponse(404, "404 Not Found");
}

Response conflict(const std::string& description) {
    return errorResponse(409, "Resource conflict", description);
}

Response serviceUnavailable(const std::string& sentence) {
    return errorResponse(503, "Service temporarily unavailable",
                         sentence + " Please try again in a few seconds.");
}

Response storageError(const Error& error, const std::string& sentence) {
    switch (error.kind) {
        case ErrorKind::NotFound:
            return notFound(error.message);
        case ErrorKind::Conflict:
            return conflict(error.message);
        case ErrorKind::Forbidden:
            return errorResponse(403, "Not authorized", error.message);
        case ErrorKind::BadRequest:
            return badRequestApi(error.message);
        case ErrorKind::Internal:
            // Logged where it was found (with the message id); the client gets a 500.
            return errorResponse(500, "Internal server error", error.message);
        case ErrorKind::Unavailable:
            break;
    }
    // The cause goes to the log only; clients get Zaqar's generic retry hint.
    log::warning(sentence + " (" + error.message + ")");
    return serviceUnavailable(sentence);
}

Response emptyResponse(int status) {
    Response response;
    response.status = status;
    return response;
}

std::string queueDoesNotExist(const std::string& queue, const std::string& project,
                              const char* noun) {
    return std::string(noun) + " " + queue + " does not exist for project " + project;
}

std::string messageDoesNotExist(const std::string& id, const std::string& queue,
                                const std::string& project, const char* noun) {
    return "Message " + id + " does not exist in " + noun + " " + queue + " for project " + project;
}

std::string claimDoesNotExist(const std::string& id, const std::string& queue,
                              const std::string& project, const char* noun) {
    return "Claim " + id + " does not exist in " + noun + " " + queue + " for project " + project;
}

}  // namespace zaqard::api
