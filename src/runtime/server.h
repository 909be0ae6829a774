// The process: N shards (threads), each with its own dispatcher, Redis driver, api and
// HTTP listener; signal handling (SIGTERM/SIGINT drain and stop, SIGHUP reopens logs).
#pragma once

#include <memory>

#include "src/api/policy/policy.h"
#include "src/config/config.h"

namespace zaqard::runtime {

// Runs until a stop signal; returns the process exit code.
// `policy`: the RBAC policy loaded at start-up, shared by every shard (null: defaults).
int runServer(const config::Config& config,
              std::shared_ptr<const api::policy::Policy> policy = nullptr);

}  // namespace zaqard::runtime
