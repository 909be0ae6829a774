// The typed [keystone_authtoken] options (config.h KeystoneAuthOptions), read from the
// verbatim section after the file is parsed, and their start-up checks.
#pragma once

#include <string>

#include "src/config/config.h"

namespace zaqard::config {

// Fills config.keystone from config.keystone_authtoken (loadConfigFile calls it).
// False + `error` naming the option when a value does not parse.
bool applyKeystoneOptions(Config& config, std::string& error);

// Start-up check: with auth_strategy = keystone, what the service login needs
// (auth_url, username, password, project_name, auth_type = password) must be set.
bool checkKeystoneOptions(const Config& config, std::string& error);

}  // namespace zaqard::config
