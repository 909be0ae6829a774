// Zaqar v2 wire helpers shared by the scenarios: request paths, the message post body, and
// cheap scans of response bodies. The scans look for fixed markers instead of parsing the
// JSON: the load generator shares two cores with the server and Redis, and every cycle it
// spends is taken from them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace zqbench {

std::string queueName(int index);
std::string queuePath(int index);  // /v2/queues/<name>

// {"messages": [{"body": {"ts": <sentNs>, "pad": "xxx"}, "ttl": 300}, ...]} where each
// body serialises to about `size` bytes.
std::string postBody(int batch, int size, uint64_t sentNs);

struct ClaimedMessages {
    std::string claimId;
    std::vector<std::string> ids;
    std::vector<uint64_t> sentNs;  // the "ts" of each body, for end-to-end latency
};
// Scans a 201 claim response: ids and claim id come from each href "...<id>?claim_id=<cid>",
// or (websocket replies have no hrefs) from "claim_id" and each message's "id".
ClaimedMessages scanClaim(std::string_view body);

// Number of message objects in a list/claim response.
size_t countMessages(std::string_view body);
// The "next" link of a list response, or "" when there is none.
std::string nextLink(std::string_view body);
// The first integer value of "<key>": in the body, or -1.
int64_t intField(std::string_view body, std::string_view key);

}  // namespace zqbench
