// The OpenAPI 3.1 description of the REST API (GET /v2/openapi.json, docs/openapi.json).
//
// Paths, methods, operationIds, summaries, policy rules, path and identity-header
// parameters come from the action table; everything the table does not say (query
// parameters, request and response bodies, headers) is hand-written per action name in
// src/api/openapi/source.json. docs/openapi.json is the committed result: it is embedded
// at build time and served as is, and tests/unit/test_openapi.cpp fails when it is not
// what buildOpenApi() makes of the current table (regenerate with
// `cmake --build <build dir> --target openapi`).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "src/api/action_table.h"
#include "src/common/json.h"

namespace zaqard::api::openapi {

// The document for `rows` merged with `source` (source.json parsed). Every REST row needs
// an entry under source's "operations" and every entry a REST row; each mismatch is a
// line in `problems` (and the document is still built from what matched).
Json build(std::span<const ActionSpec> rows, const Json& source,
           std::vector<std::string>& problems);

// The text docs/openapi.json holds: two-space indent, keys in build order, final newline.
std::string render(const Json& document);

// Embedded at build time (cmake/embed_text.cmake).
std::string_view committedDocument();  // docs/openapi.json
std::string_view sourceDocument();     // src/api/openapi/source.json

}  // namespace zaqard::api::openapi
