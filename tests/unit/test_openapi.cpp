// The OpenAPI document cannot drift from the action table: docs/openapi.json (embedded,
// and served at /v2/openapi.json) must be exactly what src/api/openapi builds from the
// table and src/api/openapi/source.json. tests/integration/test_openapi.py checks the
// document against real responses.
#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "src/api/action_table.h"
#include "src/api/openapi/openapi.h"

namespace zaqard {
namespace {

namespace openapi = api::openapi;

constexpr const char* kRegenerate =
    "\nWhen you add or change a REST row of the action table: document it under "
    "\"operations\" (key: the row's name) in src/api/openapi/source.json, then regenerate "
    "docs/openapi.json with `cmake --build <build dir> --target openapi` and commit both "
    "(docs/architecture.md, \"Adding an action\").";

std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// "GET /v2/queues" for every operation of a document.
std::set<std::string> operations(const Json& document) {
    std::set<std::string> out;
    const char* path;
    json_t* item;
    json_object_foreach(json_object_get(document.get(), "paths"), path, item) {
        const char* method;
        json_t* op;
        json_object_foreach(item, method, op) out.insert(std::string(method) + " " + path);
    }
    return out;
}

Json source() {
    Json parsed = parseJsonValue(openapi::sourceDocument());
    EXPECT_TRUE(json_is_object(parsed.get())) << "src/api/openapi/source.json is not a JSON object";
    return parsed;
}

TEST(OpenApi, SourceDocumentsEveryRestRowAndNothingElse) {
    std::vector<std::string> problems;
    openapi::build(api::actionTable(), source(), problems);
    for (const std::string& problem : problems) ADD_FAILURE() << problem << kRegenerate;
}

TEST(OpenApi, CommittedDocumentIsWhatTheTableMakes) {
    std::vector<std::string> problems;
    Json built = openapi::build(api::actionTable(), source(), problems);
    Json committed = parseJsonValue(openapi::committedDocument());
    ASSERT_TRUE(json_is_object(committed.get())) << "docs/openapi.json is not JSON" << kRegenerate;

    std::set<std::string> want = operations(built), have = operations(committed);
    for (const std::string& op : want)
        if (!have.count(op)) ADD_FAILURE() << "docs/openapi.json lacks " << op << kRegenerate;
    for (const std::string& op : have)
        if (!want.count(op))
            ADD_FAILURE() << "docs/openapi.json has " << op << ", no row of the table"
                          << kRegenerate;
    EXPECT_TRUE(json_equal(built.get(), committed.get()))
        << "docs/openapi.json differs from what the table and source.json make" << kRegenerate;
    // Byte for byte too, so the committed file is the generator's (reviewable diffs).
    EXPECT_EQ(openapi::render(built), std::string(openapi::committedDocument())) << kRegenerate;
}

TEST(OpenApi, EveryRestRowIsItsOperation) {
    Json committed = parseJsonValue(openapi::committedDocument());
    json_t* paths = json_object_get(committed.get(), "paths");
    for (const api::ActionSpec& row : api::actionTable()) {
        if (!row.rest.path) continue;
        json_t* op =
            json_object_get(json_object_get(paths, row.rest.path), lower(row.rest.method).c_str());
        ASSERT_NE(op, nullptr) << row.rest.method << " " << row.rest.path << kRegenerate;
        EXPECT_STREQ(json_string_value(json_object_get(op, "operationId")), row.name);
        EXPECT_STREQ(json_string_value(json_object_get(op, "summary")), row.summary);
        EXPECT_STREQ(json_string_value(json_object_get(op, "x-policy-rule")), row.rule);
        // Checked routes document their header parameters and the 400 of those checks.
        bool checked = row.checks != api::Checks::None;
        EXPECT_EQ(json_object_get(json_object_get(op, "responses"), "400") != nullptr, checked)
            << row.name;
    }
}

// What a helper adding a row sees: the missing operation and the stale one, by name.
TEST(OpenApi, ProblemsNameTheRowsOutOfStep) {
    Json edited = source();
    json_t* ops = json_object_get(edited.get(), "operations");
    ASSERT_EQ(json_object_del(ops, "queue_stats"), -1);  // not a row name: nothing removed
    ASSERT_EQ(json_object_del(ops, "queue_get_stats"), 0);
    json_object_set_new(ops, "topic_get_stats", json_object());
    std::vector<std::string> problems;
    Json built = openapi::build(api::actionTable(), edited, problems);
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_NE(problems[0].find("queue_get_stats (GET /v2/queues/{queue_name}/stats)"),
              std::string::npos)
        << problems[0];
    EXPECT_NE(problems[1].find("topic_get_stats"), std::string::npos) << problems[1];
    EXPECT_EQ(operations(built).count("get /v2/queues/{queue_name}/stats"), 0u);
}

}  // namespace
}  // namespace zaqard
