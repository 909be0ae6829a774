// Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/): one "# HELP" and one
// "# TYPE" line per family, then its samples. Knows nothing about where the numbers come
// from (scrape.cpp) or how they are served (the api's get_metrics action).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zaqard::metrics {

inline constexpr const char* kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

enum class Type { Counter, Gauge, Histogram };

using Label = std::pair<std::string_view, std::string_view>;
using Labels = std::initializer_list<Label>;

class Exposition {
  public:
    // Starts a family. Samples that follow belong to it; a family without samples is
    // still valid (Prometheus ignores it).
    void family(std::string_view name, std::string_view help, Type type);

    void sample(Labels labels, double value);
    void sample(Labels labels, uint64_t value);
    void sample(Labels labels, int64_t value);

    // One histogram series: `bounds` are the buckets' upper bounds in the recorded unit,
    // `buckets` the counts per bucket, not cumulative, with +Inf last (bounds.size() + 1
    // entries), `sum` in the recorded unit; `perUnit` recorded units make one exposed unit
    // (1e6 for microseconds exposed as seconds: a division, so 100 µs prints 0.0001).
    void histogram(Labels labels, std::span<const uint64_t> bounds,
                   std::span<const uint64_t> buckets, uint64_t sum, double perUnit);

    const std::string& text() const { return out_; }
    std::string take() { return std::move(out_); }

  private:
    void name(std::string_view suffix);
    void labels(Labels labels, const Label* extra = nullptr);
    void value(double v);

    std::string out_;
    std::string family_;
};

// Exposition helpers, public for the unit tests.
std::string escapeLabelValue(std::string_view value);  // \ " and newline
std::string escapeHelp(std::string_view help);         // \ and newline
std::string formatValue(double value);                 // Go's strconv style: +Inf, NaN

}  // namespace zaqard::metrics
