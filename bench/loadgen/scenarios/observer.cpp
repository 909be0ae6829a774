// Scenario 3, observer: producers post while observers page through the queue with
// GET .../messages?echo=true&limit=N, following each page's "next" link (the marker) as
// python-zaqarclient does. An empty page means the observer caught up with the producers:
// it starts again from the head, so observers keep reading full pages. The queues are
// prefilled (--prefill, default 1000 per queue) so that the first pages are full too.
#include <memory>

#include "loadgen/scenarios/backlog.h"
#include "loadgen/scenarios/producer_flow.h"
#include "loadgen/scenarios/scenarios.h"
#include "loadgen/scenarios/zaqar_messages.h"

namespace zqbench {
namespace {

struct ObserverKinds {
    int list;
    int listed;
    int wraps;
};

class ObserverFlow : public Flow {
  public:
    ObserverFlow(const ScenarioContext& context, int queue, const ObserverKinds& kinds)
        : context_(context),
          kinds_(kinds),
          headPath_(queuePath(queue) +
                    "/messages?echo=true&limit=" + std::to_string(context.options.listLimit)),
          nextPath_(headPath_) {}

    Next next(uint64_t) override {
        if (inFlight_) return Next{};  // the next page depends on this one's marker
        inFlight_ = true;
        Request r;
        r.method = "GET";
        r.path = nextPath_;
        r.kind = kinds_.list;
        return Next{std::move(r), 0, false};
    }

    void onResponse(const Request& request, const Response& response) override {
        inFlight_ = false;
        if (response.status != 200) {
            nextPath_ = headPath_;
            return;
        }
        const size_t n = countMessages(response.body);
        context_.metrics.count(kinds_.listed, n, request, response);
        std::string link = n > 0 ? nextLink(response.body) : std::string();
        if (link.empty()) {
            context_.metrics.count(kinds_.wraps, 1, request, response);
            nextPath_ = headPath_;
        } else {
            nextPath_ = std::move(link);
        }
    }

  private:
    const ScenarioContext& context_;
    const ObserverKinds& kinds_;
    std::string headPath_;
    std::string nextPath_;
    bool inFlight_ = false;
};

class ObserverScenario : public Scenario {
  public:
    explicit ObserverScenario(const ScenarioContext& context)
        : context_(context),
          postKind_(context.metrics.addKind("post", {201})),
          posted_(context.metrics.addCounter("messages_posted")),
          backlog_(context.metrics, context.options.queues) {
        kinds_.list = context.metrics.addKind("list", {200});
        kinds_.listed = context.metrics.addCounter("messages_listed");
        kinds_.wraps = context.metrics.addCounter("restarts_from_head");
        context.metrics.setMessageCounter(kinds_.listed);
        observers_ = context.options.consumers >= 0 ? context.options.consumers
                                                    : context.options.connections / 2;
        if (observers_ > context.options.connections) observers_ = context.options.connections;
        producers_ = context.options.connections - observers_;
    }

    std::vector<Request> setupRequests() override {
        const int prefill = context_.options.prefill >= 0 ? context_.options.prefill : 1000;
        std::vector<Request> out;
        for (int q = 0; q < context_.options.queues; ++q) {
            for (int left = prefill; left > 0; left -= 10) {
                Request r;
                r.method = "POST";
                r.path = queuePath(q) + "/messages";
                r.contentType = "application/json";
                r.body = postBody(left < 10 ? left : 10, context_.options.size, 0);
                r.kind = postKind_;
                out.push_back(std::move(r));
            }
        }
        return out;
    }

    std::unique_ptr<Flow> makeFlow(int index) override {
        const int queues = context_.options.queues;
        if (index < producers_) {
            return std::make_unique<ProducerFlow>(context_, index % queues, postKind_, posted_,
                                                  budget_);
        }
        return std::make_unique<ObserverFlow>(context_, (index - producers_) % queues, kinds_);
    }
    std::vector<Request> finishRequests() override { return backlog_.requests(); }
    void onFinishResponse(const Request& q, const Response& r) override {
        backlog_.onResponse(q, r);
    }
    std::string roles() const override {
        return std::to_string(producers_) + " producers, " + std::to_string(observers_) +
               " observers";
    }

  private:
    const ScenarioContext& context_;
    int postKind_;
    int posted_;
    ObserverKinds kinds_{};
    Backlog backlog_;
    ProducerBudget budget_;
    int producers_ = 0;
    int observers_ = 0;
};

}  // namespace

std::unique_ptr<Scenario> makeObserverScenario(const ScenarioContext& context) {
    return std::make_unique<ObserverScenario>(context);
}

}  // namespace zqbench
