// Delivery of frames to WebSocket connections from any shard or process, through Redis
// pub/sub (design.md: cross-process events go through Redis).
//
// Every shard's WebSocket transport has a listener id and subscribes to its own channel
// "zaqard:ws:<listener id>". A connection id is "<listener id>.<uuid>", so whoever holds
// an id (the notification engine reads it from a subscriber URI) knows the one channel to
// publish on: no registry to keep in Redis, no fan-out to every process. The message is
// "<connection id> <frame JSON>".
//
// It reaches Redis only through storage::PubSub (storage/storage.h): connecting, AUTH,
// reconnecting and re-subscribing (also to a new Sentinel master) are the storage
// client's job.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "src/common/json.h"
#include "storage/storage.h"

namespace zaqard::websocket {

class PushChannel {
  public:
    // Called on the dispatcher thread for each frame published to this listener.
    using Deliver = std::function<void(const std::string& connectionId, Json frame)>;
    // true when a listener received the frame (it may still find the connection gone).
    using Published = std::function<void(bool received)>;

    PushChannel(storage::PubSub& pubsub, std::string listenerId, Deliver deliver);
    ~PushChannel();
    PushChannel(const PushChannel&) = delete;
    PushChannel& operator=(const PushChannel&) = delete;

    // Subscribes (the storage re-subscribes after every reconnect).
    void start();
    void stop();
    bool subscribed() const;

    const std::string& listenerId() const { return listenerId_; }

    // Publishes `frame` for `connectionId` on its listener's channel.
    void publish(const std::string& connectionId, const Json& frame, Published done);

    // "zaqard:ws:<listener id>" for a connection id; empty when the id has no listener part.
    static std::string channelFor(const std::string& connectionId);
    static std::string listenerOf(const std::string& connectionId);
    // A fresh random listener id (16 hex digits).
    static std::string newListenerId();

  private:
    storage::PubSub& pubsub_;
    std::string listenerId_;
    Deliver deliver_;
    std::unique_ptr<storage::PubSub::Listener> listener_;
};

}  // namespace zaqard::websocket
