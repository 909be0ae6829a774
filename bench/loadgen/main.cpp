// zaqard-loadgen: stateful HTTP load for zaqard (Zaqar v2 API). See bench/README or
// docs/benchmarks.md for the scenarios and the timing model.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <string>

#include "loadgen/endpoint.h"
#include "loadgen/metrics.h"
#include "loadgen/options.h"
#include "loadgen/report.h"
#include "loadgen/runner.h"
#include "loadgen/scenario.h"

namespace {
// User + system CPU of this process so far: bench/compare charges it per request.
double ownCpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}
}  // namespace

int main(int argc, char** argv) {
    using namespace zqbench;
    Options options;
    int exitCode = 0;
    if (!parseOptions(argc, argv, &options, &exitCode)) return exitCode;
    signal(SIGPIPE, SIG_IGN);  // a server closing under load must not kill the generator

    Endpoint endpoint;
    std::string error;
    if (!parseEndpoint(options.url, &endpoint, &error)) {
        std::fprintf(stderr, "zaqard-loadgen: %s\n", error.c_str());
        return 2;
    }
    // A fresh project per run: earlier runs' messages never leak into this one's numbers.
    const std::string project = options.project.empty() ? "bench-" + std::to_string(time(nullptr)) +
                                                              "-" + std::to_string(getpid())
                                                        : options.project;
    Metrics metrics;
    ScenarioContext context{options, metrics, project};
    auto scenario = makeScenario(context, &error);
    if (!scenario) {
        std::fprintf(stderr, "zaqard-loadgen: %s\n", error.c_str());
        return 2;
    }
    Runner runner(options, endpoint, project, *scenario, metrics);
    if (!runner.run(&error)) {
        std::fprintf(stderr, "zaqard-loadgen: %s\n", error.c_str());
        return 1;
    }
    RunInfo info{options,
                 project,
                 scenario->roles(),
                 runner.measuredSeconds(),
                 runner.reconnects(),
                 runner.connectionFailures(),
                 ownCpuSeconds()};
    if (!options.quiet) printTable(stdout, info, metrics);
    if (!options.jsonFile.empty()) {
        const std::string json = toJson(info, metrics);
        FILE* f = options.jsonFile == "-" ? stdout : std::fopen(options.jsonFile.c_str(), "w");
        if (f == nullptr) {
            std::perror(options.jsonFile.c_str());
            return 1;
        }
        std::fwrite(json.data(), 1, json.size(), f);
        if (f != stdout) std::fclose(f);
    }
    return 0;
}
