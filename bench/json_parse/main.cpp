// zaqard-json-parse: the A/B of issue #12 in isolation. Reads post bodies (1 and 10
// messages of 100 and 1000 bytes, a flat body as zaqard-loadgen sends and a structured
// one) with the jansson reader (json_loadb, then each body re-dumped: what the server did
// before) and the simdjson On-Demand reader (bodies kept as byte ranges), and prints the
// median nanoseconds of thread CPU time per request of interleaved rounds.
//
//   zaqard-json-parse [--iterations N] [--rounds N]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "src/api/post_body.h"

using zaqard::api::PostDocument;

namespace {

// As bench/loadgen's postBody: {"ts": ..., "pad": "xxx..."}, padded to `size`.
std::string flatBody(size_t size) {
    std::string out = "{\"ts\": 1733548800123456789, \"pad\": \"";
    size_t pad = size > out.size() + 2 ? size - out.size() - 2 : 0;
    out.append(pad, 'x');
    out += "\"}";
    return out;
}

// Objects, arrays, numbers, escapes and non-ASCII text, repeated up to `size`.
std::string structuredBody(size_t size) {
    std::string out = "{\"event\": \"order.created\", \"id\": 4711, \"items\": [";
    for (int i = 0; out.size() + 90 < size; ++i) {
        if (i) out += ", ";
        out += "{\"sku\": \"A-" + std::to_string(1000 + i) +
               "\", \"qty\": " + std::to_string(i % 7 + 1) +
               ", \"price\": 19.95, \"note\": \"caf\\u00e9 \xc3\xa9\"}";
    }
    out += "], \"paid\": true, \"coupon\": null}";
    return out;
}

std::string post(int batch, const std::string& body) {
    std::string out = "{\"messages\": [";
    for (int i = 0; i < batch; ++i) {
        if (i) out += ", ";
        out += "{\"body\": " + body + ", \"ttl\": 300}";
    }
    out += "]}";
    return out;
}

// The thread's CPU time, not wall time: on a shared machine the process is descheduled.
double threadCpuNs() {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
}

template <typename Reader>
double nsPerRequest(Reader read, const std::string& text, int iterations) {
    size_t sink = 0;
    double start = threadCpuNs();
    for (int i = 0; i < iterations; ++i) {
        PostDocument document = read(text);
        sink += document.items.size();
    }
    double elapsed = threadCpuNs() - start;
    if (sink == 0) std::abort();  // every body is a valid post
    return elapsed / iterations;
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    int iterations = 20000;
    int rounds = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--iterations") == 0)
            iterations = std::atoi(argv[i + 1]);
        else if (std::strcmp(argv[i], "--rounds") == 0)
            rounds = std::atoi(argv[i + 1]);
    }
    if (iterations < 1 || iterations > 10000000 || rounds < 1 || rounds > 100) {
        std::fprintf(stderr, "usage: zaqard-json-parse [--iterations 1..1e7] [--rounds 1..100]\n");
        return 2;
    }
    std::printf("%-10s %5s %6s %8s %12s %12s %7s\n", "body", "batch", "bytes", "request",
                "jansson ns", "simdjson ns", "ratio");
    for (const char* shape : {"flat", "structured"}) {
        for (size_t size : {size_t(100), size_t(1000)}) {
            std::string body =
                std::strcmp(shape, "flat") == 0 ? flatBody(size) : structuredBody(size);
            for (int batch : {1, 10}) {
                std::string text = post(batch, body);
                // Same answer from both, or the comparison is void.
                PostDocument a = zaqard::api::readPostBodyWithJansson(text);
                PostDocument b = zaqard::api::readPostBody(text);
                if (a.error != b.error || a.items.size() != b.items.size() ||
                    *b.items[0].body != body) {
                    std::fprintf(stderr, "readers disagree on %s/%zu/%d\n", shape, size, batch);
                    return 1;
                }
                std::vector<double> jansson, simdjson;
                for (int r = 0; r < rounds; ++r) {  // interleaved: drift falls on both
                    jansson.push_back(
                        nsPerRequest(zaqard::api::readPostBodyWithJansson, text, iterations));
                    simdjson.push_back(nsPerRequest(zaqard::api::readPostBody, text, iterations));
                }
                double ja = median(jansson), si = median(simdjson);
                std::printf("%-10s %5d %6zu %8zu %12.0f %12.0f %6.2fx\n", shape, batch, body.size(),
                            text.size(), ja, si, ja / si);
            }
        }
    }
    return 0;
}
