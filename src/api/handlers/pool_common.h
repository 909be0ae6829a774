// What the pool and flavor responders share (rest-v2.md §9): Zaqar's body loading
// (wsgi_utils.load), the schema checks with clean messages, and a sequential pool writer.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "src/api/errors.h"
#include "src/api/handlers/call.h"
#include "storage/pooling/management.h"

namespace zaqard::api::handlers {

// wsgi_utils.load: any JSON value, else 400 "JSON could not be parsed."
Rejection loadBody(const Request& request, Json& out);
// 400 "Invalid request body" with a schema message.
Response schemaError(const std::string& message);
// 503 when pooling is off (the routes are not even routed then: defensive).
storage::pooling::ManagementStore* management(const CallPtr& call);
// The pool rendered as Zaqar does: name, uri, weight, flavor (null when none), options when
// detailed; href added by the caller.
Json poolDocument(const storage::pooling::PoolInfo& pool, bool detailed);
// The pool called `name` in `pools`, or null.
const storage::pooling::PoolInfo* findPool(const std::vector<storage::pooling::PoolInfo>& pools,
                                           const std::string& name);
// Writes the pools one after the other, then tells every process ("pools").
void writePools(storage::pooling::ManagementStore& store,
                std::vector<storage::pooling::PoolInfo> pools, std::function<void(Status)> done);

}  // namespace zaqard::api::handlers
