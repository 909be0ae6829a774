#include "notifiers/retry_policy.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace zaqard::notifiers {

namespace {

constexpr int64_t kClamp = int64_t{1} << 31;

// Python truthiness of a JSON value.
bool truthy(const json_t* value) {
    if (value == nullptr) return false;
    switch (json_typeof(value)) {
        case JSON_OBJECT:
            return json_object_size(value) > 0;
        case JSON_ARRAY:
            return json_array_size(value) > 0;
        case JSON_STRING:
            return json_string_length(value) > 0;
        case JSON_INTEGER:
            return json_integer_value(value) != 0;
        case JSON_REAL:
            return json_real_value(value) != 0.0;
        case JSON_TRUE:
            return true;
        default:
            return false;
    }
}

// isinstance(value, int): Python's bools are ints too.
bool isPythonInt(const json_t* value) {
    return json_is_integer(value) || json_is_boolean(value);
}

std::optional<int64_t> intValue(const json_t* value) {
    if (json_is_integer(value)) {
        return std::clamp<int64_t>(json_integer_value(value), -kClamp, kClamp);
    }
    if (json_is_boolean(value)) return json_is_true(value) ? 1 : 0;
    return std::nullopt;
}

std::optional<BackoffFunction> backoffByName(const char* name) {
    if (std::strcmp(name, "linear") == 0) return BackoffFunction::Linear;
    if (std::strcmp(name, "arithmetic") == 0) return BackoffFunction::Arithmetic;
    if (std::strcmp(name, "geometric") == 0) return BackoffFunction::Geometric;
    if (std::strcmp(name, "exponential") == 0) return BackoffFunction::Exponential;
    return std::nullopt;
}

const char* const kIntegerKeys[] = {"retries_with_no_delay", "minimum_delay_retries",
                                    "minimum_delay", "maximum_delay", "maximum_delay_retries"};

uint64_t count(int64_t value) {
    return value > 0 ? static_cast<uint64_t>(value) : 0;
}
int64_t sleepOf(int64_t value) {
    return std::max<int64_t>(value, 0);
}

}  // namespace

std::optional<std::string> validateRetryPolicy(const json_t* value) {
    if (value == nullptr || !truthy(value)) return std::nullopt;
    if (!json_is_object(value)) return std::string("retry_policy must be a dict.");
    auto* policy = const_cast<json_t*>(value);
    // Zaqar checks the keys in this order and reports the first failure.
    for (const char* key :
         {"retries_with_no_delay", "minimum_delay_retries", "minimum_delay", "maximum_delay",
          "maximum_delay_retries", "retry_backoff_function", "ignore_subscription_override"}) {
        json_t* item = json_object_get(policy, key);
        if (!truthy(item)) continue;
        if (std::strcmp(key, "retry_backoff_function") == 0) {
            if (!json_is_string(item))
                return std::string("retry_backoff_function must be a string.");
            if (!backoffByName(json_string_value(item))) {
                return std::string("invalid retry_backoff_function.");
            }
        } else if (std::strcmp(key, "ignore_subscription_override") == 0) {
            if (!json_is_boolean(item)) {
                return std::string("ignore_subscription_override must be a boolean.");
            }
        } else if (!isPythonInt(item)) {
            return "Retry policy: " + std::string(key) + " must be a integer.";
        }
    }
    RetryPolicy parsed = parseRetryPolicy(value);
    if (parsed.maximum_delay < parsed.minimum_delay) {
        return std::string("minimum_delay must less than maximum_delay.");
    }
    if (parsed.maximum_delay - parsed.minimum_delay < 2 * kLinearInterval) {
        return std::string("invalid minimum_delay and maximum_delay.");
    }
    return std::nullopt;
}

