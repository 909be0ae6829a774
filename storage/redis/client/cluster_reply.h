// What a Redis Cluster node's error reply asks of the client (the cluster specification's
// "Redirection and resharding" and "Failure detection"):
//   MOVED <slot> <host>:<port>  the slot lives elsewhere for good: update the map, resend
//   ASK <slot> <host>:<port>    the slot is migrating and this key is already on the
//                               target: send ASKING + the command there, once
//   TRYAGAIN ...                a multi-key command met a half-migrated slot: retry soon
//   CLUSTERDOWN ...             the cluster is failing over or lost slot coverage: retry soon
// Anything else is the command's own answer.
#pragma once

#include "storage/redis/client/endpoint.h"
#include "storage/redis/reply.h"

namespace zaqard::storage::redis {

struct ClusterRedirect {
    enum class Kind { None, Moved, Ask, TryAgain, Down };
    Kind kind = Kind::None;
    int slot = -1;    // MOVED and ASK
    Endpoint target;  // MOVED and ASK
};

// `from` is the node that answered: a MOVED/ASK naming an empty host (":7001", a node that
// does not know its own address) means that node's host.
ClusterRedirect parseClusterRedirect(const RedisValue& reply, const Endpoint& from);

}  // namespace zaqard::storage::redis
