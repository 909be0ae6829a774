// Zaqar's `_retry_policy` (notifications.md §5): validation with Zaqar's exact error
// texts, the choice between the subscription's and the queue's policy, and the schedule
// of delays before each retry.
//
// Beyond Zaqar:
//  * Delays are meant for timers (the engine re-schedules a durable job), never sleeps.
//  * With no policy at all our engine uses Zaqar's default schedule (1 attempt + 14
//    retries over about three minutes): the defaults below.
//  * Where Z15 crashes mid-schedule we keep going: a negative sleep counts as 0, and
//    the geometric/exponential/arithmetic phase is empty when its formula is undefined
//    (minimum_delay <= 0 for geometric/exponential, fewer than two steps), as Z15 stops
//    there; the maximum-delay phase still runs. Non-numeric values that are falsy
//    (null, "", [], {}) pass validation as in Zaqar and then count as the key's default.
//  * Integers are clamped to +/-2^31 so that no schedule arithmetic can overflow; the
//    schedule is computed per retry, never materialised (a policy may ask for millions).
#pragma once

#include <jansson.h>

#include <cstdint>
#include <optional>
#include <string>

namespace zaqard::notifiers {

enum class BackoffFunction { Linear, Arithmetic, Geometric, Exponential };

struct RetryPolicy {
    int64_t retries_with_no_delay = 3;
    int64_t minimum_delay_retries = 3;
    int64_t minimum_delay = 5;  // seconds
    int64_t maximum_delay = 30;
    int64_t maximum_delay_retries = 3;
    BackoffFunction retry_backoff_function = BackoffFunction::Linear;
    bool ignore_subscription_override = false;

    // Retries after the first attempt, all phases together (14 with the defaults).
    uint64_t totalRetries() const;
    // Seconds to wait before retry number `retry` (0-based); nullopt once exhausted.
    std::optional<int64_t> delayBeforeRetry(uint64_t retry) const;

    // Phase 3 alone: the number of backoff steps and the sleep of step `a` (1-based).
    uint64_t backoffSteps() const;
    int64_t backoffDelay(uint64_t a) const;
};

// Zaqar's LINEAR_INTERVAL: the fixed step of the backoff phase.
inline constexpr int64_t kLinearInterval = 5;

// Validates the value of `_retry_policy` (queue metadata or subscription options).
// Returns the Zaqar error description, or nullopt when valid. A null `value` (key
// absent) is valid.
std::optional<std::string> validateRetryPolicy(const json_t* value);

// A policy from a stored (validated) `_retry_policy`: each key missing, falsy non-number
// or of the wrong type falls back to its default.
RetryPolicy parseRetryPolicy(const json_t* value);

// Zaqar's selection: S = subscription options' `_retry_policy`, Q = queue metadata's.
// A truthy ignore_subscription_override in either -> Q; else S if non-empty, else Q.
RetryPolicy selectRetryPolicy(const json_t* subscriptionPolicy, const json_t* queuePolicy);

}  // namespace zaqard::notifiers
