// What the engine does after one delivery attempt, whatever the channel.
#pragma once

namespace zaqard::notifiers {

enum class DeliveryOutcome {
    Success,  // delivered
    Retry,    // transient failure: schedule the next attempt of the retry policy
    GiveUp,   // permanent failure: retrying cannot help
};

}  // namespace zaqard::notifiers
