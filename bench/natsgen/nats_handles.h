// RAII owners for the nats.c handles natsgen holds: each is destroyed by its own nats.c
// function when the owning worker ends.
#pragma once

#include <nats/nats.h>

#include <memory>

namespace zqnats {

struct ConnectionDeleter {
    void operator()(natsConnection* c) const { natsConnection_Destroy(c); }
};
struct JsDeleter {
    void operator()(jsCtx* js) const { jsCtx_Destroy(js); }
};
struct SubscriptionDeleter {
    void operator()(natsSubscription* s) const { natsSubscription_Destroy(s); }
};
struct PubAckDeleter {
    void operator()(jsPubAck* a) const { jsPubAck_Destroy(a); }
};

using Connection = std::unique_ptr<natsConnection, ConnectionDeleter>;
using Js = std::unique_ptr<jsCtx, JsDeleter>;
using Subscription = std::unique_ptr<natsSubscription, SubscriptionDeleter>;
using PubAck = std::unique_ptr<jsPubAck, PubAckDeleter>;

// A fetched batch, destroyed (messages included) when it goes out of scope.
class MsgList {
  public:
    MsgList() = default;
    MsgList(const MsgList&) = delete;
    MsgList& operator=(const MsgList&) = delete;
    ~MsgList() { natsMsgList_Destroy(&list_); }
    natsMsgList* get() { return &list_; }
    int size() const { return list_.Count; }
    natsMsg* at(int i) const { return list_.Msgs[i]; }

  private:
    natsMsgList list_{};
};

}  // namespace zqnats
