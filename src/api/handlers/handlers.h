// The responders of every action, after the header checks of Api::handle. Each one
// validates, calls storage and renders; each answers through Call::reply exactly once.
#pragma once

#include "src/api/handlers/call.h"

namespace zaqard::api::handlers {

// service.cpp
void ping(const CallPtr& call);
void health(const CallPtr& call);

// metrics.cpp
void metrics(const CallPtr& call);

// queues.cpp
void queueList(const CallPtr& call);
void queueCreate(const CallPtr& call);
void queueGet(const CallPtr& call);
void queueUpdate(const CallPtr& call);
void queueDelete(const CallPtr& call);
void queueStats(const CallPtr& call);
void queuePurge(const CallPtr& call);

// share.cpp
void queueShare(const CallPtr& call);

// messages.cpp
void messagePost(const CallPtr& call);
void messageList(const CallPtr& call);
void messageDeleteMany(const CallPtr& call);
void messageGet(const CallPtr& call);
void messageDelete(const CallPtr& call);

// claims.cpp
void claimCreate(const CallPtr& call);
void claimGet(const CallPtr& call);
void claimUpdate(const CallPtr& call);
void claimDelete(const CallPtr& call);

// subscriptions.cpp
void subscriptionList(const CallPtr& call);
void subscriptionCreate(const CallPtr& call);
void subscriptionGet(const CallPtr& call);
void subscriptionUpdate(const CallPtr& call);
void subscriptionDelete(const CallPtr& call);
void subscriptionConfirm(const CallPtr& call);

// pools.cpp
void poolList(const CallPtr& call);
void poolGet(const CallPtr& call);
void poolCreate(const CallPtr& call);
void poolUpdate(const CallPtr& call);
void poolDelete(const CallPtr& call);

// flavors.cpp
void flavorList(const CallPtr& call);
void flavorGet(const CallPtr& call);
void flavorCreate(const CallPtr& call);
void flavorUpdate(const CallPtr& call);
void flavorDelete(const CallPtr& call);

}  // namespace zaqard::api::handlers
