// REST response shapes (rest-v2.md §4–§6): messages, pop items, claims, stats, queue
// listings. The WebSocket dialect has its own shapes; handlers pick the renderer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "src/common/json.h"
#include "storage/types.h"

namespace zaqard::api::rest {

// `base` below is the path every href of one queue (topic) starts with: "/v2/queues/<q>"
// ("/v2/topics/<t>").
std::string queuePath(const std::string& queue);

// A message body stored as JSON text, decoded (null when it cannot be parsed).
Json messageBody(const std::string& text);

// {"id", "href", "ttl", "age", "body"[, "checksum"]}; href carries ?claim_id= when
// `claimId` is not empty.
Json message(const storage::Message& m, const std::string& base, const std::string& claimId,
             bool withChecksum);
// The same with the claim id the storage reports as live on the message.
Json message(const storage::Message& m, const std::string& base, bool withChecksum);

// `{"messages":[...]` + `tail` + `}` as text, each message as message() renders it, byte
// for byte what dumping that Json would give but for the bodies: they are spliced in
// unparsed, the validated JSON text the client posted (post_body.h), which spares a parse
// and a dump per message on the list and claim paths. `claimId` empty: each message's live claim.
// `tail` is appended after the array, e.g. `,"links":[]`.
std::string messagesText(const std::vector<storage::Message>& messages, const std::string& base,
                         const std::string& claimId, bool withChecksum, std::string_view tail);

// message() and claim() as text, the stored bodies spliced in as messagesText does: the
// client gets each body back as it sent it (src/api/post_body.h).
std::string messageText(const storage::Message& m, const std::string& base, bool withChecksum);
std::string claimText(const storage::ClaimInfo& info, const std::string& base, bool withChecksum);

// Pop items: {"id", "age", "ttl", "body", "claim_id": null, "claim_count"[, "checksum"]}.
Json popItem(const storage::Message& m, bool withChecksum);

// GET claim: {"age", "ttl", "messages", "href"}.
Json claim(const storage::ClaimInfo& info, const std::string& base, bool withChecksum);

// {"messages": {"claimed", "free", "total"[, "oldest", "newest"]}}.
Json stats(const storage::QueueStats& s, const std::string& base);

// A topic's: {"messages": {"total"[, "oldest", "newest"]}}; an empty (or unknown) topic
// gets the queue-style zeros {"claimed": 0, "free": 0, "total": 0} (rest-v2.md §8).
Json topicStats(const storage::QueueStats& s, const std::string& base);

// UTC "%Y-%m-%dT%H:%M:%SZ".
std::string isoTimestamp(double unixSeconds);

}  // namespace zaqard::api::rest
