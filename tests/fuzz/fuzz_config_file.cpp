// zaqar.conf (src/config/config_loader.cpp): the text is loaded as start-up loads a file
// (loadConfigText, which loadConfigFile calls with the file's text: inih, the option
// table, every value parser, the cross-option rules) and as --check-config does
// (checkConfigText, which also suggests names for misspelt sections and options). The
// text is parsed from memory: no file per input. Byte 0 first: bit 0 picks the check mode.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

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
    static const std::string name = "fuzz.conf";
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (data[0] & 1) {
        for (const auto& problem : config::checkConfigText(name, text))
            (void)config::formatProblem(name, problem);
    } else {
        config::Config config;
        std::string error;
        if (!config::loadConfigText(name, text, config, error) && error.empty()) std::abort();
    }
    return 0;
}
