// The action table: every action the api serves, declared once, the way Redis declares
// its commands in one table. Everything else is derived from it:
//   - the REST router (transports/http/router.cpp) matches a request against the rows'
//     `rest` routes; methods of one path form its Allow list;
//   - the WebSocket transport (ws_protocol.cpp) looks a frame's "action" up by `name`
//     among the rows with a `websocket` schema and checks the frame against it;
//   - the RBAC policy (policy/rules.cpp) guards each action with the row's `rule`;
//   - the signed-URL checks take the REST method from `rest` and the WebSocket
//     method/path from `signedFrame`;
//   - Api::handle runs the row's header checks (`checks`, and the queue name when a route
//     or frame has {queue_name}), its `gate`, then its `handler`.
//
// Why keep `enum class Action` (action.h): requests carry it, tests name it, and
// the table is indexed by it (a lookup is an array access). action_table.cpp
// static_asserts that row i declares Action(i) for every value, that names and routes are
// unique, that every rule is one of Zaqar's and every "{param}" a known path parameter.
//
// Adding an action: one enum value in action.h, one row in action_table.cpp, one
// handler (src/api/handlers). Nothing else lists actions. docs/architecture.md has the
// checklist.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "src/api/action.h"
#include "src/api/handlers/call.h"
#include "src/api/request.h"

namespace zaqard::api {

// Which configuration a route needs to exist (rest-v2.md §3): /v2/health needs
// admin_mode; pools and flavors need admin_mode and pooling. Closed gates: REST 404,
// WebSocket 403.
enum class Gate { Public, Admin, AdminPooling };

constexpr bool gateOpen(Gate gate, bool adminMode, bool pooling) {
    switch (gate) {
        case Gate::Public:
            return true;
        case Gate::Admin:
            return adminMode;
        case Gate::AdminPooling:
            return adminMode && pooling;
    }
    return false;
}

// Which of Zaqar's header checks (rest-v2.md §1.2 steps 4–7) precede the handler.
enum class Checks {
    None,     // GET /: answered before any header check
    Service,  // REST: Client-ID and X-Project-ID; WebSocket: none (home, ping, health)
    Project,  // Client-ID and X-Project-ID; then {queue_name} / {topic_name} when it has one
};

// A REST route: method and path pattern. Segments are literals or "{param}", a member of
// PathParams (kPathParams). Both null: no REST route.
struct RestRoute {
    const char* method = nullptr;
    const char* path = nullptr;  // e.g. "/v2/queues/{queue_name}/messages/{message_id}"
};

// The WebSocket frame schema of an action (websocket-v2.md §3): the body members the
// schema types and where each one goes in the api request.
enum class FieldType { String, Integer, Boolean, Array, Object };

struct FrameField {
    enum class To {
        Path,       // the path parameter of the same name ("queue_name" -> queueName)
        Query,      // a query parameter (named `queryName` when it differs), REST's text
        Body,       // a member of the JSON body the handler reads
        WholeBody,  // the JSON body itself (queue_create's "metadata" is the PUT body)
    };
    const char* name = nullptr;
    FieldType type = FieldType::String;
    bool required = false;
    To to = To::Body;
    const char* queryName = nullptr;
};

inline constexpr int kMaxFrameFields = 8;

struct FrameSchema {
    bool offered = false;         // whether `name` is a WebSocket action at all
    bool bodyRequired = true;     // the frame must carry a "body" object
    bool checksClientId = false;  // Z15 checks the Client-ID format only where it uses it
    FrameField fields[kMaxFrameFields] = {};  // ends at the first unnamed field
};

// Signed URLs over WebSocket (websocket-v2.md §4.1): a frame may be let through by a
// signature for `method` on `path` (params expanded from the frame). Null: never.
// REST requests are always eligible, with their own method and path.
struct SignedFrame {
    const char* method = nullptr;
    const char* path = nullptr;
};

using Handler = void (*)(const CallPtr& call);

struct ActionSpec {
    Action action;
    // snake_case, unique: the WebSocket action name when `websocket.offered`, and the
    // label for logs and metrics.
    const char* name;
    const char* summary;  // one line, for the OpenAPI document and dashboards
    Checks checks = Checks::Project;
    Gate gate = Gate::Public;
    RestRoute rest = {};
    const char* rule = nullptr;  // RBAC rule name (policy/rules.h); null: unguarded
    FrameSchema websocket = {};
    SignedFrame signedFrame = {};
    Handler handler = nullptr;
    // The media type the action answers in: the REST transport's Accept check (406).
    const char* produces = "application/json";
};

// Every row, indexed by Action.
std::span<const ActionSpec> actionTable();

inline const ActionSpec& actionSpec(Action action) {
    return actionTable()[static_cast<size_t>(action)];
}

// The row offered over WebSocket as `name`, or null.
const ActionSpec* websocketAction(std::string_view name);

// Whether the action's route or frame has {queue_name} (step 6's queue validation).
bool hasQueueName(Action action);
// Whether it has {topic_name} (step 7's topic validation; the handlers then serve the
// topic namespace).
bool hasTopicName(Action action);
// Whether the action serves the topic namespace (hasTopicName, or the topic listing).
bool servesTopics(Action action);

// The path parameters by the name route patterns and frame fields use.
struct PathParamName {
    const char* name;
    std::string PathParams::*member;
};
inline constexpr PathParamName kPathParams[] = {
    {"queue_name", &PathParams::queueName},   {"message_id", &PathParams::messageId},
    {"claim_id", &PathParams::claimId},       {"subscription_id", &PathParams::subscriptionId},
    {"topic_name", &PathParams::topicName},   {"pool_name", &PathParams::poolName},
    {"flavor_name", &PathParams::flavorName},
};

// The member named `name`, or null.
constexpr std::string PathParams::*pathParamMember(std::string_view name) {
    for (const auto& param : kPathParams)
        if (name == param.name) return param.member;
    return nullptr;
}

// A route pattern segment's parameter name: "{queue_name}" -> "queue_name"; "" for a
// literal segment.
constexpr std::string_view patternParam(std::string_view segment) {
    if (segment.size() < 2 || segment.front() != '{' || segment.back() != '}') return {};
    return segment.substr(1, segment.size() - 2);
}

// `pattern` with each "{param}" replaced by its value in `params`.
std::string expandPath(std::string_view pattern, const PathParams& params);

}  // namespace zaqard::api
