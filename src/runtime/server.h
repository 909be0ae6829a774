// The process: N shards (threads), each with its own dispatcher, Redis driver, api and
// HTTP listener; signal handling (SIGTERM/SIGINT drain and stop, SIGHUP reopens logs).
#pragma once

#include "src/config/config.h"

namespace zaqard::runtime {

// Runs until a stop signal; returns the process exit code.
int runServer(const config::Config& config);

}  // namespace zaqard::runtime
