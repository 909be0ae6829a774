// The caller as oslo.policy sees it in Zaqar: the request context's to_dict(), built from
// the request headers (X-Roles, X-Project-ID, X-User-ID, ...). Nothing is copied until a
// check asks for it, so requests guarded by open rules pay nothing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "src/api/request.h"

namespace zaqard::api::policy {

class Credentials {
  public:
    explicit Credentials(const Headers& headers) : headers_(headers) {}

    // role:<name>: one of X-Roles (comma-separated), compared case-insensitively.
    // `lowerRole` is already lower-case.
    bool hasRole(std::string_view lowerRole) const;

    // <key>:<value>: the context value named `key`, as Python's str() of it, equals
    // `value`; for the list-valued `roles`, any element does. Unknown keys never match.
    bool matches(std::string_view key, std::string_view value) const;

  private:
    const std::vector<std::string>& roles() const;
    std::string header(const char* name) const;  // str(None) when absent, as Zaqar's context

    const Headers& headers_;
    mutable bool rolesParsed_ = false;
    mutable std::vector<std::string> roles_;
};

}  // namespace zaqard::api::policy
