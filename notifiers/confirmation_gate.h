// Whether a notification reaches a subscription under `[notification]
// require_confirmation` (notifications.md §1, docs/notifications.md "Confirmation").
// Zaqar and SNS skip unconfirmed subscribers: a message posted while a subscription is
// unconfirmed is never delivered to it, not even after it confirms. A zaqard subscription
// option (storage::kHoldUntilConfirmedOption) holds such messages instead and delivers
// them on confirmation.
//
// The decision compares the stream id of the job that carried the message with the
// subscription's confirmed-after id; notify_fetch.lua reads both in one atomic call, and
// the confirm operation of subscription_write.lua sets the latter from the same stream,
// so a job still waiting in the stream when the confirmation lands is judged by when it
// was posted, not by when a notifier happens to read it.
#pragma once

#include <string_view>

#include "storage/types.h"

namespace zaqard::notifiers {

enum class Gate {
    Deliver,  // send it now
    Hold,     // keep it until the subscription is confirmed (hold option only)
    Skip,     // posted while unconfirmed: never delivered to this subscription
};

// `jobId`: the stream id of the message's job ("<ms>-<seq>").
Gate confirmationGate(const storage::Subscription& subscription, std::string_view jobId,
                      bool requireConfirmation);

// Stream ids compare as (ms, seq) pairs; an unparsable or empty id sorts first.
bool streamIdAtMost(std::string_view id, std::string_view bound);

}  // namespace zaqard::notifiers
