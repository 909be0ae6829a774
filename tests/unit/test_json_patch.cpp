// Unit tests of PATCH /v2/queues/{q} operations and every error text (rest-v2.md §4.4).
#include <gtest/gtest.h>

#include "src/api/json_patch.h"

namespace zaqard::api {
namespace {

std::string errorOf(const char* text) {
    Json changes = parseJsonValue(text);
    PatchParse parsed = parsePatch(changes.get());
    return parsed.error.value_or("");
}

TEST(JsonPatch, ParsesOperations) {
    Json changes = parseJsonValue(
        R"([{"op": "add", "path": "/metadata/a", "value": 1},
            {"op": "replace", "path": "/Metadata/b~1c~0d", "value": null},
            {"op": "remove", "path": "/anything/ x "}])");
    PatchParse parsed = parsePatch(changes.get());
    ASSERT_FALSE(parsed.error) << *parsed.error;
    ASSERT_EQ(parsed.operations.size(), 3u);
    EXPECT_EQ(parsed.operations[0].op, PatchOperation::Op::Add);
    EXPECT_EQ(parsed.operations[0].key, "a");
    EXPECT_EQ(parsed.operations[1].key, "b/c~d");
    EXPECT_TRUE(json_is_null(parsed.operations[1].value.get()));
    EXPECT_EQ(parsed.operations[2].op, PatchOperation::Op::Remove);
    EXPECT_EQ(parsed.operations[2].key, "x");
}

TEST(JsonPatch, ErrorTexts) {
    EXPECT_EQ(errorOf("[1]"), "Operations must be JSON objects.");
    EXPECT_EQ(errorOf(R"([{"path": "/metadata/a"}])"),
              "Unable to find `op` in JSON Schema change. It must be one of the following: add, "
              "remove, replace.");
    EXPECT_EQ(errorOf(R"([{"op": "move", "path": "/metadata/a"}])"),
              "Invalid operation: `move`. It must be one of the following: add, remove, replace.");
    EXPECT_EQ(errorOf(R"([{"op": "add"}])"), "Unable to find 'path' in JSON Schema change");
    EXPECT_EQ(errorOf(R"([{"op": "add", "path": "metadata/a", "value": 1}])"),
              "Pointer `metadata/a` does not start with \"/\".");
    EXPECT_EQ(errorOf(R"([{"op": "add", "path": "/metadata//a", "value": 1}])"),
              "Pointer `/metadata//a` contains adjacent \"/\".");
    EXPECT_EQ(errorOf(R"([{"op": "add", "path": "/metadata/ /a", "value": 1}])"),
              "Pointer `/metadata/ /a` contains adjacent \"/\".");
    EXPECT_EQ(errorOf(R"([{"op": "add", "path": "/metadata/a/", "value": 1}])"),
              "Pointer `/metadata/a/` end with \"/\".");
    EXPECT_EQ(errorOf(R"([{"op": "add", "path": "/metadata/a~2", "value": 1}])"),
              "Pointer `/metadata/a~2` contains \"~\" not part of a recognized escape sequence.");
    EXPECT_EQ(errorOf(R"([{"op": "add", "path": "/metadata/a~", "value": 1}])"),
              "Pointer `/metadata/a~` contains \"~\" not part of a recognized escape sequence.");
    EXPECT_EQ(errorOf(R"([{"op": "add", "path": "/metadata/a/b", "value": 1}])"),
              "Invalid JSON pointer for this resource: '/metadata/a/b, e.g /metadata/key'");
    EXPECT_EQ(errorOf(R"([{"op": "add", "path": "/metadata", "value": 1}])"),
              "Invalid JSON pointer for this resource: '/metadata, e.g /metadata/key'");
    EXPECT_EQ(errorOf(R"([{"op": "add", "path": "/meta/a", "value": 1}])"),
              "The root of path must be metadata, e.g /metadata/key.");
    EXPECT_EQ(errorOf(R"([{"op": "add", "path": "/metadata/a"}])"),
              "Operation \"add\" requires a member named \"value\".");
    EXPECT_EQ(errorOf(R"([{"op": "replace", "path": "/metadata/a"}])"),
              "Operation \"replace\" requires a member named \"value\".");
}

std::vector<PatchOperation> ops(const char* text) {
    Json changes = parseJsonValue(text);
    PatchParse parsed = parsePatch(changes.get());
    EXPECT_FALSE(parsed.error);
    return parsed.operations;
}

TEST(JsonPatch, ApplySemantics) {
    Json metadata = parseJsonValue(R"({"a": 1, "b": 2})");
    EXPECT_FALSE(applyPatch(metadata, ops(R"([
        {"op": "add", "path": "/metadata/c", "value": 3},
        {"op": "replace", "path": "/metadata/a", "value": "x"},
        {"op": "remove", "path": "/metadata/b"},
        {"op": "replace", "path": "/metadata/_default_message_ttl", "value": 120},
        {"op": "remove", "path": "/metadata/_max_claim_count"}])")));
    EXPECT_EQ(metadata.dump(), R"({"a":"x","c":3,"_default_message_ttl":120})");
}

TEST(JsonPatch, Conflicts) {
    Json metadata = Json::object();
    EXPECT_EQ(
        applyPatch(metadata, ops(R"([{"op": "replace", "path": "/metadata/k", "value": 1}])")),
        "Can't replace non-existent object k.");
    EXPECT_EQ(applyPatch(metadata, ops(R"([{"op": "remove", "path": "/metadata/k"}])")),
              "Can't remove non-existent object k.");
}

}  // namespace
}  // namespace zaqard::api
