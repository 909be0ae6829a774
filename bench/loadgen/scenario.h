// A scenario is a stateful client behaviour: it declares request kinds and counters in the
// Metrics, optionally prepares the server (setup requests), gives each connection a Flow,
// and reads final state (finish requests, e.g. the backlog). Flows are state machines:
// the runner asks a flow for its next request whenever its connection can take one, and
// hands every response back to the flow that asked.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loadgen/metrics.h"
#include "loadgen/options.h"
#include "loadgen/request.h"

struct event_base;

namespace zqbench {

struct Next {
    std::optional<Request> request;
    // With no request: ask again at this time; 0 = after the flow's next response.
    uint64_t retryAtNs = 0;
    bool done = false;  // the flow will never send again
};

class Flow {
  public:
    virtual ~Flow() = default;
    virtual Next next(uint64_t nowNs) = 0;
    virtual void onResponse(const Request& request, const Response& response) = 0;
    // Just before the request is written, with intendedNs set (a flow that stamps the
    // intended time into the body does it here).
    virtual void onSend(Request&) {}
};

class Scenario {
  public:
    virtual ~Scenario() = default;
    // Before the setup requests: a scenario may put its own objects on the runner's loop
    // (the fan-out scenario's webhook receiver); false (with a reason) aborts the run.
    // detach() frees them; the runner calls it before the loop goes away.
    virtual bool attach(event_base*, std::string*) { return true; }
    virtual void detach() {}
    // Sent in order (pipelined) before the run; any unexpected status aborts the run.
    virtual std::vector<Request> setupRequests() { return {}; }
    // One flow per connection; index in [0, connections).
    virtual std::unique_ptr<Flow> makeFlow(int index) = 0;
    // Sent after the run; answers go to onFinishResponse (gauges such as the backlog).
    virtual std::vector<Request> finishRequests() { return {}; }
    virtual void onFinishResponse(const Request&, const Response&) {}
    // Between the load and the finish requests the loop keeps turning, nothing sent, for
    // work the server still owes (notifications): drained(waited) is asked every 10 ms
    // until it says yes or drainLimit() seconds passed. 0 = no drain phase.
    virtual double drainLimit() const { return 0; }
    virtual bool drained(double /*waitedSeconds*/) { return true; }
    // How connections split into roles, for the report ("48 producers, 16 consumers").
    virtual std::string roles() const { return {}; }
};

struct ScenarioContext {
    const Options& options;
    Metrics& metrics;
    std::string project;
};

// Returns nullptr and sets `error` for an unknown name.
std::unique_ptr<Scenario> makeScenario(const ScenarioContext& context, std::string* error);

}  // namespace zqbench
