// What one thread records: every zaqard metric that changes on the request path, as the
// cells (cells.h) of one thread. Each shard thread gets its own ThreadMetrics on first use
// (registry.h); the scrape sums them. Fixed-size arrays only: a thread never allocates
// or resizes while another reads, and label cardinality is bounded by construction.
//
// Nothing here knows HTTP, WebSocket or Redis: actions are indexes into the api's action
// table (the scrape gets their names from the caller), Redis series are indexes interned
// by the registry from the store and node names the client layer passes in.
#pragma once

#include <array>
#include <cstdint>

#include "src/metrics/cells.h"
#include "src/metrics/queue_activity.h"

namespace zaqard::metrics {

// Bucket bounds. Latencies in microseconds (exposed in seconds).
inline constexpr std::array<uint64_t, 17> kLatencyUs = {
    50,    100,    250,    500,    1000,    2500,    5000,    10000,   25000,
    50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000};
// A loop turn's busy time, microseconds.
inline constexpr std::array<uint64_t, 12> kTurnUs = {5,   10,   25,   50,    100,   250,
                                                     500, 1000, 2500, 10000, 50000, 250000};
inline constexpr std::array<uint64_t, 9> kEventsPerTurn = {1, 2, 4, 8, 16, 32, 64, 128, 256};
// Notification delivery lag (post to delivery), milliseconds: retries make it long.
inline constexpr std::array<uint64_t, 14> kLagMs = {
    5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000, 60000, 300000, 900000, 3600000};

using LatencyHistogram = Histogram<kLatencyUs>;

// Actions are the api's action table rows; one more slot counts requests that matched
// no row (unknown paths, preflights). The api static_asserts its row count fits.
inline constexpr int kMaxActions = 80;
inline constexpr int kUnrouted = kMaxActions;

enum class Transport { Rest, WebSocket, Count };
inline constexpr const char* kTransportNames[] = {"rest", "websocket"};

// Redis series: one per (store, node) pair; the last slot takes any overflow.
inline constexpr int kMaxRedisSeries = 64;
enum class RedisError { Reply, Unavailable, Count };
inline constexpr const char* kRedisErrorNames[] = {"reply", "unavailable"};

enum class DeliveryKind { Webhook, Email, WebSocket, Other, Count };
inline constexpr const char* kDeliveryKindNames[] = {"webhook", "email", "websocket", "other"};
enum class DeliveryOutcome { Delivered, Retried, DeadLettered, Count };
inline constexpr const char* kDeliveryOutcomeNames[] = {"delivered", "retried", "dead_lettered"};

// Why a limit refused a request or closed a connection (the connection limits: both
// listeners; the others: REST)
// (zaqard_connections_rejected_total{reason}).
enum class RejectReason {
    MaxConnections,
    MaxConnectionsPerClient,
    HeaderTooLarge,
    BodyTooLarge,
    HeaderTimeout,
    BodyTimeout,
    WriteTimeout,
    Count
};
inline constexpr const char* kRejectReasonNames[] = {
    "max_connections",  "max_connections_per_client",
    "header_too_large", "body_too_large",
    "header_timeout",   "body_timeout",
    "write_timeout"};

template <typename E>
constexpr size_t countOf() {
    return static_cast<size_t>(E::Count);
}

struct ActionCells {
    std::array<Counter, 5> byClass;  // 1xx .. 5xx
    LatencyHistogram latency;
};

struct RedisCells {
    LatencyHistogram latency;
    std::array<Counter, countOf<RedisError>()> errors;
};

struct ThreadMetrics {
    // The shard this thread runs (-1: not a shard thread); set once, before any turn.
    std::atomic<int> shard{-1};

    std::array<std::array<ActionCells, kMaxActions + 1>, countOf<Transport>()> requests;
    Gauge inFlight;
    Gauge longPollWaiting;  // requests parked by long polling (src/api/waiters.h)
    std::array<Gauge, countOf<Transport>()> connectionsOpen;
    std::array<Counter, countOf<Transport>()> connectionsTotal;
    std::array<Counter, countOf<RejectReason>()> connectionsRejected;

    std::array<RedisCells, kMaxRedisSeries> redis;

    std::array<std::array<Counter, countOf<DeliveryOutcome>()>, countOf<DeliveryKind>()> deliveries;
    std::array<Histogram<kLagMs>, countOf<DeliveryKind>()> deliveryLag;
    // Notifications not delivered because the subscription's filter policy did not match.
    std::array<Counter, countOf<DeliveryKind>()> filtered;

    Counter tokenCacheHits;
    Counter tokenCacheMisses;

    Counter loopTurns;
    // Coalesced Redis calls (storage/redis/client/coalescing_client.h): batches sent, and
    // the calls they carried.
    Counter redisBatches;
    Counter redisCoalescedCalls;
    Histogram<kTurnUs> loopTurnBusy;  // sampled turns only (dispatcher.cpp)
    Histogram<kEventsPerTurn> loopEvents;

    // Posts per queue, for the busiest-queue gauges: a bounded map with its own lock
    // (queue_activity.h); mutable because the scrape halves it as it reads.
    mutable QueueActivity queueActivity;
};

}  // namespace zaqard::metrics
