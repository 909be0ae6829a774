#include "src/metrics/exposition.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace zaqard::metrics {

namespace {
const char* typeName(Type type) {
    switch (type) {
        case Type::Counter:
            return "counter";
        case Type::Gauge:
            return "gauge";
        case Type::Histogram:
            return "histogram";
    }
    return "untyped";
}
}  // namespace

std::string escapeLabelValue(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string escapeHelp(std::string_view help) {
    std::string out;
    out.reserve(help.size());
    for (char c : help) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string formatValue(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    // Integers (counts) print as integers; others with enough digits to round-trip.
    if (value == std::floor(value) && std::fabs(value) < 1e15) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.0f", value);
        return buffer;
    }
    // The shortest form that reads back as the same double (0.00005, not 5.0000000000000002e-05).
    char buffer[32];
    for (int precision = 6; precision <= 17; ++precision) {
        std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
        if (std::strtod(buffer, nullptr) == value) break;
    }
    return buffer;
}

void Exposition::family(std::string_view name, std::string_view help, Type type) {
    family_.assign(name);
    out_.append("# HELP ").append(name).append(" ").append(escapeHelp(help)).append("\n");
    out_.append("# TYPE ").append(name).append(" ").append(typeName(type)).append("\n");
}

void Exposition::name(std::string_view suffix) {
    out_.append(family_).append(suffix);
}

void Exposition::labels(Labels labels, const Label* extra) {
    if (labels.size() == 0 && !extra) return;
    out_ += '{';
    bool first = true;
    auto one = [&](const Label& label) {
        if (!first) out_ += ',';
        first = false;
        out_.append(label.first).append("=\"").append(escapeLabelValue(label.second)).append("\"");
    };
    for (const Label& label : labels) one(label);
    if (extra) one(*extra);
    out_ += '}';
}

void Exposition::value(double v) {
    out_.append(" ").append(formatValue(v)).append("\n");
}

void Exposition::sample(Labels labelSet, double v) {
    name("");
    labels(labelSet);
    value(v);
}

void Exposition::sample(Labels labelSet, uint64_t v) {
    name("");
    labels(labelSet);
    out_.append(" ").append(std::to_string(v)).append("\n");
}

void Exposition::sample(Labels labelSet, int64_t v) {
    name("");
    labels(labelSet);
    out_.append(" ").append(std::to_string(v)).append("\n");
}

void Exposition::histogram(Labels labelSet, std::span<const uint64_t> bounds,
                           std::span<const uint64_t> buckets, uint64_t sum, double perUnit) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < buckets.size(); ++i) {
        cumulative += buckets[i];
        std::string le = i < bounds.size() ? formatValue(static_cast<double>(bounds[i]) / perUnit)
                                           : std::string("+Inf");
        Label extra{"le", le};
        name("_bucket");
        labels(labelSet, &extra);
        out_.append(" ").append(std::to_string(cumulative)).append("\n");
    }
    name("_sum");
    labels(labelSet);
    value(static_cast<double>(sum) / perUnit);
    name("_count");
    labels(labelSet);
    out_.append(" ").append(std::to_string(cumulative)).append("\n");
}

}  // namespace zaqard::metrics
