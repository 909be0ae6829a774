// getopt_long parsing with range checks: a typo must fail loudly, not benchmark the wrong thing.
#include "loadgen/options.h"

#include <getopt.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace zqbench {
namespace {

void usage(FILE* out) {
    std::fprintf(
        out,
        "usage: zaqard-loadgen [options]\n"
        "  --url URL            server base URL (default http://127.0.0.1:8888)\n"
        "  --scenario NAME      producer | consumer | observer | churn | ping | ping-head\n"
        "                       | fanout (webhook notifications)\n"
        "  --duration SEC       measured seconds (default 10)\n"
        "  --warmup SEC         unmeasured seconds before (default 2)\n"
        "  --connections N      keep-alive connections (default 64)\n"
        "  --consumers N        of those, claiming/listing ones (consumer, observer;\n"
        "                       default half)\n"
        "  --rate R             total requests/s, constant-rate (0 = max, default)\n"
        "  --size BYTES         message body size (default 100)\n"
        "  --batch N            messages per post (default 1)\n"
        "  --pipeline N         requests in flight per connection (default 1)\n"
        "  --queues N           queues to spread connections over (default 1)\n"
        "  --claim-limit N      messages per claim (default 10)\n"
        "  --list-limit N       messages per list page (default 10)\n"
        "  --prefill N          messages posted per queue before the run\n"
        "  --stop-after N       producer: stop after N messages posted\n"
        "  --idle-backoff-ms MS consumer: pause after an empty claim (default 1)\n"
        "  --delete-mode MODE   consumer: ids (bulk DELETE ?ids=) | each (per message)\n"
        "  --subscribers N      fanout: webhook subscriptions per queue (default 1)\n"
        "  --transport T        http (default) | websocket: the load connections speak\n"
        "                       Zaqar websocket frames (setup/finish stay on --url)\n"
        "  --ws-url URL         websocket listener (default ws://127.0.0.1:9000)\n"
        "  --project NAME       X-Project-ID (default: fresh per run)\n"
        "  --header 'N: V'      extra HTTP request header (repeatable), e.g. X-Auth-Token\n"
        "  (--url https://... and --ws-url wss://... speak TLS: certificates are not\n"
        "   verified, sessions are resumed on reconnect)\n"
        "  --json FILE          also write the results as JSON\n"
        "  --quiet              no table on stdout\n"
        "  --progress-fd FD     live progress (elapsed, rate, errors) on FD; default: on\n"
        "                       stderr when it is a terminal, else none\n"
        "  --idempotency-key    producer (http): a fresh Idempotency-Key header per post\n");
}

bool toInt(const char* text, long min, long max, long* out) {
    char* end = nullptr;
    const long v = std::strtol(text, &end, 10);
    if (end == text || *end != '\0' || v < min || v > max) return false;
    *out = v;
    return true;
}

bool toDouble(const char* text, double min, double* out) {
    char* end = nullptr;
    const double v = std::strtod(text, &end);
    if (end == text || *end != '\0' || v < min) return false;
    *out = v;
    return true;
}

}  // namespace

