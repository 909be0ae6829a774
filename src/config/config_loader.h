// Loads zaqar.conf (oslo.config INI syntax, Zaqar's sections and option names) with inih.
#pragma once

#include <optional>
#include <string>

#include "src/config/config.h"

namespace zaqard::config {

// The file to load: `explicitPath` when given, else ~/.zaqar/zaqar.conf, else
// /etc/zaqar/zaqar.conf; nullopt when none exists (all defaults apply).
std::optional<std::string> findConfigFile(const std::string& explicitPath);

// Parses `path` into `config`. Unknown sections/options are logged as warnings; a bad
// value makes it return false with `error` naming the section and option.
bool loadConfigFile(const std::string& path, Config& config, std::string& error);

// Parses a Redis URI (redis://, redis:/path.sock, sentinel lists); false + error if bad.
bool parseRedisUri(const std::string& text, RedisUri& uri, std::string& error);

}  // namespace zaqard::config
