// zaqard: a Zaqar-v2-compatible messaging and notification service.
#include <cstdio>
#include <cstring>
#include <string>

#include "src/api/policy/policy_loader.h"
#include "src/common/log.h"
#include "src/config/config_loader.h"
#include "src/runtime/server.h"

namespace {

void printUsage() {
    std::puts(
        "usage: zaqard [--config FILE] [--admin_mode] [--help] [--version]\n"
        "\n"
        "A multi-tenant messaging and notification service speaking OpenStack Zaqar's v2 API.\n"
        "\n"
        "  --config FILE  zaqar.conf to load (default: ~/.zaqar/zaqar.conf, then\n"
        "                 /etc/zaqar/zaqar.conf; built-in defaults when none exists)\n"
        "  --admin_mode   enable the admin API (as [DEFAULT] admin_mode = true)\n"
        "  --help         show this help\n"
        "  --version      show the version");
}

}  // namespace

int main(int argc, char** argv) {
    std::string configPath;
    bool adminMode = false;  // zaqar-server's --admin_mode
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            printUsage();
            return 0;
        } else if (arg == "--version") {
            std::puts("zaqard " ZAQARD_VERSION);
            return 0;
        } else if (arg == "--admin_mode" || arg == "--admin-mode") {
            adminMode = true;
        } else if ((arg == "--config" || arg == "--config-file") && i + 1 < argc) {
            configPath = argv[++i];
        } else if (arg.rfind("--config=", 0) == 0) {
            configPath = arg.substr(strlen("--config="));
        } else {
            std::fprintf(stderr, "zaqard: unknown argument '%s' (try --help)\n", arg.c_str());
            return 2;
        }
    }

    zaqard::config::Config config;
    auto file = zaqard::config::findConfigFile(configPath);
    if (!configPath.empty() && !file) {
        std::fprintf(stderr, "zaqard: config file '%s' not found\n", configPath.c_str());
        return 2;
    }
    if (file) {
        std::string error;
        if (!zaqard::config::loadConfigFile(*file, config, error)) {
            std::fprintf(stderr, "zaqard: %s: %s\n", file->c_str(), error.c_str());
            return 2;
        }
    }
    if (adminMode) config.admin_mode = true;
    // The RBAC policy is read once, here: a file that does not load stops start-up.
    auto policy = zaqard::api::policy::loadPolicy(config);
    if (!policy) {
        std::fprintf(stderr, "zaqard: invalid RBAC policy: %s\n", policy.error().message.c_str());
        return 2;
    }
    zaqard::log::setup(config.log_file, config.debug);
    for (const auto& file : policy->files) zaqard::log::info("policy file " + file + " loaded");
    return zaqard::runtime::runServer(config, policy->policy);
}