RetryPolicy parseRetryPolicy(const json_t* value) {
    RetryPolicy policy;
    if (!json_is_object(value)) return policy;
    auto* object = const_cast<json_t*>(value);
    int64_t* targets[] = {&policy.retries_with_no_delay, &policy.minimum_delay_retries,
                          &policy.minimum_delay, &policy.maximum_delay,
                          &policy.maximum_delay_retries};
    for (size_t i = 0; i < std::size(kIntegerKeys); ++i) {
        if (auto number = intValue(json_object_get(object, kIntegerKeys[i]))) *targets[i] = *number;
    }
    json_t* function = json_object_get(object, "retry_backoff_function");
    if (json_is_string(function)) {
        if (auto known = backoffByName(json_string_value(function))) {
            policy.retry_backoff_function = *known;
        }
    }
    policy.ignore_subscription_override =
        json_is_true(json_object_get(object, "ignore_subscription_override"));
    return policy;
}

RetryPolicy selectRetryPolicy(const json_t* subscriptionPolicy, const json_t* queuePolicy) {
    auto override = [](const json_t* policy) {
        return json_is_object(policy) &&
               truthy(json_object_get(const_cast<json_t*>(policy), "ignore_subscription_override"));
    };
    if (override(subscriptionPolicy) || override(queuePolicy)) return parseRetryPolicy(queuePolicy);
    if (json_is_object(subscriptionPolicy) && json_object_size(subscriptionPolicy) > 0) {
        return parseRetryPolicy(subscriptionPolicy);
    }
    return parseRetryPolicy(queuePolicy);
}

uint64_t RetryPolicy::backoffSteps() const {
    int64_t span = maximum_delay - minimum_delay;
    if (retry_backoff_function == BackoffFunction::Linear) {
        // range(min, max, 5)
        return span > 0 ? static_cast<uint64_t>((span + kLinearInterval - 1) / kLinearInterval) : 0;
    }
    // int((max - min) / 5) truncates toward zero, as C++ division does.
    int64_t n = span / kLinearInterval;
    if (n < 2) return 0;  // Z15 divides by n - 1 (or n(n-1)): ZeroDivisionError
    if (retry_backoff_function != BackoffFunction::Arithmetic && minimum_delay <= 0) return 0;
    return static_cast<uint64_t>(n);
}

int64_t RetryPolicy::backoffDelay(uint64_t a) const {
    auto min = static_cast<double>(minimum_delay);
    auto max = static_cast<double>(maximum_delay);
    auto n = static_cast<double>((maximum_delay - minimum_delay) / kLinearInterval);
    auto step = static_cast<double>(a);
    double value = 0;
    switch (retry_backoff_function) {
        case BackoffFunction::Linear:
            return minimum_delay + static_cast<int64_t>(a - 1) * kLinearInterval;
        case BackoffFunction::Geometric: {
            // Same floating-point operations as Z15: k = 10 ** (log10(max / min) / (n - 1)).
            double k = std::pow(10.0, std::log10(max / min) / (n - 1));
            value = min * std::pow(k, step - 1);
            break;
        }
        case BackoffFunction::Exponential: {
            double k = std::pow(10.0, std::log10(max / min) / (n - 1));
            value = (min / k) * std::pow(k, step);
            break;
        }
        case BackoffFunction::Arithmetic: {
            double d = 2.0 * (max - min) / (n * (n - 1));
            auto product = static_cast<int64_t>(a - 1) * static_cast<int64_t>(a);
            value = min + static_cast<double>(product) * d / 2;
            break;
        }
    }
    if (!std::isfinite(value)) return 0;
    return static_cast<int64_t>(std::clamp(value, -static_cast<double>(kClamp) * kClamp,
                                           static_cast<double>(kClamp) * kClamp));
}

uint64_t RetryPolicy::totalRetries() const {
    return count(retries_with_no_delay) + count(minimum_delay_retries) + backoffSteps() +
           count(maximum_delay_retries);
}

std::optional<int64_t> RetryPolicy::delayBeforeRetry(uint64_t retry) const {
    uint64_t phase = count(retries_with_no_delay);
    if (retry < phase) return 0;
    retry -= phase;
    phase = count(minimum_delay_retries);
    if (retry < phase) return sleepOf(minimum_delay);
    retry -= phase;
    phase = backoffSteps();
    if (retry < phase) return sleepOf(backoffDelay(retry + 1));
    retry -= phase;
    phase = count(maximum_delay_retries);
    if (retry < phase) return sleepOf(maximum_delay);
    return std::nullopt;
}

}  // namespace zaqard::notifiers
