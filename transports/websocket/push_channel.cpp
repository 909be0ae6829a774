#include "transports/websocket/push_channel.h"

#include "src/common/uuid.h"

namespace zaqard::websocket {

namespace {
constexpr const char* kChannelPrefix = "zaqard:ws:";
}  // namespace

PushChannel::PushChannel(storage::PubSub& pubsub, std::string listenerId, Deliver deliver)
    : pubsub_(pubsub), listenerId_(std::move(listenerId)), deliver_(std::move(deliver)) {}

PushChannel::~PushChannel() {
    stop();
}

void PushChannel::start() {
    if (listener_) return;
    listener_ = pubsub_.listen(kChannelPrefix + listenerId_, [this](std::string_view payload) {
        size_t space = payload.find(' ');
        if (space == std::string_view::npos) return;
        Json frame = parseJsonValue(payload.substr(space + 1));
        if (!frame) return;
        deliver_(std::string(payload.substr(0, space)), std::move(frame));
    });
}

void PushChannel::stop() {
    listener_.reset();
}

bool PushChannel::subscribed() const {
    return listener_ && listener_->active();
}

void PushChannel::publish(const std::string& connectionId, const Json& frame, Published done) {
    std::string channel = channelFor(connectionId);
    if (channel.empty()) {
        if (done) done(false);
        return;
    }
    pubsub_.publish(channel, connectionId + " " + frame.dump(),
                    [done = std::move(done)](Result<int64_t> received) {
                        if (done) done(received.ok() && received.value() > 0);
                    });
}

std::string PushChannel::listenerOf(const std::string& connectionId) {
    size_t dot = connectionId.find('.');
    return dot == std::string::npos || dot == 0 ? std::string() : connectionId.substr(0, dot);
}

std::string PushChannel::channelFor(const std::string& connectionId) {
    std::string listener = listenerOf(connectionId);
    return listener.empty() ? std::string() : kChannelPrefix + listener;
}

std::string PushChannel::newListenerId() {
    std::string id;
    for (char c : randomUuid())
        if (c != '-' && id.size() < 16) id += c;
    return id;
}

}  // namespace zaqard::websocket
