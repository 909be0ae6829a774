// The answer of a paged listing (subscriptions, notification dead letters): the items under
// `name`; over REST also Zaqar's "links" (a next link unless the page is empty).
#pragma once

#include <string>

#include "src/api/handlers/call.h"
#include "src/api/query.h"

namespace zaqard::api::handlers {

void replyPage(const CallPtr& call, const char* name, Json items, bool empty,
               const QueryParams& params, const std::string& nextMarker);

}  // namespace zaqard::api::handlers
