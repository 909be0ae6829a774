// The service documents: the version list at `/` and the JSON-Home document at `/v2/`
// (rest-v2.md §4.0).
#pragma once

#include "src/api/request.h"

namespace zaqard::api {

// 300 Multiple Choices with the three API versions.
Response versionsDocument();

// 200, application/json-home, pretty-printed like Zaqar's homedoc.py; the admin rels
// (pools, flavors, health) only with admin_mode.
Response homeDocument(bool adminMode);

}  // namespace zaqard::api
