// The exposition writer (src/metrics/exposition.h) and the per-thread cells it is fed
// from: text format 0.0.4 as Prometheus parses it.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <thread>

#include "src/metrics/cells.h"
#include "src/metrics/exposition.h"
#include "src/metrics/record.h"
#include "src/metrics/registry.h"
#include "src/metrics/scrape.h"

namespace zaqard::metrics {
namespace {

TEST(MetricsExposition, CounterFamilyWithLabels) {
    Exposition out;
    out.family("zaqard_requests_total", "Requests answered.", Type::Counter);
    out.sample({{"action", "message_post"}, {"status_class", "2xx"}}, uint64_t{3});
    out.sample({{"action", "queue_get"}, {"status_class", "4xx"}}, uint64_t{0});
    EXPECT_EQ(out.text(),
              "# HELP zaqard_requests_total Requests answered.\n"
              "# TYPE zaqard_requests_total counter\n"
              "zaqard_requests_total{action=\"message_post\",status_class=\"2xx\"} 3\n"
              "zaqard_requests_total{action=\"queue_get\",status_class=\"4xx\"} 0\n");
}

TEST(MetricsExposition, GaugeWithoutLabelsAndNegativeValue) {
    Exposition out;
    out.family("g", "A gauge.", Type::Gauge);
    out.sample({}, int64_t{-2});
    out.sample({}, 0.25);
    EXPECT_EQ(out.text(), "# HELP g A gauge.\n# TYPE g gauge\ng -2\ng 0.25\n");
}

TEST(MetricsExposition, EscapesLabelValuesAndHelp) {
    EXPECT_EQ(escapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    EXPECT_EQ(escapeHelp("line\\one\ntwo \"quoted\""), "line\\\\one\\ntwo \"quoted\"");
    Exposition out;
    out.family("x", "help\nwith newline", Type::Counter);
    out.sample({{"node", "/tmp/redis \"1\".sock"}}, uint64_t{1});
    EXPECT_EQ(out.text(),
              "# HELP x help\\nwith newline\n# TYPE x counter\n"
              "x{node=\"/tmp/redis \\\"1\\\".sock\"} 1\n");
}

TEST(MetricsExposition, FormatsValuesAsPrometheusReadsThem) {
    EXPECT_EQ(formatValue(0), "0");
    EXPECT_EQ(formatValue(12345678901.0), "12345678901");
    EXPECT_EQ(formatValue(0.00005), "5e-05");
    EXPECT_EQ(formatValue(0.1), "0.1");
    EXPECT_EQ(formatValue(2.5), "2.5");
    EXPECT_EQ(formatValue(1.0 / 0.0), "+Inf");
    EXPECT_EQ(formatValue(-1.0 / 0.0), "-Inf");
    EXPECT_EQ(formatValue(0.0 / 0.0), "NaN");
}

TEST(MetricsExposition, HistogramBucketsAreCumulativeWithInfSumAndCount) {
    static constexpr std::array<uint64_t, 3> bounds = {100, 1000, 10000};
    Histogram<bounds> h;
    h.record(50);     // le 100
    h.record(100);    // le 100 (upper bounds are inclusive)
    h.record(101);    // le 1000
    h.record(20000);  // +Inf
    HistogramSum<4> sum;
    sum.add(h);
    EXPECT_EQ(sum.count(), 4u);
    Exposition out;
    out.family("lat_seconds", "Latency.", Type::Histogram);
    out.histogram({{"action", "a"}}, bounds, sum.buckets, sum.sum, 1e6);
    EXPECT_EQ(out.text(),
              "# HELP lat_seconds Latency.\n# TYPE lat_seconds histogram\n"
              "lat_seconds_bucket{action=\"a\",le=\"0.0001\"} 2\n"
              "lat_seconds_bucket{action=\"a\",le=\"0.001\"} 3\n"
              "lat_seconds_bucket{action=\"a\",le=\"0.01\"} 3\n"
              "lat_seconds_bucket{action=\"a\",le=\"+Inf\"} 4\n"
              "lat_seconds_sum{action=\"a\"} 0.020251\n"
              "lat_seconds_count{action=\"a\"} 4\n");
}

// Threads record into their own cells; the scrape sums them (names from the caller).
TEST(MetricsScrape, SumsEveryThreadsCounters) {
    if (!kEnabled) GTEST_SKIP() << "built with ZAQARD_METRICS=OFF";
    const char* names[] = {"zero_action", "one_action"};
    auto count = [&] {
        std::string text = scrape(names);
        std::string line =
            "zaqard_requests_total{transport=\"rest\",action=\"one_action\",status_class=\"4xx\"} ";
        size_t at = text.find(line);
        return at == std::string::npos ? 0 : std::stoi(text.substr(at + line.size()));
    };
    int before = count();
    std::thread a([] {
        requestStarted();
        requestDone(Transport::Rest, 1, 404, 10);
    });
    std::thread b([] {
        for (int i = 0; i < 2; ++i) {
            requestStarted();
            requestDone(Transport::Rest, 1, 400, 10);
        }
    });
    a.join();
    b.join();
    EXPECT_EQ(count(), before + 3);
    std::string text = scrape(names);
    EXPECT_NE(text.find("# TYPE zaqard_request_duration_seconds histogram"), std::string::npos);
    EXPECT_NE(text.find("process_resident_memory_bytes "), std::string::npos);
    EXPECT_NE(text.find("process_cpu_seconds_total "), std::string::npos);
}

TEST(MetricsRegistry, RedisSeriesAreInternedAndBounded) {
    int a = redisSeries("message", "127.0.0.1:1");
    EXPECT_EQ(redisSeries("message", "127.0.0.1:1"), a);
    EXPECT_NE(redisSeries("message", "127.0.0.1:2"), a);
    for (int i = 0; i < 2 * kMaxRedisSeries; ++i)
        EXPECT_LT(redisSeries("pool" + std::to_string(i), "n"), kMaxRedisSeries);
    EXPECT_EQ(redisSeries("pool-past-the-cap", "n"), kMaxRedisSeries - 1);
    EXPECT_EQ(redisSeriesNames().back().store, "other");
}

}  // namespace
}  // namespace zaqard::metrics