bool parseOptions(int argc, char** argv, Options* o, int* exitCode) {
    enum {
        kUrl = 256,
        kScenario,
        kDuration,
        kWarmup,
        kConnections,
        kConsumers,
        kRate,
        kSize,
        kBatch,
        kPipeline,
        kQueues,
        kClaimLimit,
        kListLimit,
        kPrefill,
        kStopAfter,
        kBackoff,
        kDeleteMode,
        kSubscribers,
        kTransport,
        kWsUrl,
        kProject,
        kHeader,
        kJson,
        kQuiet,
        kProgressFd,
        kIdempotency,
        kHelp
    };
    static const option longOptions[] = {
        {"url", required_argument, nullptr, kUrl},
        {"scenario", required_argument, nullptr, kScenario},
        {"duration", required_argument, nullptr, kDuration},
        {"warmup", required_argument, nullptr, kWarmup},
        {"connections", required_argument, nullptr, kConnections},
        {"consumers", required_argument, nullptr, kConsumers},
        {"rate", required_argument, nullptr, kRate},
        {"size", required_argument, nullptr, kSize},
        {"batch", required_argument, nullptr, kBatch},
        {"pipeline", required_argument, nullptr, kPipeline},
        {"queues", required_argument, nullptr, kQueues},
        {"claim-limit", required_argument, nullptr, kClaimLimit},
        {"list-limit", required_argument, nullptr, kListLimit},
        {"prefill", required_argument, nullptr, kPrefill},
        {"stop-after", required_argument, nullptr, kStopAfter},
        {"idle-backoff-ms", required_argument, nullptr, kBackoff},
        {"delete-mode", required_argument, nullptr, kDeleteMode},
        {"subscribers", required_argument, nullptr, kSubscribers},
        {"transport", required_argument, nullptr, kTransport},
        {"ws-url", required_argument, nullptr, kWsUrl},
        {"project", required_argument, nullptr, kProject},
        {"header", required_argument, nullptr, kHeader},
        {"json", required_argument, nullptr, kJson},
        {"quiet", no_argument, nullptr, kQuiet},
        {"progress-fd", required_argument, nullptr, kProgressFd},
        {"idempotency-key", no_argument, nullptr, kIdempotency},
        {"help", no_argument, nullptr, kHelp},
        {nullptr, 0, nullptr, 0},
    };
    *exitCode = 2;
    long n = 0;
    int c = 0;
    while ((c = getopt_long(argc, argv, "", longOptions, nullptr)) != -1) {
        bool ok = true;
        switch (c) {
            case kUrl:
                o->url = optarg;
                break;
            case kScenario:
                o->scenario = optarg;
                break;
            case kDuration:
                ok = toDouble(optarg, 0.1, &o->duration);
                break;
            case kWarmup:
                ok = toDouble(optarg, 0, &o->warmup);
                break;
            case kConnections:
                ok = toInt(optarg, 1, 100000, &n) && (o->connections = int(n), true);
                break;
            case kConsumers:
                ok = toInt(optarg, 0, 100000, &n) && (o->consumers = int(n), true);
                break;
            case kRate:
                ok = toDouble(optarg, 0, &o->rate);
                break;
            case kSize:
                ok = toInt(optarg, 0, 16 << 20, &n) && (o->size = int(n), true);
                break;
            case kBatch:
                ok = toInt(optarg, 1, 100000, &n) && (o->batch = int(n), true);
                break;
            case kPipeline:
                ok = toInt(optarg, 1, 1024, &n) && (o->pipeline = int(n), true);
                break;
            case kQueues:
                ok = toInt(optarg, 1, 100000, &n) && (o->queues = int(n), true);
                break;
            case kClaimLimit:
                ok = toInt(optarg, 1, 1000, &n) && (o->claimLimit = int(n), true);
                break;
            case kListLimit:
                ok = toInt(optarg, 1, 1000, &n) && (o->listLimit = int(n), true);
                break;
            case kPrefill:
                ok = toInt(optarg, 0, 100000000, &n) && (o->prefill = int(n), true);
                break;
            case kStopAfter:
                ok = toInt(optarg, 0, 1L << 40, &n) &&
                     (o->stopAfter = static_cast<uint64_t>(n), true);
                break;
            case kBackoff:
                ok = toDouble(optarg, 0, &o->idleBackoffMs);
                break;
            case kDeleteMode:
                o->deleteMode = optarg;
                ok = o->deleteMode == "ids" || o->deleteMode == "each";
                break;
            case kSubscribers:
                ok = toInt(optarg, 1, 10000, &n) && (o->subscribers = int(n), true);
                break;
            case kTransport:
                o->transport = optarg;
                ok = o->transport == "http" || o->transport == "websocket";
                break;
            case kWsUrl:
                o->wsUrl = optarg;
                break;
            case kHeader:
                o->headers.push_back(optarg);
                break;
            case kProject:
                o->project = optarg;
                break;
            case kJson:
                o->jsonFile = optarg;
                break;
            case kQuiet:
                o->quiet = true;
                break;
            case kProgressFd:
                if (!toInt(optarg, 0, 1024, &n)) ok = false;
                o->progressFd = static_cast<int>(n);
                break;
            case kIdempotency:
                o->idempotencyKeys = true;
                break;
            case kHelp:
                usage(stdout);
                *exitCode = 0;
                return false;
            default:
                ok = false;
        }
        if (!ok) {
            std::fprintf(stderr, "zaqard-loadgen: bad value for an option%s%s\n",
                         optarg ? ": " : "", optarg ? optarg : "");
            usage(stderr);
            return false;
        }
    }
    if (o->idempotencyKeys && o->transport != "http") {
        std::fprintf(stderr, "zaqard-loadgen: --idempotency-key needs --transport http\n");
        return false;
    }
    if (optind < argc) {
        std::fprintf(stderr, "zaqard-loadgen: unexpected argument %s\n", argv[optind]);
        usage(stderr);
        return false;
    }
    return true;
}

}  // namespace zqbench
