// Loads zaqar.conf (oslo.config INI syntax, Zaqar's sections and option names) with inih.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/config/config.h"

namespace zaqard::config {

// The file to load: `explicitPath` when given, else ~/.zaqar/zaqar.conf, else
// /etc/zaqar/zaqar.conf; nullopt when none exists (all defaults apply).
std::optional<std::string> findConfigFile(const std::string& explicitPath);

// Parses `path` into `config`. Unknown sections/options are logged as warnings; a bad
// value makes it return false with `error` naming the section and option.
bool loadConfigFile(const std::string& path, Config& config, std::string& error);
// The same for a file's text already in memory; `name` stands for its path in messages
// (and becomes config.sourceFile).
bool loadConfigText(const std::string& name, std::string_view text, Config& config,
                    std::string& error);

// One thing --check-config reports: the file's line (0 when it has none, e.g. a rule
// across options) and what is wrong, as start-up would say it.
struct ConfigProblem {
    int line = 0;
    std::string text;
};

// Loads `path` as loadConfigFile does but collects every problem instead of stopping at
// the first, and counts unknown sections/options (start-up's warnings) as problems.
std::vector<ConfigProblem> checkConfigFile(const std::string& path);
std::vector<ConfigProblem> checkConfigText(const std::string& name, std::string_view text);

// "FILE:LINE: text" (or "FILE: text" without a line).
std::string formatProblem(const std::string& path, const ConfigProblem& problem);

// The known name closest to a misspelt one (a few edits away), or "" when none is.
std::string closest(const std::string& word, const std::vector<std::string>& candidates);
// ... among the options of `section` (lower-case; "default" for [DEFAULT]).
std::string suggestOption(const std::string& section, const std::string& name);
// ... among the sections zaqard reads.
std::string suggestSection(const std::string& section);

// Parses a Redis URI (redis://, redis:/path.sock, sentinel lists); false + error if bad.
bool parseRedisUri(const std::string& text, RedisUri& uri, std::string& error);

}  // namespace zaqard::config
