#include "src/api/policy/policy_loader.h"

#include <jansson.h>
#include <yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace zaqard::api::policy {

namespace {

namespace fs = std::filesystem;

const char* const kDefaultPolicyFile = "policy.yaml";
const char* const kSystemConfigDir = "/etc/zaqar";

Error loadError(std::string message) {
    return Error{ErrorKind::BadRequest, std::move(message)};
}

// An absolute path as is; a relative one in the config file's directory, then /etc/zaqar.
std::optional<fs::path> findPath(const config::Config& config, const std::string& name) {
    fs::path path(name);
    std::error_code ignored;
    if (path.is_absolute()) {
        if (fs::exists(path, ignored)) return path;
        return std::nullopt;
    }
    std::vector<fs::path> dirs;
    if (!config.sourceFile.empty()) dirs.push_back(fs::path(config.sourceFile).parent_path());
    dirs.emplace_back(kSystemConfigDir);
    for (const fs::path& dir : dirs) {
        fs::path candidate = dir.empty() ? path : dir / path;
        // Absolute, so start-up messages name the file unambiguously.
        if (fs::exists(candidate, ignored)) return fs::absolute(candidate, ignored);
    }
    return std::nullopt;
}

// --- JSON ---------------------------------------------------------------------------------

Status rulesFromJson(json_t* root, Policy& policy) {
    if (json_is_null(root)) return Unit{};
    if (!json_is_object(root)) return loadError("the document is not a map of rules");
    const char* name;
    json_t* value;
    json_object_foreach(root, name, value) {
        if (json_is_string(value)) {
            if (auto status = policy.set(name, json_string_value(value)); !status) return status;
            continue;
        }
        if (json_is_null(value)) {  // oslo: an empty rule allows
            policy.set(name, Check{});
            continue;
        }
        std::vector<std::vector<std::string>> alternatives;
        bool ok = json_is_array(value);
        size_t i;
        json_t* inner;
        json_array_foreach(value, i, inner) {
            std::vector<std::string> words;
            if (json_is_string(inner)) {
                words.emplace_back(json_string_value(inner));
            } else if (json_is_array(inner)) {
                size_t j;
                json_t* word;
                json_array_foreach(inner, j, word) {
                    if (json_is_string(word))
                        words.emplace_back(json_string_value(word));
                    else
                        ok = false;
                }
            } else {
                ok = false;
            }
            alternatives.push_back(std::move(words));
        }
        if (!ok)
            return loadError(std::string("rule \"") + name +
                             "\" is neither a check string nor a list of lists of checks");
        auto check = parseListCheck(alternatives);
        if (!check)
            return loadError(std::string("rule \"") + name + "\": " + check.error().message);
        policy.set(name, std::move(check.value()));
    }
    return Unit{};
}

// --- YAML ---------------------------------------------------------------------------------

struct YamlParser {
    yaml_parser_t parser;
    YamlParser() { yaml_parser_initialize(&parser); }
    ~YamlParser() { yaml_parser_delete(&parser); }
    YamlParser(const YamlParser&) = delete;
    YamlParser& operator=(const YamlParser&) = delete;
};

struct YamlDocument {
    yaml_document_t document;
    bool loaded = false;
    ~YamlDocument() {
        if (loaded) yaml_document_delete(&document);
    }
};

std::string scalarText(const yaml_node_t* node) {
    return std::string(reinterpret_cast<const char*>(node->data.scalar.value),
                       node->data.scalar.length);
}

// A plain (unquoted) scalar that YAML reads as null: oslo then sees None, i.e. "allow".
bool isPlainNull(const yaml_node_t* node) {
    if (node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return false;
    std::string text = scalarText(node);
    return text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
}

Status rulesFromYaml(yaml_document_t& document, Policy& policy) {
    yaml_node_t* root = yaml_document_get_root_node(&document);
    if (!root) return Unit{};  // an empty document: no overrides
    if (root->type == YAML_SCALAR_NODE && isPlainNull(root)) return Unit{};
    if (root->type != YAML_MAPPING_NODE) return loadError("the document is not a map of rules");
    for (yaml_node_pair_t* pair = root->data.mapping.pairs.start;
         pair < root->data.mapping.pairs.top; ++pair) {
        yaml_node_t* key = yaml_document_get_node(&document, pair->key);
        yaml_node_t* value = yaml_document_get_node(&document, pair->value);
        if (!key || key->type != YAML_SCALAR_NODE) return loadError("a rule name is not a string");
        std::string name = scalarText(key);
        if (value && value->type == YAML_SCALAR_NODE) {
            if (isPlainNull(value)) {
                policy.set(name, Check{});
                continue;
            }
            if (auto status = policy.set(name, scalarText(value)); !status) return status;
            continue;
        }
        std::vector<std::vector<std::string>> alternatives;
        bool ok = value && value->type == YAML_SEQUENCE_NODE;
        if (ok) {
            for (yaml_node_item_t* item = value->data.sequence.items.start;
                 ok && item < value->data.sequence.items.top; ++item) {
                yaml_node_t* inner = yaml_document_get_node(&document, *item);
                std::vector<std::string> words;
                if (inner && inner->type == YAML_SCALAR_NODE) {
                    words.push_back(scalarText(inner));
                } else if (inner && inner->type == YAML_SEQUENCE_NODE) {
                    for (yaml_node_item_t* w = inner->data.sequence.items.start;
                         w < inner->data.sequence.items.top; ++w) {
                        yaml_node_t* word = yaml_document_get_node(&document, *w);
                        if (word && word->type == YAML_SCALAR_NODE)
                            words.push_back(scalarText(word));
                        else
                            ok = false;
                    }
                } else {
                    ok = false;
                }
                alternatives.push_back(std::move(words));
            }
        }
        if (!ok)
            return loadError("rule \"" + name +
                             "\" is neither a check string nor a list of lists of checks");
        auto check = parseListCheck(alternatives);
        if (!check) return loadError("rule \"" + name + "\": " + check.error().message);
        policy.set(name, std::move(check.value()));
    }
    return Unit{};
}

Status loadYaml(const std::string& text, Policy& policy) {
    YamlParser parser;
    yaml_parser_set_input_string(&parser.parser,
                                 reinterpret_cast<const unsigned char*>(text.data()), text.size());
    YamlDocument document;
    if (!yaml_parser_load(&parser.parser, &document.document)) {
        std::ostringstream message;
        message << "not valid JSON or YAML: "
                << (parser.parser.problem ? parser.parser.problem : "parse error") << " at line "
                << parser.parser.problem_mark.line + 1 << ", column "
                << parser.parser.problem_mark.column + 1;
        return loadError(message.str());
    }
    document.loaded = true;
    if (auto status = rulesFromYaml(document.document, policy); !status) return status;
    // A second document ("---") would be ignored by us but rejected by PyYAML's safe_load.
    YamlDocument next;
    if (!yaml_parser_load(&parser.parser, &next.document))
        return loadError("not valid YAML after the first document");
    next.loaded = true;
    if (yaml_document_get_root_node(&next.document))
        return loadError("more than one YAML document in the file");
    return Unit{};
}

}  // namespace

Status loadPolicyText(const std::string& text, Policy& policy) {
    // oslo tries JSON first, then YAML (JSON is YAML, but YAML parsers are slower).
    json_error_t error;
    json_t* root = json_loadb(text.data(), text.size(), JSON_DECODE_ANY, &error);
    if (root) {
        Status status = rulesFromJson(root, policy);
        json_decref(root);
        return status;
    }
    return loadYaml(text, policy);
}

Status loadPolicyFile(const std::string& path, Policy& policy) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return loadError(path + ": cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return loadError(path + ": cannot be read");
    if (auto status = loadPolicyText(text.str(), policy); !status)
        return loadError(path + ": " + status.error().message);
    return Unit{};
}

Result<LoadedPolicy> loadPolicy(const config::Config& config) {
    auto policy = std::make_shared<Policy>();
    LoadedPolicy loaded;
    if (!config.policy_file.empty()) {
        auto path = findPath(config, config.policy_file);
        if (path) {
            if (fs::is_directory(*path))
                return loadError("[oslo_policy] policy_file " + path->string() + " is a directory");
            if (auto status = loadPolicyFile(path->string(), *policy); !status)
                return status.error();
            loaded.files.push_back(path->string());
        } else if (config.policy_file != kDefaultPolicyFile) {
            // oslo only logs this; a policy an operator named but zaqard cannot find would
            // leave the defaults (open) in place, so it is an error here.
            return loadError("[oslo_policy] policy_file " + config.policy_file +
                             " not found (looked in the config file's directory and " +
                             kSystemConfigDir + ")");
        }
    }
    for (const std::string& dirName : config.policy_dirs) {
        auto dir = findPath(config, dirName);
        if (!dir) continue;  // oslo skips missing policy directories
        if (!fs::is_directory(*dir))
            return loadError("[oslo_policy] policy_dirs " + dir->string() + " is not a directory");
        std::vector<std::string> files;
        std::error_code error;
        // As oslo: the directory's own files (no subdirectories), hidden ones skipped.
        for (const auto& entry : fs::directory_iterator(*dir, error))
            if (entry.is_regular_file() && entry.path().filename().string().front() != '.')
                files.push_back(entry.path().string());
        if (error) return loadError(dir->string() + ": " + error.message());
        std::sort(files.begin(), files.end());
        for (const std::string& file : files) {
            if (auto status = loadPolicyFile(file, *policy); !status) return status.error();
            loaded.files.push_back(file);
        }
    }
    if (auto status = policy->resolve(); !status) {
        std::string where = loaded.files.empty() ? std::string("default policy") : "policy";
        return loadError(where + ": " + status.error().message);
    }
    loaded.policy = std::move(policy);
    return loaded;
}

}  // namespace zaqard::api::policy
