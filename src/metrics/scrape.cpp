#include "src/metrics/scrape.h"

#include <memory>
#include <string>
#include <vector>

#include "src/metrics/exposition.h"
#include "src/metrics/process.h"
#include "src/metrics/record.h"
#include "src/metrics/registry.h"

namespace zaqard::metrics {

namespace {

constexpr double kMicros = 1e6;  // recorded units per exposed unit
constexpr double kMillis = 1e3;
constexpr const char* kClassNames[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};

using LatencySum = HistogramSum<LatencyHistogram::kBuckets>;

// Everything summed over threads; loop metrics stay per shard.
struct Totals {
    struct Action {
        std::array<uint64_t, 5> byClass{};
        LatencySum latency;
    };
    std::array<std::array<Action, kMaxActions + 1>, countOf<Transport>()> requests{};
    int64_t inFlight = 0;
    int64_t waiting = 0;
    std::array<int64_t, countOf<Transport>()> open{};
    std::array<uint64_t, countOf<Transport>()> total{};
    std::array<uint64_t, countOf<RejectReason>()> rejected{};
    struct Redis {
        LatencySum latency;
        std::array<uint64_t, countOf<RedisError>()> errors{};
    };
    std::array<Redis, kMaxRedisSeries> redis{};
    std::array<std::array<uint64_t, countOf<DeliveryOutcome>()>, countOf<DeliveryKind>()>
        deliveries{};
    std::array<HistogramSum<kLagMs.size() + 1>, countOf<DeliveryKind>()> lag{};
    std::array<uint64_t, countOf<DeliveryKind>()> filtered{};
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t redisBatches = 0;
    uint64_t redisCoalescedCalls = 0;
    struct Loop {
        int shard = -1;
        uint64_t turns = 0;
        HistogramSum<kTurnUs.size() + 1> busy;
        HistogramSum<kEventsPerTurn.size() + 1> events;
    };
    std::vector<Loop> loops;

