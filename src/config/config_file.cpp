// findConfigFile: Zaqar's search order for zaqar.conf, limited to the two places its
// packages use (~/.zaqar/ then /etc/zaqar/).
#include <sys/stat.h>

#include <cstdlib>

#include "src/config/config_loader.h"

namespace zaqard::config {

namespace {
bool isFile(const std::string& path) {
    struct stat info;
    return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}
}  // namespace

std::optional<std::string> findConfigFile(const std::string& explicitPath) {
    if (!explicitPath.empty()) {
        if (isFile(explicitPath)) return explicitPath;
        return std::nullopt;
    }
    if (const char* home = std::getenv("HOME"); home && *home) {
        std::string candidate = std::string(home) + "/.zaqar/zaqar.conf";
        if (isFile(candidate)) return candidate;
    }
    if (isFile("/etc/zaqar/zaqar.conf")) return std::string("/etc/zaqar/zaqar.conf");
    return std::nullopt;
}

}  // namespace zaqard::config
