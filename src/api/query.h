// Query-string reading with falcon's options as Zaqar sets them (rest-v2.md §1.4):
// blank values dropped, comma-separated values split, last value wins for scalars,
// Python int(), falcon's exact boolean words. Every scalar read that finds a value is
// remembered in read order, because pagination links are built from exactly those.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "src/api/errors.h"

namespace zaqard::api {

using QueryPairs = std::vector<std::pair<std::string, std::string>>;

class QueryParams {
  public:
    explicit QueryParams(const QueryPairs& query);

    bool has(const std::string& name) const { return values_.count(name) != 0; }

    // falcon's get_param: the last value, or nullopt when absent.
    std::optional<std::string> getString(const std::string& name);
    // get_param_as_int; a non-integer answers the "Invalid parameter" 400.
    Rejection getInt(const std::string& name, std::optional<int64_t>& out);
    // get_param_as_bool with the words true True t yes y 1 on / false False f no n 0 off.
    Rejection getBool(const std::string& name, std::optional<bool>& out);
    // get_param_as_list: every value of every occurrence; an empty list for "ids=,".
    std::optional<std::vector<std::string>> getList(const std::string& name) const;

    // Parameter names in order of first appearance (for metadata filters).
    const std::vector<std::string>& names() const { return order_; }

    // The values read so far, in read order, rendered as falcon.to_query_str renders them.
    const QueryPairs& read() const { return read_; }
    // Sets a value in the read list (replacing it in place, else appending), as Zaqar
    // does with kwargs['marker'] = ... before building a link.
    void setRead(const std::string& name, const std::string& value);

  private:
    void remember(const std::string& name, const std::string& value);

    std::map<std::string, std::vector<std::string>> values_;
    std::vector<std::string> order_;
    QueryPairs read_;
};

// falcon's bool words; nullopt for anything else.
std::optional<bool> parseFalconBool(const std::string& text);

}  // namespace zaqard::api
