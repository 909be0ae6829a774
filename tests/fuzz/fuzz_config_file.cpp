// zaqar.conf (src/config/config_loader.cpp): the text is loaded as start-up loads a file
// (loadConfigFile: inih, the option table, every value parser, the cross-option rules)
// and as --check-config does (checkConfigFile, which also suggests names for misspelt
// sections and options). The loader reads a path, so the text goes through a memfd.
// Byte 0 first: bit 0 picks the check mode.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "src/common/log.h"
#include "src/config/config_loader.h"

using namespace zaqard;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    // Unknown options are warnings at start-up: not worth a line per input.
    log::setup("/dev/null", false);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    static const int fd = memfd_create("fuzz_config_file", 0);
    if (fd < 0) std::abort();
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data + 1, size - 1, 0) != ssize_t(size - 1))
        std::abort();
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    if (data[0] & 1) {
        for (const auto& problem : config::checkConfigFile(path))
            (void)config::formatProblem(path, problem);
    } else {
        config::Config config;
        std::string error;
        if (!config::loadConfigFile(path, config, error) && error.empty()) std::abort();
    }
    return 0;
}
