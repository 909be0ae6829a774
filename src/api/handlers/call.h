// One request in flight through the api layer. Handlers hold it by shared_ptr in every
// storage callback, so a reply that arrives late (or after the client left) still finds
// everything it needs; the transport decides what to do with a response nobody awaits.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "src/api/request.h"
#include "src/api/trusts.h"
#include "src/config/config.h"
#include "storage/storage.h"

namespace zaqard::api {

class Waiters;

struct Call {
    Call(Request r, Responder respond, const config::Config& c, storage::Storage s,
         Waiters* w = nullptr)
        : request(std::move(r)), responder(std::move(respond)), config(c), storage(s), waiters(w) {}

    Request request;
    Responder responder;
    const config::Config& config;        // process-wide, outlives every shard
    storage::Storage storage;            // the shard's stores, alive while the shard runs
    Waiters* waiters;                    // the shard's long-polling waiters; null: no waiting
    const TrustMaker* trusts = nullptr;  // set under Keystone with [trustee] (trusts.h)

    std::string project;   // X-Project-ID
    std::string clientId;  // normalised Client-ID
    // Queues and topics share the handlers (rest-v2.md §8): Api::handle sets Topic for the
    // rows whose route or frame names {topic_name}. It selects the name, the storage
    // namespace, the paths and the texts below.
    storage::ResourceKind kind = storage::ResourceKind::Queue;

    bool topic() const { return kind == storage::ResourceKind::Topic; }
    // The queue's (topic's) name from the path or frame.
    const std::string& name() const { return topic() ? request.topicName : request.queueName; }
    storage::QueueRef queue() const { return {project, name(), kind}; }
    // "/v2/queues/<q>" or "/v2/topics/<t>": the base of every href of the resource.
    std::string basePath() const { return (topic() ? "/v2/topics/" : "/v2/queues/") + name(); }
    // "Queue"/"Topic" (capitalized) or "queue"/"topic", for Zaqar's texts.
    const char* noun(bool capitalized = true) const {
        if (topic()) return capitalized ? "Topic" : "topic";
        return capitalized ? "Queue" : "queue";
    }
    const config::TransportLimits& limits() const { return config.limits; }
    bool checksum() const { return config.enable_checksum; }
    // WebSocket frames get Zaqar's WebSocket shapes (render_websocket.h).
    bool websocket() const { return request.dialect == Dialect::WebSocket; }

    // Answers exactly once; later calls are ignored (defensive: a store must not answer
    // twice, but a double reply would be worse than a dropped one).
    void reply(Response response) {
        if (replied_) return;
        replied_ = true;
        responder(std::move(response));
    }

  private:
    bool replied_ = false;
};

using CallPtr = std::shared_ptr<Call>;

}  // namespace zaqard::api
