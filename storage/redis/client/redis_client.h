// The one async Redis client interface every user of Redis goes through (stores, expiry
// sweeper, dead-letter mover, notification store, WebSocket push channel). Behind it:
//   NodeClient      one server (TCP or unix socket)                      node_client.h
//   SentinelClient  the master of a Sentinel-managed group               sentinel_client.h
//   ClusterClient   a Redis Cluster: routes by hash slot, follows MOVED/ASK cluster_client.h
//
// Every call answers exactly once, on the dispatcher's thread, never inside the caller's
// stack when it fails without reaching Redis. Redis error replies arrive as values
// (RedisValue::Type::Error); Error{Unavailable} means no answer: not connected, connection
// lost, deadline missed, or the group is failing over.
//
// Routing seam for a cluster client: each Command names the argument that holds the key it
// addresses (keyIndex), so a cluster client can send it to the node serving that key's hash
// slot. A pipeline goes to ONE node, the one of its first keyed command: that is how WAIT
// (keyless) follows the FCALL whose write it confirms.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/result.h"
#include "storage/redis/reply.h"

namespace zaqard::storage::redis {

struct Command {
    // A braced list addresses the key in its second word: GET key, ZADD key ...,
    // UNLINK key ..., HSCAN key ... (every command zaqard sends by hand); a one-word
    // command (PING) addresses none. Build other shapes with keyless() or keyAt().
    Command(std::initializer_list<std::string> words)
        : args(words), keyIndex(words.size() > 1 ? 1 : -1) {}
    Command(std::vector<std::string> words, int keyIndex)
        : args(std::move(words)), keyIndex(keyIndex) {}

    static Command keyless(std::vector<std::string> words) { return {std::move(words), -1}; }
    static Command keyAt(std::vector<std::string> words, int index) {
        return {std::move(words), index};
    }

    // The key whose hash slot this command addresses; empty for a keyless command.
    std::string_view key() const {
        return keyIndex >= 0 && static_cast<size_t>(keyIndex) < args.size()
                   ? std::string_view(args[keyIndex])
                   : std::string_view();
    }

    std::vector<std::string> args;
    int keyIndex = -1;
    // Added to the client's deadline: a command that blocks on purpose (WAIT) gets its own
    // time on top of the usual round trip. A call holding such a command goes over a
    // connection of its own to the same server (NodeClient's write session), so the other
    // calls never queue behind it.
    std::chrono::milliseconds extraTime{0};
};

using ReplyCallback = std::function<void(Result<RedisValue>)>;
// One reply per command, in order; Unavailable when any of them got no answer.
using PipelineCallback = std::function<void(Result<std::vector<RedisValue>>)>;

// A live SUBSCRIBE: resubscribed on every new connection until destroyed.
class RedisSubscription {
  public:
    virtual ~RedisSubscription() = default;
    // Whether Redis confirmed the subscription on the current connection: messages
    // published while false are not received.
    virtual bool active() const = 0;

    // The channel set may change while it runs (one connection serves many channels:
    // RedisPubSub puts every listener of a shard on one). Adding a channel already there,
    // or removing one that is not, does nothing.
    virtual void add(const std::string& channel) = 0;
    virtual void remove(const std::string& channel) = 0;
    // Whether Redis confirmed `channel` on the current connection.
    virtual bool subscribed(const std::string& channel) const = 0;
    // Runs on the dispatcher thread each time Redis confirms a channel: the first time and
    // after every reconnect (what was published meanwhile was missed).
    virtual void setOnSubscribed(std::function<void(const std::string& channel)> handler) = 0;
};
using MessageHandler = std::function<void(const std::string& channel, std::string_view payload)>;

class RedisClient {
  public:
    enum class State {
        Stopped,     // before start() or after stop()
        Connecting,  // locating the server, connecting or handshaking
        Ready,       // handshake done: commands are served
    };

    virtual ~RedisClient() = default;

    // Connects in the background; calls made before Ready fail fast or wait behind the
    // handshake (see the implementation).
    virtual void start() = 0;
    // Disconnects for good: pending commands fail with Unavailable.
    virtual void stop() = 0;
    virtual State state() const = 0;
    bool ready() const { return state() == State::Ready; }

    // Commands sent first on every new connection, after AUTH and SELECT (FUNCTION LOAD of
    // the script library). An error reply to any of them drops the connection.
    virtual void setHandshake(std::function<std::vector<Command>()> handshake) = 0;

    virtual void command(Command command, ReplyCallback done) = 0;
    // Sends the commands back to back on one connection (one round trip) and answers with
    // all their replies.
    virtual void pipeline(std::vector<Command> commands, PipelineCallback done) = 0;

    // Subscribes to `channels` on a connection of its own (pub/sub replies are pushed, not
    // answered), re-subscribing after every reconnect. `onMessage` runs on the dispatcher
    // thread. Destroying the returned object unsubscribes.
    virtual std::unique_ptr<RedisSubscription> subscribe(std::vector<std::string> channels,
                                                         MessageHandler onMessage) = 0;
};

}  // namespace zaqard::storage::redis