    void add(const ThreadMetrics& m) {
        for (size_t t = 0; t < requests.size(); ++t)
            for (size_t a = 0; a < requests[t].size(); ++a) {
                const ActionCells& cells = m.requests[t][a];
                for (size_t c = 0; c < 5; ++c) requests[t][a].byClass[c] += cells.byClass[c].read();
                requests[t][a].latency.add(cells.latency);
            }
        inFlight += m.inFlight.read();
        waiting += m.longPollWaiting.read();
        for (size_t t = 0; t < open.size(); ++t) {
            open[t] += m.connectionsOpen[t].read();
            total[t] += m.connectionsTotal[t].read();
        }
        for (size_t r = 0; r < rejected.size(); ++r) rejected[r] += m.connectionsRejected[r].read();
        for (size_t s = 0; s < redis.size(); ++s) {
            redis[s].latency.add(m.redis[s].latency);
            for (size_t e = 0; e < redis[s].errors.size(); ++e)
                redis[s].errors[e] += m.redis[s].errors[e].read();
        }
        for (size_t k = 0; k < deliveries.size(); ++k) {
            for (size_t o = 0; o < deliveries[k].size(); ++o)
                deliveries[k][o] += m.deliveries[k][o].read();
            lag[k].add(m.deliveryLag[k]);
            filtered[k] += m.filtered[k].read();
        }
        hits += m.tokenCacheHits.read();
        misses += m.tokenCacheMisses.read();
        redisBatches += m.redisBatches.read();
        redisCoalescedCalls += m.redisCoalescedCalls.read();
        int shard = m.shard.load(std::memory_order_relaxed);
        if (shard >= 0) {
            Loop loop;
            loop.shard = shard;
            loop.turns = m.loopTurns.read();
            loop.busy.add(m.loopTurnBusy);
            loop.events.add(m.loopEvents);
            loops.push_back(loop);
        }
    }
};

template <size_t N, size_t B>
void histogram(Exposition& out, Labels labels, const std::array<uint64_t, B>& bounds,
               const HistogramSum<N>& sum, double perUnit) {
    static_assert(N == B + 1);
    out.histogram(labels, bounds, sum.buckets, sum.sum, perUnit);
}

}  // namespace

std::string scrape(std::span<const char* const> actionNames) {
    auto totals = std::make_unique<Totals>();  // large: not on a loop thread's stack
    forEachThread([&totals](const ThreadMetrics& m) { totals->add(m); });
    std::vector<RedisSeriesName> redisNames = redisSeriesNames();
    auto actionName = [&actionNames](size_t a) -> std::string_view {
        return a < actionNames.size() && actionNames[a] ? actionNames[a] : "unrouted";
    };

    Exposition out;
    out.family("zaqard_requests_total",
               "Requests answered, by transport, action (the action table's name) and status "
               "class.",
               Type::Counter);
    for (size_t t = 0; t < totals->requests.size(); ++t)
        for (size_t a = 0; a < totals->requests[t].size(); ++a)
            for (size_t c = 0; c < 5; ++c)
                if (uint64_t n = totals->requests[t][a].byClass[c])
                    out.sample({{"transport", kTransportNames[t]},
                                {"action", actionName(a)},
                                {"status_class", kClassNames[c]}},
                               n);
    out.family("zaqard_request_duration_seconds",
               "Time from a request's arrival to its answer, by transport and action.",
               Type::Histogram);
    for (size_t t = 0; t < totals->requests.size(); ++t)
        for (size_t a = 0; a < totals->requests[t].size(); ++a)
            if (totals->requests[t][a].latency.count())
                histogram(out, {{"transport", kTransportNames[t]}, {"action", actionName(a)}},
                          kLatencyUs, totals->requests[t][a].latency, kMicros);
    out.family("zaqard_requests_in_flight", "Requests received and not answered yet.", Type::Gauge);
    out.sample({}, totals->inFlight);
    out.family("zaqard_long_poll_waiting",
               "Claims and listings waiting for messages (long polling, ?wait=).", Type::Gauge);
    out.sample({}, totals->waiting);
    out.family("zaqard_connections_open", "Client connections open, by transport.", Type::Gauge);
    for (size_t t = 0; t < totals->open.size(); ++t)
        out.sample({{"transport", kTransportNames[t]}}, totals->open[t]);
    out.family("zaqard_connections_total", "Client connections accepted, by transport.",
               Type::Counter);
    for (size_t t = 0; t < totals->total.size(); ++t)
        out.sample({{"transport", kTransportNames[t]}}, totals->total[t]);
    out.family("zaqard_connections_rejected_total",
               "Requests refused or connections closed by a limit, by reason (connection limits "
               "of both listeners, REST header/body size, header/body/write timeouts).",
               Type::Counter);
    for (size_t r = 0; r < totals->rejected.size(); ++r)
        out.sample({{"reason", kRejectReasonNames[r]}}, totals->rejected[r]);

    out.family("zaqard_redis_command_duration_seconds",
               "Redis command round trips (each command of a pipeline counts), by store and node.",
               Type::Histogram);
    for (size_t s = 0; s < redisNames.size() && s < totals->redis.size(); ++s)
        histogram(out, {{"store", redisNames[s].store}, {"node", redisNames[s].node}}, kLatencyUs,
                  totals->redis[s].latency, kMicros);
    out.family("zaqard_redis_command_errors_total",
               "Redis commands that failed: an error reply, or no answer (unavailable).",
               Type::Counter);
    for (size_t s = 0; s < redisNames.size() && s < totals->redis.size(); ++s)
        for (size_t e = 0; e < totals->redis[s].errors.size(); ++e)
            out.sample({{"store", redisNames[s].store},
                        {"node", redisNames[s].node},
                        {"kind", kRedisErrorNames[e]}},
                       totals->redis[s].errors[e]);

    out.family("zaqard_notification_deliveries_total",
               "Notification delivery attempts, by subscriber kind and outcome.", Type::Counter);
    for (size_t k = 0; k < totals->deliveries.size(); ++k)
        for (size_t o = 0; o < totals->deliveries[k].size(); ++o)
            out.sample({{"kind", kDeliveryKindNames[k]}, {"outcome", kDeliveryOutcomeNames[o]}},
                       totals->deliveries[k][o]);
    out.family("zaqard_notifications_filtered_total",
               "Notifications not delivered to a subscriber because its filter policy did not "
               "match the message, by subscriber kind.",
               Type::Counter);
    for (size_t k = 0; k < totals->filtered.size(); ++k)
        out.sample({{"kind", kDeliveryKindNames[k]}}, totals->filtered[k]);
    out.family("zaqard_notification_delivery_lag_seconds",
               "Time from a message's post to its notification's delivery, by subscriber kind.",
               Type::Histogram);
    for (size_t k = 0; k < totals->lag.size(); ++k)
        histogram(out, {{"kind", kDeliveryKindNames[k]}}, kLagMs, totals->lag[k], kMillis);

    out.family("zaqard_token_cache_lookups_total",
               "Keystone token cache lookups, by result (hit or miss).", Type::Counter);
    out.sample({{"result", "hit"}}, totals->hits);
    out.sample({{"result", "miss"}}, totals->misses);

    out.family("zaqard_redis_batches_total",
               "Batch calls that carried coalesced Redis calls ([zaqard] redis_coalesce).",
               Type::Counter);
    out.sample({}, totals->redisBatches);
    out.family("zaqard_redis_coalesced_calls_total",
               "Redis calls sent inside a batch call instead of on their own.", Type::Counter);
    out.sample({}, totals->redisCoalescedCalls);

    out.family("zaqard_loop_turns_total", "Event loop turns, by shard.", Type::Counter);
    for (const auto& loop : totals->loops)
        out.sample({{"shard", std::to_string(loop.shard)}}, loop.turns);
    out.family("zaqard_loop_turn_busy_seconds",
               "CPU time of one event loop turn (Envoy's loop_duration_us), sampled 1 turn in "
               "64, by shard.",
               Type::Histogram);
    for (const auto& loop : totals->loops)
        histogram(out, {{"shard", std::to_string(loop.shard)}}, kTurnUs, loop.busy, kMicros);
    out.family("zaqard_loop_events_per_turn",
               "Events ready at once in one event loop turn, sampled 1 turn in 64, by shard.",
               Type::Histogram);
    for (const auto& loop : totals->loops)
        histogram(out, {{"shard", std::to_string(loop.shard)}}, kEventsPerTurn, loop.events, 1.0);

    writeProcessMetrics(out);
    return out.take();
}

}  // namespace zaqard::metrics
