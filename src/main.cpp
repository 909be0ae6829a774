// zaqard: a Zaqar-v2-compatible messaging and notification service.
#include <cstdio>
#include <cstring>
#include <string>

#include "src/api/policy/policy_loader.h"
#include "src/common/log.h"
#include "src/config/config_loader.h"
#include "src/metrics/queue_activity.h"
#include "src/runtime/server.h"
#include "storage/redis/client/slow_call.h"

namespace {

void printUsage() {
    std::puts(
        "usage: zaqard [--config FILE] [--check-config FILE] [--admin_mode] [--help] [--version]\n"
        "\n"
        "A multi-tenant messaging and notification service speaking OpenStack Zaqar's v2 API.\n"
        "\n"
        "  --config FILE  zaqar.conf to load (default: ~/.zaqar/zaqar.conf, then\n"
        "                 /etc/zaqar/zaqar.conf; built-in defaults when none exists)\n"
        "  --check-config FILE  report every unknown, misspelt or invalid option in FILE\n"
        "                 with its line, then exit (1 if any, 0 with 'FILE: OK'); starts\n"
        "                 nothing\n"
        "  --admin_mode   enable the admin API (as [DEFAULT] admin_mode = true)\n"
        "  --help         show this help\n"
        "  --version      show the version");
}

// --check-config: the loader's every complaint, one per line, on stdout; no listener, no
// Redis connection.
int checkConfig(const std::string& path) {
    auto problems = zaqard::config::checkConfigFile(path);
    for (const auto& problem : problems)
        std::printf("%s\n", zaqard::config::formatProblem(path, problem).c_str());
    if (problems.empty()) std::printf("%s: OK\n", path.c_str());
    return problems.empty() ? 0 : 1;
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
        } else if (arg == "--check-config" && i + 1 < argc) {
            return checkConfig(argv[i + 1]);
        } else if (arg.rfind("--check-config=", 0) == 0) {
            return checkConfig(arg.substr(strlen("--check-config=")));
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
    zaqard::log::setup(
        config.log_file, config.debug,
        config.log_format == "json" ? zaqard::log::Format::Json : zaqard::log::Format::Text);
    zaqard::metrics::setTopQueues(config.metrics_top_queues);
    zaqard::storage::redis::setSlowCallThreshold(
        std::chrono::milliseconds(config.redis_slow_call_ms));
    for (const auto& file : policy->files) zaqard::log::info("policy file " + file + " loaded");
    return zaqard::runtime::runServer(config, policy->policy);
}
