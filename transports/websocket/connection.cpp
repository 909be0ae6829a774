#include "transports/websocket/connection.h"

#include <libwebsockets.h>

#include <algorithm>
#include <cstring>

#include "transports/websocket/ws_server.h"

namespace zaqard::websocket {

namespace {
// How long a peer closed for reading too slowly gets to take the close frame.
constexpr int kSlowReaderGraceSeconds = 10;
// Bytes written per writable event before yielding to other connections.
constexpr size_t kWriteBudgetBytes = 256 * 1024;
// lws_write() needs LWS_PRE writable bytes before the payload for the frame header. One
// buffer per shard thread: lws keeps a copy of whatever the socket did not take, so the
// buffer is free again once lws_write() returns, and idle connections hold none.
thread_local std::vector<unsigned char> writeScratch;
constexpr size_t kScratchKeepBytes = 64 * 1024;  // larger frames do not pin their buffer
}  // namespace

Connection::Connection(lws* wsi, const WebSocketLimits& limits, std::string id)
    : wsi_(wsi), limits_(limits), id_(std::move(id)) {}

bool Connection::receive(const void* data, size_t length, bool binary, bool final) {
    if (rx_.empty() && !rxTooLarge_) rxBinary_ = binary;
    // Past the limit we keep counting nothing: the message is answered with an error and
    // its remaining fragments are discarded.
    if (!rxTooLarge_ && rx_.size() + length > limits_.maxFrameBytes) {
        rxTooLarge_ = true;
        rx_.clear();
        rx_.shrink_to_fit();
    }
    if (!rxTooLarge_) rx_.append(static_cast<const char*>(data), length);
    return final;
}

Connection::Message Connection::takeMessage() {
    Message message{rxBinary_ ? FrameKind::Binary : FrameKind::Text, rxTooLarge_, std::move(rx_)};
    rx_.clear();
    rxTooLarge_ = false;
    return message;
}

Connection::Queues& Connection::queues() {
    if (!queues_) queues_ = std::make_unique<Queues>();
    return *queues_;
}

void Connection::releaseIfIdle() {
    if (queues_ && queues_->slots.empty() && queues_->out.empty()) queues_.reset();
}

uint64_t Connection::reserveSlot() {
    queues().slots.emplace_back();
    updateFlowControl();
    return firstSlot_ + queues_->slots.size() - 1;
}

void Connection::complete(uint64_t slot, FrameKind kind, std::string payload) {
    if (!queues_ || slot < firstSlot_ || slot - firstSlot_ >= queues_->slots.size()) return;
    Slot& s = queues_->slots[slot - firstSlot_];
    s.ready = true;
    s.kind = kind;
    s.payload = std::move(payload);
    moveReadySlots();
}

void Connection::pushNow(FrameKind kind, std::string payload) {
    enqueue(kind, std::move(payload));
}

void Connection::moveReadySlots() {
    bool moved = false;
    auto& slots = queues().slots;
    while (!slots.empty() && slots.front().ready) {
        enqueue(slots.front().kind, std::move(slots.front().payload));
        slots.pop_front();
        ++firstSlot_;
        moved = true;
    }
    if (moved) updateFlowControl();
}

void Connection::enqueue(FrameKind kind, std::string payload) {
    if (!wsi_ || closeRequested_) return;
    // Nothing queued before it and nothing held back by lws: written now. Waiting for a
    // writable callback instead costs libuv two epoll_ctl (write interest on, then off)
    // and a loop pass per reply, more than the write itself. lws_write() outside the
    // callback is safe here: lws keeps what the socket does not take and asks for
    // writability itself (then later frames queue until it has flushed).
    if ((!queues_ || queues_->out.empty()) && !lws_partial_buffered(wsi_)) {
        if (!writeFrame(kind, payload)) {
            // As a failed write in the writable callback would: the connection goes.
            lws_set_timeout(wsi_, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
            loopPass_ = true;
            return;
        }
        if (lws_partial_buffered(wsi_)) loopPass_ = true;
        releaseIfIdle();
        return;
    }
    outBytes_ += payload.size();
    queues().out.emplace_back(kind, std::move(payload));
    if (outBytes_ > limits_.maxOutputBytes) {
        // A reader this slow would make us buffer without bound: close it instead. The
        // queued replies go at once; the close frame (1008) leaves once the socket drains
        // (writePending), and a peer that never reads again is dropped by the timeout.
        closeRequested_ = true;
        closeCode_ = LWS_CLOSE_STATUS_POLICY_VIOLATION;
        closeReason_ = "output buffer limit exceeded (slow reader)";
        queues_->out.clear();
        outBytes_ = 0;
        // lws must keep reading to see the peer's close acknowledgement (closing with
        // unread input would reset the connection and lose the close frame).
        if (rxPaused_) lws_rx_flow_control(wsi_, 1);
        rxPaused_ = false;
        lws_set_timeout(wsi_, PENDING_TIMEOUT_USER_OK, kSlowReaderGraceSeconds);
    }
    requestWrite();
}

void Connection::requestWrite() {
    if (!wsi_) return;
    lws_callback_on_writable(wsi_);
    loopPass_ = true;
}

void Connection::updateFlowControl() {
    if (!wsi_ || closeRequested_) return;
    bool shouldPause = pendingRequests() >= limits_.maxPipelined;
    bool shouldResume = pendingRequests() <= limits_.maxPipelined / 2;
    if (!rxPaused_ && shouldPause) {
        rxPaused_ = true;
        lws_rx_flow_control(wsi_, 0);
        loopPass_ = true;
    } else if (rxPaused_ && shouldResume) {
        rxPaused_ = false;
        lws_rx_flow_control(wsi_, 1);
        loopPass_ = true;
    }
}

bool Connection::writePending() {
    if (!wsi_) return false;
    if (closeRequested_) {
        // Our own close frame, written raw: lws_close_reason() + returning -1 makes lws
        // 4.1 drop the connection at once when output was pending (checked), and the
        // peer would never learn why. The peer answers with its close frame, on which
        // lws closes; the timeout set in enqueue() covers a peer that never does.
        // Replies queued before close() go first (an expired authentication still
        // delivers what was answered before).
        if (queues_ && !queues_->out.empty()) {
            if (!writeQueued()) return false;
            if (!queues_->out.empty()) {  // more on the next writable event
                requestWrite();
                return true;
            }
        }
        if (!closeSent_) {
            // Control frames carry at most 125 bytes: code (2) + reason.
            std::string reason = closeReason_.substr(0, 123);
            size_t payload = 2 + reason.size();
            std::vector<unsigned char> frame(LWS_PRE + 2 + payload);
            unsigned char* p = frame.data() + LWS_PRE;
            p[0] = 0x88;  // FIN + close opcode
            p[1] = static_cast<unsigned char>(payload);
            p[2] = static_cast<unsigned char>(closeCode_ >> 8);
            p[3] = static_cast<unsigned char>(closeCode_ & 0xff);
            std::memcpy(p + 4, reason.data(), reason.size());
            closeSent_ = true;
            if (lws_write(wsi_, p, 2 + payload, LWS_WRITE_RAW) < 0) return false;
        }
        return true;
    }
    if (!writeQueued()) return false;
    if (queues_ && !queues_->out.empty()) {
        requestWrite();
    } else {
        releaseIfIdle();  // nothing to send: an idle connection keeps no buffers
    }
    return true;
}

bool Connection::writeQueued() {
    // As many frames as the socket takes now, bounded so one busy peer cannot hold the
    // shard; lws buffers a partial write itself and then asks for writability again.
    // (lws_partial_buffered rather than lws_send_pipe_choked: the latter polls the socket,
    // a system call per frame.)
    size_t budget = kWriteBudgetBytes;
    if (!queues_) return true;
    auto& out = queues_->out;
    while (!out.empty() && budget > 0 && !lws_partial_buffered(wsi_)) {
        auto& [kind, payload] = out.front();
        if (!writeFrame(kind, payload)) return false;
        budget -= std::min(budget, payload.size());
        outBytes_ -= payload.size();
        out.pop_front();
    }
    return true;
}

bool Connection::writeFrame(FrameKind kind, const std::string& payload) {
    writeScratch.resize(LWS_PRE + payload.size());
    std::memcpy(writeScratch.data() + LWS_PRE, payload.data(), payload.size());
    int written = lws_write(wsi_, writeScratch.data() + LWS_PRE, payload.size(),
                            kind == FrameKind::Binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT);
    if (writeScratch.size() > kScratchKeepBytes) std::vector<unsigned char>().swap(writeScratch);
    return written >= static_cast<int>(payload.size());
}

void Connection::close(uint16_t code, std::string reason) {
    if (!wsi_ || closeRequested_) return;
    closeRequested_ = true;
    closeCode_ = code;
    closeReason_ = std::move(reason);
    if (rxPaused_) lws_rx_flow_control(wsi_, 1);
    rxPaused_ = false;
    lws_set_timeout(wsi_, PENDING_TIMEOUT_USER_OK, kSlowReaderGraceSeconds);
    loopPass_ = true;
    requestWrite();
}

}  // namespace zaqard::websocket
