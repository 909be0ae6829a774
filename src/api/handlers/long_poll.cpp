// Long polling helpers of the claim and list responders; see long_poll.h.
#include "src/api/handlers/long_poll.h"

#include "src/api/validation.h"

namespace zaqard::api::handlers {

Rejection readWait(QueryParams& params, std::optional<int64_t>& wait) {
    return params.getInt("wait", wait);
}

Rejection checkWait(const CallPtr& call, int64_t wait) {
    if (auto problem = waitSeconds(wait, call->config.max_wait_seconds))
        return badRequestApi(*problem);
    return std::nullopt;
}

bool waits(const CallPtr& call, const std::optional<int64_t>& wait) {
    return wait && *wait > 0 && call->waiters != nullptr;
}

void longPoll(const CallPtr& call, Waiters::Kind kind, int64_t seconds, Waiters::Run run) {
    // The client left: its transport drops whatever is answered; 499 (nginx's "client
    // closed request") is what the request metrics count it as.
    auto abandon = [call] {
        Response gone;
        gone.status = 499;
        call->reply(std::move(gone));
    };
    call->waiters->wait(call->queue(), kind, std::chrono::seconds(seconds), std::move(run),
                        std::move(abandon), call->request.abandonment);
}

}  // namespace zaqard::api::handlers
