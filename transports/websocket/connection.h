// One WebSocket peer: the ordered response slots of its pipelined requests and its
// output queue. Owned by the server; replies hold weak references, so a reply that
// arrives after the peer left is dropped.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>

#include "transports/websocket/frame_codec.h"

struct lws;

namespace zaqard::websocket {

struct WebSocketLimits;

class Connection : public std::enable_shared_from_this<Connection> {
  public:
    Connection(lws* wsi, const WebSocketLimits& limits, std::string id);

    const std::string& id() const { return id_; }
    bool open() const { return wsi_ != nullptr; }

    // Incoming data, fragment by fragment. Returns true when a whole message is ready.
    bool receive(const void* data, size_t length, bool binary, bool final);
    // The completed message; tooLarge when it exceeded the frame limit (payload dropped).
    struct Message {
        FrameKind kind;
        bool tooLarge;
        std::string payload;
    };
    Message takeMessage();

    // Reserves the next response slot (request order); fill it with complete().
    uint64_t reserveSlot();
    void complete(uint64_t slot, FrameKind kind, std::string payload);
    // Queues a frame right away (notifications interleave between responses).
    void pushNow(FrameKind kind, std::string payload);

    // Closes with `code` and `reason` once the replies already queued are written;
    // frames received from now on are ignored.
    void close(uint16_t code, std::string reason);

    // Writes the queued frames the socket accepts now; false means close the connection.
    bool writePending();

    // Whether a call since the last take changed what lws waits for (write interest, read
    // pause, a timeout, a partly written frame): the owner then runs the lws loop once
    // (UvLoopBridge::kick). A reply written whole at once needs no loop pass.
    bool takeLoopPass() { return std::exchange(loopPass_, false); }

    // Frame kind of pushed notifications: that of the last self-subscribing
    // subscription_create (websocket-v2.md §5); text until then.
    FrameKind notificationKind() const { return notificationKind_; }
    void setNotificationKind(FrameKind kind) { notificationKind_ = kind; }

    size_t pendingRequests() const { return queues_ ? queues_->slots.size() : 0; }
    bool wantsClose() const { return closeRequested_; }
    void detach() { wsi_ = nullptr; }

  private:
    struct Slot {
        bool ready = false;
        FrameKind kind = FrameKind::Text;
        std::string payload;
    };
    void moveReadySlots();
    bool writeQueued();  // as many queued frames as the socket takes; false on error
    bool writeFrame(FrameKind kind, const std::string& payload);  // one lws_write
    void enqueue(FrameKind kind, std::string payload);
    void requestWrite();
    void updateFlowControl();

    lws* wsi_;
    const WebSocketLimits& limits_;
    std::string id_;

    std::string rx_;
    bool rxBinary_ = false;
    bool rxTooLarge_ = false;

    uint64_t firstSlot_ = 0;
    // Allocated while the peer has traffic and freed when it goes idle: an empty
    // std::deque still allocates ~600 bytes, and most connections idle most of the time.
    struct Queues {
        std::deque<Slot> slots;
        std::deque<std::pair<FrameKind, std::string>> out;
    };
    Queues& queues();
    void releaseIfIdle();
    std::unique_ptr<Queues> queues_;
    size_t outBytes_ = 0;
    bool loopPass_ = false;
    bool rxPaused_ = false;
    bool closeRequested_ = false;
    bool closeSent_ = false;
    uint16_t closeCode_ = 0;
    std::string closeReason_;
    FrameKind notificationKind_ = FrameKind::Text;
};

}  // namespace zaqard::websocket
