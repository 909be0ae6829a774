// Confirmation gate; see confirmation_gate.h.
#include "notifiers/confirmation_gate.h"

#include <charconv>
#include <cstdint>
#include <utility>

namespace zaqard::notifiers {

namespace {

std::pair<uint64_t, uint64_t> parseStreamId(std::string_view id) {
    uint64_t ms = 0;
    uint64_t seq = 0;
    auto dash = id.find('-');
    std::string_view head = id.substr(0, dash);
    if (std::from_chars(head.data(), head.data() + head.size(), ms).ec != std::errc{})
        return {0, 0};
    if (dash != std::string_view::npos) {
        std::string_view tail = id.substr(dash + 1);
        if (std::from_chars(tail.data(), tail.data() + tail.size(), seq).ec != std::errc{}) seq = 0;
    }
    return {ms, seq};
}

}  // namespace

bool streamIdAtMost(std::string_view id, std::string_view bound) {
    return parseStreamId(id) <= parseStreamId(bound);
}

Gate confirmationGate(const storage::Subscription& subscription, std::string_view jobId,
                      bool requireConfirmation) {
    // WebSocket subscriptions never need confirmation (websocket-v2.md §5).
    if (!requireConfirmation || !subscription.connectionId.empty()) return Gate::Deliver;
    bool holds = json_is_true(subscription.options.at(storage::kHoldUntilConfirmedOption));
    if (!subscription.confirmed) return holds ? Gate::Hold : Gate::Skip;
    // Confirmed: a job written before the confirmation carries a message posted while
    // unconfirmed. Held ones come back here as retries once released: deliver them.
    bool before =
        !subscription.confirmedAfter.empty() && streamIdAtMost(jobId, subscription.confirmedAfter);
    if (before && !holds) return Gate::Skip;
    return Gate::Deliver;
}

}  // namespace zaqard::notifiers
