// Writes the OpenAPI document built from the action table and the embedded
// src/api/openapi/source.json to the file named by argv[1] (docs/openapi.json), only when
// its text changes. Run through `cmake --build <build dir> --target openapi`.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "src/api/action_table.h"
#include "src/api/openapi/openapi.h"

int main(int argc, char** argv) {
    using namespace zaqard;
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s docs/openapi.json\n", argv[0]);
        return 2;
    }
    Json source = parseJsonValue(api::openapi::sourceDocument());
    if (!json_is_object(source.get())) {
        std::fprintf(stderr, "src/api/openapi/source.json is not a JSON object\n");
        return 1;
    }
    std::vector<std::string> problems;
    std::string text =
        api::openapi::render(api::openapi::build(api::actionTable(), source, problems));
    for (const std::string& problem : problems) std::fprintf(stderr, "%s\n", problem.c_str());
    if (!problems.empty()) return 1;

    std::stringstream current;
    current << std::ifstream(argv[1]).rdbuf();
    if (current.str() == text) return 0;
    std::ofstream out(argv[1], std::ios::trunc);
    out << text;
    if (!out.flush()) {
        std::fprintf(stderr, "cannot write %s\n", argv[1]);
        return 1;
    }
    std::printf("wrote %s\n", argv[1]);
    return 0;
}
