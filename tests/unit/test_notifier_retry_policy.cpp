// `_retry_policy`: validation texts, selection and the delay schedule (notifications.md §5),
// checked against Zaqar 15's own backoff functions.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "notifiers/retry_policy.h"
#include "src/common/json.h"

namespace zaqard::notifiers {
namespace {

std::vector<int64_t> schedule(const RetryPolicy& policy) {
    std::vector<int64_t> delays;
    for (uint64_t i = 0; i < policy.totalRetries(); ++i)
        delays.push_back(*policy.delayBeforeRetry(i));
    EXPECT_FALSE(policy.delayBeforeRetry(policy.totalRetries()).has_value());
    return delays;
}

std::vector<int64_t> backoff(int64_t min, int64_t max, BackoffFunction function) {
    RetryPolicy policy;
    policy.minimum_delay = min;
    policy.maximum_delay = max;
    policy.retry_backoff_function = function;
    std::vector<int64_t> delays;
    for (uint64_t a = 1; a <= policy.backoffSteps(); ++a) delays.push_back(policy.backoffDelay(a));
    return delays;
}

std::optional<std::string> validate(const char* json) {
    Json value = parseJsonValue(json);
    return validateRetryPolicy(value.get());
}

TEST(NotifierRetryPolicy, DefaultScheduleIsZaqars) {
    RetryPolicy policy;
    EXPECT_EQ(policy.totalRetries(), 14u);
    EXPECT_EQ(schedule(policy),
              (std::vector<int64_t>{0, 0, 0, 5, 5, 5, 5, 10, 15, 20, 25, 30, 30, 30}));
}

TEST(NotifierRetryPolicy, BackoffTableOfTheSpec) {
    using F = BackoffFunction;
    EXPECT_EQ(backoff(5, 30, F::Linear), (std::vector<int64_t>{5, 10, 15, 20, 25}));
    EXPECT_EQ(backoff(5, 30, F::Geometric), (std::vector<int64_t>{5, 7, 12, 19, 30}));
    EXPECT_EQ(backoff(5, 30, F::Exponential), (std::vector<int64_t>{5, 7, 12, 19, 30}));
    EXPECT_EQ(backoff(5, 30, F::Arithmetic), (std::vector<int64_t>{5, 7, 12, 20, 30}));
    // Precomputed with zaqar.notification.tasks.webhook (Zaqar 15).
    EXPECT_EQ(backoff(7, 61, F::Arithmetic),
              (std::vector<int64_t>{7, 8, 10, 14, 19, 25, 32, 40, 50, 61}));
    EXPECT_EQ(backoff(7, 61, F::Geometric),
              (std::vector<int64_t>{7, 8, 11, 14, 18, 23, 29, 37, 47, 60}));
    EXPECT_EQ(backoff(3, 20, F::Linear), (std::vector<int64_t>{3, 8, 13, 18}));
    EXPECT_EQ(backoff(3, 20, F::Exponential), (std::vector<int64_t>{3, 7, 20}));
}

// Runs Zaqar's own functions with /usr/bin/python3 and compares every value.
TEST(NotifierRetryPolicy, MatchesZaqarFunctionsForManyRanges) {
    const char* script =
        "/usr/bin/python3 -W ignore -c \""
        "from zaqar.notification.tasks import webhook as w\n"
        "for mn, mx in [(5, 30), (1, 100), (7, 61), (3, 20), (2, 1000), (10, 20), (13, 97), "
        "(1, 11), (30, 3600)]:\n"
        "  for name in ['linear', 'arithmetic', 'geometric', 'exponential']:\n"
        "    print(mn, mx, name, *w.RETRY_BACKOFF_FUNCTION_MAP[name](mn, mx, 5))\n"
        "\" 2>/dev/null";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(script, "r"), pclose);
    ASSERT_TRUE(pipe);
    std::string output;
    char buffer[4096];
    while (size_t n = fread(buffer, 1, sizeof buffer, pipe.get())) output.append(buffer, n);
    if (output.empty()) GTEST_SKIP() << "python3-zaqar is not installed";
    size_t lines = 0;
    size_t start = 0;
    while (start < output.size()) {
        size_t end = output.find('\n', start);
        std::string line = output.substr(start, end - start);
        start = end == std::string::npos ? output.size() : end + 1;
        char name[32];
        long long min = 0, max = 0;
        int consumed = 0;
        ASSERT_EQ(sscanf(line.c_str(), "%lld %lld %31s%n", &min, &max, name, &consumed), 3);
        std::vector<int64_t> expected;
        for (const char* p = line.c_str() + consumed; *p;) {
            char* next = nullptr;
            long long value = strtoll(p, &next, 10);
            if (next == p) break;
            expected.push_back(value);
            p = next;
        }
        BackoffFunction function = std::string(name) == "linear"       ? BackoffFunction::Linear
                                   : std::string(name) == "arithmetic" ? BackoffFunction::Arithmetic
                                   : std::string(name) == "geometric"
                                       ? BackoffFunction::Geometric
                                       : BackoffFunction::Exponential;
        EXPECT_EQ(backoff(min, max, function), expected) << line;
        ++lines;
    }
    EXPECT_EQ(lines, 36u);
}

TEST(NotifierRetryPolicy, CustomPolicySchedule) {
    Json value = parseJsonValue(
        R"({"retries_with_no_delay": 1, "minimum_delay_retries": 2, "minimum_delay": 2,)"
        R"( "maximum_delay": 14, "maximum_delay_retries": 1, "retry_backoff_function": "linear"})");
    RetryPolicy policy = parseRetryPolicy(value.get());
    EXPECT_EQ(schedule(policy), (std::vector<int64_t>{0, 2, 2, 2, 7, 12, 14}));
}

TEST(NotifierRetryPolicy, MissingKeysFallBackIndividually) {
    Json value = parseJsonValue(R"({"maximum_delay": 20, "retries_with_no_delay": 0})");
    RetryPolicy policy = parseRetryPolicy(value.get());
    EXPECT_EQ(policy.retries_with_no_delay, 0);
    EXPECT_EQ(policy.minimum_delay, 5);
    EXPECT_EQ(policy.maximum_delay, 20);
    EXPECT_EQ(schedule(policy), (std::vector<int64_t>{5, 5, 5, 5, 10, 15, 20, 20, 20}));
}

TEST(NotifierRetryPolicy, HugeCountsAreComputedLazily) {
    Json value = parseJsonValue(R"({"retries_with_no_delay": 100000000000})");
    RetryPolicy policy = parseRetryPolicy(value.get());
    EXPECT_EQ(policy.retries_with_no_delay, int64_t{1} << 31);
    EXPECT_EQ(policy.delayBeforeRetry(1000000).value(), 0);
    EXPECT_EQ(policy.delayBeforeRetry((uint64_t{1} << 31) + 3).value(), 5);
}

TEST(NotifierRetryPolicy, UndefinedGeometricPhaseIsSkipped) {
    RetryPolicy policy;
    policy.minimum_delay = 0;
    policy.retry_backoff_function = BackoffFunction::Geometric;
    EXPECT_EQ(policy.backoffSteps(), 0u);
    EXPECT_EQ(schedule(policy), (std::vector<int64_t>{0, 0, 0, 0, 0, 0, 30, 30, 30}));
}

TEST(NotifierRetryPolicy, ValidationTexts) {
    EXPECT_EQ(validate("null"), std::nullopt);
    EXPECT_EQ(validate("{}"), std::nullopt);
    EXPECT_EQ(validate("0"), std::nullopt);  // falsy: not checked
    EXPECT_EQ(validate("\"\""), std::nullopt);
    EXPECT_EQ(validate("[1]"), "retry_policy must be a dict.");
    EXPECT_EQ(validate("\"x\""), "retry_policy must be a dict.");
    EXPECT_EQ(validate(R"({"retry_backoff_function": 1})"),
              "retry_backoff_function must be a string.");
    EXPECT_EQ(validate(R"({"retry_backoff_function": "cubic"})"),
              "invalid retry_backoff_function.");
    EXPECT_EQ(validate(R"({"retry_backoff_function": ""})"), std::nullopt);
    EXPECT_EQ(validate(R"({"ignore_subscription_override": 1})"),
              "ignore_subscription_override must be a boolean.");
    EXPECT_EQ(validate(R"({"ignore_subscription_override": 0})"), std::nullopt);
    EXPECT_EQ(validate(R"({"minimum_delay": "5"})"),
              "Retry policy: minimum_delay must be a integer.");
    EXPECT_EQ(validate(R"({"retries_with_no_delay": 1.5})"),
              "Retry policy: retries_with_no_delay must be a integer.");
    EXPECT_EQ(validate(R"({"maximum_delay_retries": true})"), std::nullopt);  // bool is an int
    EXPECT_EQ(validate(R"({"minimum_delay": 0.0})"), std::nullopt);
    EXPECT_EQ(validate(R"({"maximum_delay": 4})"), "minimum_delay must less than maximum_delay.");
    EXPECT_EQ(validate(R"({"minimum_delay": 10, "maximum_delay": 19})"),
              "invalid minimum_delay and maximum_delay.");
    EXPECT_EQ(validate(R"({"minimum_delay": 10, "maximum_delay": 20, "unknown": "x"})"),
              std::nullopt);
    // Keys are checked in Zaqar's order.
    EXPECT_EQ(validate(R"({"ignore_subscription_override": "y", "minimum_delay": "x"})"),
              "Retry policy: minimum_delay must be a integer.");
}

TEST(NotifierRetryPolicy, Selection) {
    Json subscription = parseJsonValue(R"({"retries_with_no_delay": 1})");
    Json queue = parseJsonValue(R"({"retries_with_no_delay": 2})");
    Json queueOverride =
        parseJsonValue(R"({"retries_with_no_delay": 2, "ignore_subscription_override": true})");
    Json subscriptionOverride =
        parseJsonValue(R"({"retries_with_no_delay": 1, "ignore_subscription_override": true})");
    Json empty = parseJsonValue("{}");
    EXPECT_EQ(selectRetryPolicy(subscription.get(), queue.get()).retries_with_no_delay, 1);
    EXPECT_EQ(selectRetryPolicy(empty.get(), queue.get()).retries_with_no_delay, 2);
    EXPECT_EQ(selectRetryPolicy(nullptr, queue.get()).retries_with_no_delay, 2);
    EXPECT_EQ(selectRetryPolicy(subscription.get(), queueOverride.get()).retries_with_no_delay, 2);
    // The subscription's own override flag also selects the queue's policy.
    EXPECT_EQ(selectRetryPolicy(subscriptionOverride.get(), queue.get()).retries_with_no_delay, 2);
    EXPECT_EQ(selectRetryPolicy(subscriptionOverride.get(), nullptr).retries_with_no_delay, 3);
    EXPECT_EQ(selectRetryPolicy(nullptr, nullptr).totalRetries(), 14u);
}

}  // namespace
}  // namespace zaqard::notifiers
