// Long polling for the claim and list responders (beyond Zaqar; docs/api.md): reading the
// `wait` parameter and handing a request to the shard's Waiters (src/api/waiters.h).
#pragma once

#include <cstdint>
#include <optional>

#include "src/api/errors.h"
#include "src/api/handlers/call.h"
#include "src/api/query.h"
#include "src/api/waiters.h"

namespace zaqard::api::handlers {

// `wait` as falcon reads an int (REST ?wait=, WebSocket body field "wait"): a non-integer
// is the usual "Invalid parameter" 400. Absent: nullopt.
Rejection readWait(QueryParams& params, std::optional<int64_t>& wait);
// 0 to [zaqard] max_wait_seconds, else a 400 with Zaqar's error body.
Rejection checkWait(const CallPtr& call, int64_t wait);
// Whether the request waits: a positive `wait` on a shard that has waiters.
bool waits(const CallPtr& call, const std::optional<int64_t>& wait);
// Parks the call (Waiters::wait) for `seconds`; `run` makes one try.
void longPoll(const CallPtr& call, Waiters::Kind kind, int64_t seconds, Waiters::Run run);

}  // namespace zaqard::api::handlers
