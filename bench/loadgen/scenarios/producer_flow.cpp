// Messages are counted when the 201 arrives, so "posted" means acknowledged by the server.
#include "loadgen/scenarios/producer_flow.h"

#include <algorithm>
#include <cstdio>

#include "loadgen/scenarios/zaqar_messages.h"

namespace zqbench {

ProducerFlow::ProducerFlow(const ScenarioContext& context, int queue, int postKind,
                           int postedCounter, ProducerBudget& budget)
    : context_(context),
      path_(queuePath(queue) + "/messages"),
      postKind_(postKind),
      postedCounter_(postedCounter),
      budget_(budget) {}

Next ProducerFlow::next(uint64_t nowNs) {
    uint64_t batch = static_cast<uint64_t>(context_.options.batch);
    if (budget_.limit) {
        if (budget_.issued >= budget_.limit) return Next{{}, 0, true};
        batch = std::min(batch, budget_.limit - budget_.issued);
    }
    budget_.issued += batch;
    Request r;
    r.method = "POST";
    r.path = path_;
    r.contentType = "application/json";
    r.body = postBody(static_cast<int>(batch), context_.options.size, nowNs);
    r.kind = postKind_;
    r.tag = batch;
    if (context_.options.idempotencyKeys) {
        // Unique per flow and post: the path names the flow's queue, this its posts.
        char line[96];
        int n =
            std::snprintf(line, sizeof line, "Idempotency-Key: %p-%llu\r\n",
                          static_cast<const void*>(this), static_cast<unsigned long long>(++keys_));
        r.headerLines.assign(line, static_cast<size_t>(n));
    }
    return Next{std::move(r), 0, false};
}

void ProducerFlow::onResponse(const Request& request, const Response& response) {
    if (response.status == 201) {
        context_.metrics.count(postedCounter_, request.tag, request, response);
    } else if (budget_.limit) {
        budget_.issued -= request.tag;  // failed: post them again
    }
}

}  // namespace zqbench
