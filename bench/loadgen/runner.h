// Drives one run on a single libevent loop: the scenario's setup requests on a control
// connection, then the load phase (all connections, warm-up then measurement), then the
// finish requests. One thread is enough on the target machine: a libevent client spends
// far less per request than the server it measures, and the cores are needed by zaqard
// and Redis.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loadgen/connection.h"
#include "loadgen/endpoint.h"
#include "loadgen/event_loop.h"
#include "loadgen/libevent_handles.h"
#include "loadgen/metrics.h"
#include "loadgen/options.h"
#include "loadgen/scenario.h"

namespace zqbench {

class WsClientContext;
struct WsEndpoint;

class Runner : public Connection::Listener {
  public:
    Runner(const Options& options, const Endpoint& endpoint, const std::string& project,
           Scenario& scenario, Metrics& metrics);
    ~Runner() override;

    // False (with a reason) when the server cannot be reached or the setup failed.
    bool run(std::string* error);

    double measuredSeconds() const { return measuredSeconds_; }
    uint64_t reconnects() const { return reconnects_; }
    uint64_t connectionFailures() const { return failures_; }

  private:
    struct Client;
    enum class Phase { Sequence, Load };

    void onConnected(Connection& connection) override;
    void onResponse(Connection& connection, Request&& request, Response&& response) override;
    void onFatal(Connection& connection, const std::string& reason) override;

    bool runSequence(std::vector<Request> requests, bool setup, std::string* error);
    bool runLoad(std::string* error);
    void runDrain();
    void startLoad();
    void pump(Client& client);
    void armTimer(Client& client, uint64_t atNs, uint64_t nowNs);
    void stopLoop();
    void addTimer(EventPtr& slot, double seconds, event_callback_fn callback);
    // websocket: a --transport websocket load connection; setup and finish stay on HTTP.
    std::unique_ptr<Client> makeClient(int index, std::unique_ptr<Flow> flow, size_t pipeline,
                                       bool websocket = false);

    static void onClientTimer(evutil_socket_t, short, void* client);
    static void onStopTimer(evutil_socket_t, short, void* runner);
    static void onConnectTimeout(evutil_socket_t, short, void* runner);
    static void onProgress(evutil_socket_t, short, void* runner);
    static void onDrainTick(evutil_socket_t, short, void* runner);

    const Options& options_;
    const Endpoint& endpoint_;
    std::string project_;
    Scenario& scenario_;
    Metrics& metrics_;
    EventLoop base_;
    std::unique_ptr<WsEndpoint> wsEndpoint_;
    std::unique_ptr<WsClientContext> ws_;  // before base_ is gone: it lives on that loop
    std::string fatalError_;
    std::vector<std::unique_ptr<Client>> clients_;
    Phase phase_ = Phase::Sequence;
    bool started_ = false;
    bool sequenceIsSetup_ = false;
    int connectedCount_ = 0;
    int doneCount_ = 0;
    uint64_t stopAtNs_ = 0;
    uint64_t completedTotal_ = 0;
    uint64_t completedAtLastTick_ = 0;
    uint64_t loadStartNs_ = 0;
    bool showProgress_ = false;
    int progressFd_ = -1;
    double measuredSeconds_ = 0;
    uint64_t drainStartNs_ = 0;
    uint64_t reconnects_ = 0;
    uint64_t failures_ = 0;
    std::string sequenceError_;
    EventPtr stopTimer_;
    EventPtr connectTimer_;
    EventPtr progressTimer_;
};

}  // namespace zqbench
