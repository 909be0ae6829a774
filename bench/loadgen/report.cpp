// Latencies are reported in milliseconds at p50/p90/p99/p99.9 plus max and mean. "all" in
// the table sums the kinds; its latency merges their histograms.
#include "loadgen/report.h"

#include "loadgen/json_writer.h"

namespace zqbench {
namespace {

constexpr double kNsPerMsD = 1e6;

struct Quantile {
    const char* name;
    double q;
};
constexpr Quantile kQuantiles[] = {{"p50", 0.50}, {"p90", 0.90}, {"p99", 0.99}, {"p99_9", 0.999}};

double perSecond(uint64_t n, double seconds) {
    return seconds > 0 ? static_cast<double>(n) / seconds : 0.0;
}

double ms(uint64_t ns) {
    return static_cast<double>(ns) / kNsPerMsD;
}

KindStats total(const Metrics& metrics) {
    KindStats all;
    all.name = "all";
    for (const KindStats& k : metrics.kinds()) {
        all.requests += k.requests;
        all.errors += k.errors;
        all.latency.merge(k.latency);
        for (const auto& [status, n] : k.statuses) all.statuses[status] += n;
    }
    return all;
}

void latencyJson(JsonWriter& j, const Histogram& h) {
    j.beginObject();
    for (const Quantile& q : kQuantiles) j.key(q.name).value(ms(h.valueAt(q.q)));
    j.key("max")
        .value(ms(h.max()))
        .key("mean")
        .value(h.mean() / kNsPerMsD)
        .key("count")
        .value(h.count());
    j.endObject();
}

void tableRow(FILE* out, const std::string& name, uint64_t requests, double seconds,
              uint64_t errors, const Histogram& h) {
    std::fprintf(out, "%-13s %10llu %11.1f %8llu %9.3f %9.3f %9.3f %9.3f %9.3f\n", name.c_str(),
                 static_cast<unsigned long long>(requests), perSecond(requests, seconds),
                 static_cast<unsigned long long>(errors), ms(h.valueAt(0.5)), ms(h.valueAt(0.9)),
                 ms(h.valueAt(0.99)), ms(h.valueAt(0.999)), ms(h.max()));
}

}  // namespace

void printTable(FILE* out, const RunInfo& run, const Metrics& metrics) {
    const Options& o = run.options;
    const double s = run.measuredSeconds;
    std::fprintf(out, "\nscenario %s  url %s  project %s\n", o.scenario.c_str(), o.url.c_str(),
                 run.project.c_str());
    if (o.transport == "websocket")
        std::fprintf(out, "transport websocket %s (setup and finish requests over HTTP)\n",
                     o.wsUrl.c_str());
    std::fprintf(
        out, "connections %d (%s)  pipeline %d  rate %s  batch %d  size %d B  queues %d\n",
        o.connections, run.roles.c_str(), o.pipeline,
        o.rate > 0 ? (std::to_string(static_cast<long long>(o.rate)) + "/s").c_str() : "max",
        o.batch, o.size, o.queues);
    std::fprintf(out, "measured %.2f s after %.2f s warm-up\n\n", s, o.warmup);
    std::fprintf(out, "%-13s %10s %11s %8s %9s %9s %9s %9s %9s\n", "kind", "requests", "req/s",
                 "errors", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms");
    for (const KindStats& k : metrics.kinds()) {
        if (k.requests == 0 && k.name == "stats") continue;
        tableRow(out, k.name, k.requests, s, k.errors, k.latency);
    }
    const KindStats all = total(metrics);
    if (metrics.kinds().size() > 1) tableRow(out, "all", all.requests, s, all.errors, all.latency);

    std::fprintf(out, "\nstatuses:");
    for (const KindStats& k : metrics.kinds()) {
        if (k.requests == 0) continue;
        std::fprintf(out, "  %s", k.name.c_str());
        for (const auto& [status, n] : k.statuses) {
            std::fprintf(out, " %s=%llu",
                         status == 0 ? "conn-error" : std::to_string(status).c_str(),
                         static_cast<unsigned long long>(n));
        }
    }
    std::fprintf(out, "\n");
    if (metrics.messageCounter() >= 0) {
        const Counter& c = metrics.counters()[static_cast<size_t>(metrics.messageCounter())];
        std::fprintf(out, "messages/s: %.1f (%s)\n", perSecond(c.value, s), c.name.c_str());
    }
    for (const Counter& c : metrics.counters()) {
        std::fprintf(out, "  %-20s %12llu  %11.1f/s\n", c.name.c_str(),
                     static_cast<unsigned long long>(c.value), perSecond(c.value, s));
    }
    for (const NamedHistogram& h : metrics.histograms()) {
        std::fprintf(
            out, "  %-20s p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f ms (%llu samples)\n",
            h.name.c_str(), ms(h.values.valueAt(0.5)), ms(h.values.valueAt(0.9)),
            ms(h.values.valueAt(0.99)), ms(h.values.valueAt(0.999)), ms(h.values.max()),
            static_cast<unsigned long long>(h.values.count()));
    }
    for (const auto& [name, value] : metrics.gauges())
        std::fprintf(out, "  %-20s %12.0f\n", name.c_str(), value);
    if (metrics.unfinished() || run.reconnects || run.connectionFailures) {
        std::fprintf(out, "  in flight at end %llu  reconnects %llu  connection failures %llu\n",
                     static_cast<unsigned long long>(metrics.unfinished()),
                     static_cast<unsigned long long>(run.reconnects),
                     static_cast<unsigned long long>(run.connectionFailures));
    }
}

std::string toJson(const RunInfo& run, const Metrics& metrics) {
    const Options& o = run.options;
    const double s = run.measuredSeconds;
    JsonWriter j;
    j.beginObject();
    j.key("scenario").value(o.scenario).key("url").value(o.url).key("project").value(run.project);
    j.key("roles").value(run.roles);
    j.key("transport").value(o.transport);
    if (o.transport == "websocket") j.key("ws_url").value(o.wsUrl);
    j.key("connections")
        .value(o.connections)
        .key("pipeline")
        .value(o.pipeline)
        .key("rate")
        .value(o.rate);
    j.key("batch").value(o.batch).key("size").value(o.size).key("queues").value(o.queues);
    j.key("warmup_s").value(o.warmup).key("measured_s").value(s);

    const KindStats all = total(metrics);
    j.key("requests").value(all.requests).key("requests_per_s").value(perSecond(all.requests, s));
    j.key("errors").value(all.errors);
    uint64_t messages = 0;
    if (metrics.messageCounter() >= 0) {
        const Counter& c = metrics.counters()[static_cast<size_t>(metrics.messageCounter())];
        messages = c.value;
        j.key("messages_counter").value(c.name);
    }
    j.key("messages").value(messages).key("messages_per_s").value(perSecond(messages, s));
    j.key("latency_ms");
    latencyJson(j, all.latency);

    j.key("kinds").beginObject();
    for (const KindStats& k : metrics.kinds()) {
        j.key(k.name).beginObject();
        j.key("requests").value(k.requests).key("requests_per_s").value(perSecond(k.requests, s));
        j.key("errors").value(k.errors);
        j.key("statuses").beginObject();
        for (const auto& [status, n] : k.statuses)
            j.key(status == 0 ? "conn-error" : std::to_string(status)).value(n);
        j.endObject();
        j.key("latency_ms");
        latencyJson(j, k.latency);
        j.endObject();
    }
    j.endObject();

    j.key("counters").beginObject();
    for (const Counter& c : metrics.counters()) {
        j.key(c.name)
            .beginObject()
            .key("total")
            .value(c.value)
            .key("per_s")
            .value(perSecond(c.value, s))
            .endObject();
    }
    j.endObject();
    j.key("histograms_ms").beginObject();
    for (const NamedHistogram& h : metrics.histograms()) {
        j.key(h.name);
        latencyJson(j, h.values);
    }
    j.endObject();
    j.key("gauges").beginObject();
    for (const auto& [name, value] : metrics.gauges()) j.key(name).value(value);
    j.endObject();
    j.key("unfinished").value(metrics.unfinished()).key("reconnects").value(run.reconnects);
    j.key("connection_failures").value(run.connectionFailures);
    j.key("loadgen_cpu_s").value(run.cpuSeconds);
    j.endObject();
    return j.text() + "\n";
}

}  // namespace zqbench
