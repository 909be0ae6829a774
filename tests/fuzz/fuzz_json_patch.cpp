// PATCH /v2/queues/{q} bodies (json_patch.*): the body is parsed as the handler parses
// it, validated (parsePatch) and applied (applyPatch) to a queue's metadata holding the
// reserved keys and a few of the operator's, and to a topic's. Byte 0 says whether the
// target is a topic.
#include <cstddef>
#include <cstdint>
#include <string>

#include "src/api/json_patch.h"
#include "src/common/json.h"

using namespace zaqard;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const bool topic = data[0] & 1;
    std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    Json changes = parseJsonValue(text);
    if (!json_is_array(changes.get())) return 0;  // the handler answers 400 before this
    api::PatchParse parsed = api::parsePatch(changes.get());
    if (parsed.error) return 0;
    Json metadata = parseJsonValue(
        R"({"_max_messages_post_size": 262144, "_default_message_ttl": 3600,)"
        R"( "_default_message_delay": 0, "_dead_letter_queue": "dlq", "key": "value",)"
        R"( "nested": {"a": [1, 2, {"b": null}]}, "~/": 1})");
    (void)api::applyPatch(metadata, parsed.operations, topic);
    (void)metadata.dump();
    return 0;
}
