// Start-up loading of the operator's policy files ([oslo_policy] policy_file and
// policy_dirs), looked up as oslo.config's find_file does for Zaqar: an absolute path as
// is, a relative one in the config file's directory, then /etc/zaqar. JSON and YAML maps
// of "rule": "check string" (or oslo's legacy list form); later files override earlier
// ones. Anything malformed is an error: zaqard refuses to start rather than serve with a
// policy it half understood.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "src/api/policy/policy.h"
#include "src/common/result.h"
#include "src/config/config.h"

namespace zaqard::api::policy {

struct LoadedPolicy {
    std::shared_ptr<const Policy> policy;
    std::vector<std::string> files;  // the files read, in order (for the start-up log)
};

Result<LoadedPolicy> loadPolicy(const config::Config& config);

// Reads one file's rules into `policy` (not resolved). Exposed for tests.
Status loadPolicyFile(const std::string& path, Policy& policy);

// The rules of a policy document (JSON or YAML text) into `policy`.
Status loadPolicyText(const std::string& text, Policy& policy);

}  // namespace zaqard::api::policy
