// The answer of a paged listing (subscriptions, notification dead letters): the items under
// `name`; over REST also Zaqar's "links" (a next link unless the page is empty).
#pragma once

#include <string>

#include "src/api/handlers/call.h"
#include "src/api/query.h"

namespace zaqard::api::handlers {

// The marker and limit of a subscription-style listing (limit checked as Zaqar checks
// subscription pages; default 10). A rejection is the 400 to answer.
struct PageQuery {
    std::string marker;
    int64_t limit = 10;
};
Rejection readPageQuery(const CallPtr& call, QueryParams& params, PageQuery& out);

void replyPage(const CallPtr& call, const char* name, Json items, bool empty,
               const QueryParams& params, const std::string& nextMarker);

}  // namespace zaqard::api::handlers
