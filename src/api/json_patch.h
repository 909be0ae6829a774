// PATCH /v2/queues/{q}: Zaqar's draft-10 JSON-Patch subset on queue metadata
// (rest-v2.md §4.4): add / remove / replace of `/metadata/<key>`, with Zaqar's exact
// validation texts and its tolerance for unset reserved keys.
#pragma once

#include <jansson.h>

#include <optional>
#include <string>
#include <vector>

#include "src/common/json.h"

namespace zaqard::api {

struct PatchOperation {
    enum class Op { Add, Remove, Replace } op = Op::Add;
    std::string key;  // the decoded second pointer segment
    Json value;       // add / replace only
};

struct PatchParse {
    std::vector<PatchOperation> operations;
    std::optional<std::string> error;  // "Invalid request body" description
};

// Validates every operation of `changes` (a JSON array) as Validator.queue_patching does.
PatchParse parsePatch(const json_t* changes);

// Applies the operations to the stored metadata object in place. On a conflict answers the
// "Resource conflict" description and leaves `metadata` partially changed (callers discard it).
// `topic`: a topic's metadata, which tolerates only its three defaulted reserved keys.
std::optional<std::string> applyPatch(Json& metadata, const std::vector<PatchOperation>& ops,
                                      bool topic = false);

}  // namespace zaqard::api
