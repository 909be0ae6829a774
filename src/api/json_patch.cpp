#include "src/api/json_patch.h"

#include <cctype>
#include <string_view>

#include "src/api/queue_metadata.h"

namespace zaqard::api {

namespace {

bool isSpace(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
}

std::string strip(std::string_view s) {
    while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
    while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
    return std::string(s);
}

// str(value) as Python would print a decoded JSON scalar inside Zaqar's message.
std::string pythonStr(const json_t* value) {
    if (json_is_string(value)) return json_string_value(value);
    if (json_is_true(value)) return "True";
    if (json_is_false(value)) return "False";
    if (json_is_null(value)) return "None";
    return dumpJson(value);
}

void replaceAll(std::string& s, std::string_view from, std::string_view to) {
    for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
        s.replace(pos, from.size(), to);
}

// _validate_json_pointer: the description of the first problem, or nullopt.
std::optional<std::string> pointerProblem(const std::string& pointer) {
    const std::string prefix = "Pointer `" + pointer + "` ";
    if (pointer.empty() || pointer[0] != '/') return prefix + "does not start with \"/\".";
    // re.search(r'/\s*?/', pointer[1:]): two slashes with only whitespace between them.
    for (size_t i = 1; i < pointer.size(); ++i) {
        if (pointer[i] != '/') continue;
        size_t j = i + 1;
        while (j < pointer.size() && isSpace(pointer[j])) ++j;
        if (j < pointer.size() && pointer[j] == '/') return prefix + "contains adjacent \"/\".";
    }
    if (pointer.size() > 1 && pointer.back() == '/') return prefix + "end with \"/\".";
    if (strip(std::string_view(pointer).substr(1)) == "/")
        return prefix + "does not contains valid token.";
    for (size_t i = 0; i < pointer.size(); ++i) {
        if (pointer[i] != '~') continue;
        if (i + 1 == pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1'))
            return prefix + "contains \"~\" not part of a recognized escape sequence.";
    }
    return std::nullopt;
}

std::vector<std::string> decodePointer(const std::string& pointer) {
    std::string_view rest = pointer;
    while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);  // lstrip('/')
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        size_t slash = rest.find('/', start);
        std::string part(
            rest.substr(start, slash == std::string_view::npos ? rest.npos : slash - start));
        replaceAll(part, "~1", "/");
        replaceAll(part, "~0", "~");
        parts.push_back(strip(part));
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return parts;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

PatchParse parsePatch(const json_t* changes) {
    PatchParse result;
    if (!json_is_array(changes)) {
        result.error = "Request body must be a JSON array of operation objects.";
        return result;
    }
    size_t index;
    json_t* raw;
    json_array_foreach(changes, index, raw) {
        if (!json_is_object(raw)) {
            result.error = "Operations must be JSON objects.";
            return result;
        }
        const json_t* op = json_object_get(raw, "op");
        if (op == nullptr || json_is_null(op)) {
            result.error =
                "Unable to find `op` in JSON Schema change. It must be one of the following: "
                "add, remove, replace.";
            return result;
        }
        PatchOperation operation;
        std::string opName = pythonStr(op);
        if (json_is_string(op) && opName == "add") {
            operation.op = PatchOperation::Op::Add;
        } else if (json_is_string(op) && opName == "remove") {
            operation.op = PatchOperation::Op::Remove;
        } else if (json_is_string(op) && opName == "replace") {
            operation.op = PatchOperation::Op::Replace;
        } else {
            result.error = "Invalid operation: `" + opName +
                           "`. It must be one of the following: add, remove, replace.";
            return result;
        }
        const json_t* path = json_object_get(raw, "path");
        if (path == nullptr) {
            result.error = "Unable to find 'path' in JSON Schema change";
            return result;
        }
        std::string pointer = pythonStr(path);
        if (auto problem = pointerProblem(pointer)) {
            result.error = *problem;
            return result;
        }
        std::vector<std::string> parts = decodePointer(pointer);
        if (parts.size() != 2) {
            std::string joined;
            for (size_t i = 0; i < parts.size(); ++i) joined += (i ? "/" : "") + parts[i];
            result.error =
                "Invalid JSON pointer for this resource: '/" + joined + ", e.g /metadata/key'";
            return result;
        }
        if (operation.op != PatchOperation::Op::Remove) {
            const json_t* value = json_object_get(raw, "value");
            if (value == nullptr) {
                result.error = "Operation \"" + opName + "\" requires a member named \"value\".";
                return result;
            }
            operation.value = Json::borrow(const_cast<json_t*>(value));
            // The root is not checked at all for remove (Zaqar skips it).
            if (lower(parts[0]) != "metadata") {
                result.error = "The root of path must be metadata, e.g /metadata/key.";
                return result;
            }
        }
        operation.key = parts[1];
        result.operations.push_back(std::move(operation));
    }
    return result;
}

std::optional<std::string> applyPatch(Json& metadata, const std::vector<PatchOperation>& ops,
                                      bool topic) {
    for (const PatchOperation& operation : ops) {
        const char* key = operation.key.c_str();
        bool stored = metadata.at(key) != nullptr;
        switch (operation.op) {
            case PatchOperation::Op::Add:
                metadata.set(key, operation.value);
                break;
            case PatchOperation::Op::Replace:
                if (!stored && !isDefaultedReservedKey(operation.key, topic))
                    return "Can't replace non-existent object " + operation.key + ".";
                metadata.set(key, operation.value);
                break;
            case PatchOperation::Op::Remove:
                if (stored) {
                    json_object_del(metadata.get(), key);
                } else if (!isDefaultedReservedKey(operation.key, topic)) {
                    return "Can't remove non-existent object " + operation.key + ".";
                }
                break;
        }
    }
    return std::nullopt;
}

}  // namespace zaqard::api
