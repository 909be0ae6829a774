#include "src/common/log.h"

#include <sys/time.h>

#include <cstdio>
#include <ctime>
#include <mutex>

namespace zaqard::log {

namespace {
std::mutex lock;
std::string path;
FILE* out = nullptr;
bool debugEnabled = false;

FILE* sink() {
    return out ? out : stderr;
}

const char* name(Level level) {
    switch (level) {
        case Level::Debug:
            return "DEBUG";
        case Level::Info:
            return "INFO";
        case Level::Warning:
            return "WARNING";
        case Level::Error:
            return "ERROR";
    }
    return "?";
}
}  // namespace

void setup(const std::string& file, bool debug) {
    std::lock_guard<std::mutex> guard(lock);
    debugEnabled = debug;
    path = file;
    if (out) fclose(out);
    out = path.empty() ? nullptr : fopen(path.c_str(), "a");
}

void reopen() {
    std::lock_guard<std::mutex> guard(lock);
    if (path.empty()) return;
    if (out) fclose(out);
    out = fopen(path.c_str(), "a");
}

bool enabled(Level level) {
    return level != Level::Debug || debugEnabled;
}

void write(Level level, std::string_view message) {
    timeval now;
    gettimeofday(&now, nullptr);
    tm parts;
    gmtime_r(&now.tv_sec, &parts);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &parts);
    std::lock_guard<std::mutex> guard(lock);
    fprintf(sink(), "%s.%03dZ %s %.*s\n", stamp, static_cast<int>(now.tv_usec / 1000), name(level),
            static_cast<int>(message.size()), message.data());
    fflush(sink());
}

}  // namespace zaqard::log
