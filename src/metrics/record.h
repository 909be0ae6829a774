// The recording calls the rest of zaqard makes. Each one touches only the calling
// thread's cells: a thread-local pointer, then a relaxed load and store — no lock, no
// shared cache line. Built with -DZAQARD_METRICS=OFF (CMake) every call compiles to
// nothing, which is how bench/ measures what metrics cost.
#pragma once

#include <cstdint>
#include <string_view>

#include "src/metrics/thread_metrics.h"

#ifndef ZAQARD_METRICS
#define ZAQARD_METRICS 1
#endif

namespace zaqard::metrics {

inline constexpr bool kEnabled = ZAQARD_METRICS != 0;

ThreadMetrics* attachThread();  // registry.h

namespace detail {
inline thread_local ThreadMetrics* tlsMetrics = nullptr;

inline int statusClass(int status) {
    int c = status / 100 - 1;
    return c < 0 ? 0 : (c > 4 ? 4 : c);
}
inline uint64_t nonNegative(int64_t value) {
    return value < 0 ? 0 : static_cast<uint64_t>(value);
}
}  // namespace detail

inline ThreadMetrics& local() {
    ThreadMetrics* metrics = detail::tlsMetrics;
    if (!metrics) [[unlikely]]
        metrics = attachThread();
    return *metrics;
}

#if ZAQARD_METRICS

inline void requestStarted() {
    local().inFlight.add(1);
}
// `action`: the action table row, or kUnrouted. Ends what requestStarted() began.
inline void requestDone(Transport transport, int action, int status, int64_t micros) {
    ThreadMetrics& m = local();
    if (action < 0 || action > kMaxActions) action = kUnrouted;
    ActionCells& cells = m.requests[static_cast<size_t>(transport)][static_cast<size_t>(action)];
    cells.byClass[static_cast<size_t>(detail::statusClass(status))].add();
    cells.latency.record(detail::nonNegative(micros));
    m.inFlight.add(-1);
}
// Requests parked by long polling: +1 when one starts waiting, -1 when it stops.
inline void longPollWaiters(int64_t delta) {
    local().longPollWaiting.add(delta);
}
inline void connectionOpened(Transport transport) {
    ThreadMetrics& m = local();
    m.connectionsOpen[static_cast<size_t>(transport)].add(1);
    m.connectionsTotal[static_cast<size_t>(transport)].add();
}
inline void connectionClosed(Transport transport) {
    local().connectionsOpen[static_cast<size_t>(transport)].add(-1);
}
inline void connectionRejected(RejectReason reason) {
    local().connectionsRejected[static_cast<size_t>(reason)].add();
}
// `messages` posted to a queue (for the busiest-queue gauges; nothing when they are off).
inline void queuePosted(std::string_view project, std::string_view queue, uint64_t messages) {
    size_t capacity = queueSketchCapacity();
    if (capacity > 0) local().queueActivity.record(project, queue, messages, capacity);
}
// One Redis command answered (or failed) on series `series` (registry.h redisSeries).
inline void redisCommand(int series, int64_t micros) {
    if (series < 0 || series >= kMaxRedisSeries) return;
    local().redis[static_cast<size_t>(series)].latency.record(detail::nonNegative(micros));
}
inline void redisError(int series, RedisError error) {
    if (series < 0 || series >= kMaxRedisSeries) return;
    local().redis[static_cast<size_t>(series)].errors[static_cast<size_t>(error)].add();
}
inline void delivery(DeliveryKind kind, DeliveryOutcome outcome) {
    local().deliveries[static_cast<size_t>(kind)][static_cast<size_t>(outcome)].add();
}
// A notification its subscription's filter policy kept from that subscriber.
inline void notificationFiltered(DeliveryKind kind) {
    local().filtered[static_cast<size_t>(kind)].add();
}
// Post-to-delivery time of a delivered notification.
inline void deliveryLag(DeliveryKind kind, int64_t millis) {
    local().deliveryLag[static_cast<size_t>(kind)].record(detail::nonNegative(millis));
}
inline void tokenCacheLookup(bool hit) {
    ThreadMetrics& m = local();
    (hit ? m.tokenCacheHits : m.tokenCacheMisses).add();
}
inline void loopTurn() {
    local().loopTurns.add();
}
// One batch carrying `calls` coalesced Redis calls.
inline void redisCoalesced(uint64_t calls) {
    ThreadMetrics& m = local();
    m.redisBatches.add();
    m.redisCoalescedCalls.add(calls);
}
inline void loopTurnSample(int64_t busyMicros, uint64_t events) {
    ThreadMetrics& m = local();
    m.loopTurnBusy.record(detail::nonNegative(busyMicros));
    m.loopEvents.record(events);
}

#else

inline void requestStarted() {}
inline void requestDone(Transport, int, int, int64_t) {}
inline void longPollWaiters(int64_t) {}
inline void connectionOpened(Transport) {}
inline void connectionClosed(Transport) {}
inline void connectionRejected(RejectReason) {}
inline void queuePosted(std::string_view, std::string_view, uint64_t) {}
inline void redisCommand(int, int64_t) {}
inline void redisError(int, RedisError) {}
inline void delivery(DeliveryKind, DeliveryOutcome) {}
inline void deliveryLag(DeliveryKind, int64_t) {}
inline void notificationFiltered(DeliveryKind) {}
inline void tokenCacheLookup(bool) {}
inline void loopTurn() {}
inline void redisCoalesced(uint64_t) {}
inline void loopTurnSample(int64_t, uint64_t) {}

#endif

}  // namespace zaqard::metrics
