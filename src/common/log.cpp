#include "src/common/log.h"

#include <sys/time.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>

#include "src/common/json.h"

namespace zaqard::log {

namespace {
std::mutex lock;
std::string path;
FILE* out = nullptr;
bool debugEnabled = false;
Format lineFormat = Format::Text;
thread_local int threadShard = -1;
thread_local std::string_view threadRequestId;

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
// "2026-11-23T20:02:11.752Z " for the current time; the date part is formatted once
// per second per thread.
struct Stamp {
    time_t second = -1;
    char text[40] = {};
    size_t length = 0;

    std::string_view at(const timeval& now) {
        if (now.tv_sec != second) {
            second = now.tv_sec;
            tm parts;
            gmtime_r(&now.tv_sec, &parts);
            strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S.", &parts);
            length = strlen(text);
        }
        int millis = static_cast<int>(now.tv_usec / 1000);
        text[length] = static_cast<char>('0' + millis / 100);
        text[length + 1] = static_cast<char>('0' + millis / 10 % 10);
        text[length + 2] = static_cast<char>('0' + millis % 10);
        return {text, length + 3};
    }
};

void writeOut(std::string_view text) {
    std::lock_guard<std::mutex> guard(lock);
    fwrite(text.data(), 1, text.size(), sink());
    fflush(sink());
}

constexpr size_t kAccessBufferLimit = 16 * 1024;

struct AccessBuffer {
    std::string lines;
    Stamp stamp;
    ~AccessBuffer() {
        if (!lines.empty()) writeOut(lines);
    }
};
thread_local AccessBuffer accessBuffer;

// A JSON line's common fields; jansson does the escaping.
Json jsonLine(std::string_view stamp, Level level, std::string_view message) {
    Json line = Json::object();
    line.set("time", Json::string(std::string(stamp) + "Z"));
    line.set("level", Json::string(name(level)));
    line.set("shard", threadShard < 0 ? Json::null() : Json::integer(threadShard));
    line.set("message", Json::string(message));
    return line;
}
}  // namespace

void setThreadShard(int index) {
    threadShard = index;
}

bool jsonLines() {
    return lineFormat == Format::Json;
}

void setup(const std::string& file, bool debug, Format format) {
    std::lock_guard<std::mutex> guard(lock);
    debugEnabled = debug;
    lineFormat = format;
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
    Stamp stamp;
    std::string line;
    if (lineFormat == Format::Json) {
        Json json = jsonLine(stamp.at(now), level, message);
        if (!threadRequestId.empty()) json.set("request_id", Json::string(threadRequestId));
        line = json.dump();
        line.append("\n");
    } else {
        line.append(stamp.at(now)).append("Z ").append(name(level)).append(" ");
        line.append(message);
        if (!threadRequestId.empty()) line.append(" [").append(threadRequestId).append("]");
        line.append("\n");
    }
    // Keeps this thread's earlier access lines ahead of this line.
    flushThread();
    writeOut(line);
}

void access(const AccessEntry& entry) {
    timeval now;
    gettimeofday(&now, nullptr);
    AccessBuffer& buffer = accessBuffer;
    char numbers[64];
    std::snprintf(numbers, sizeof numbers, " %d %.3fms ", entry.status, entry.durationMs);
    std::string message;
    message.reserve(16 + entry.method.size() + entry.path.size() + entry.requestId.size());
    message.append("http: ").append(entry.method).append(" ").append(entry.path);
    message.append(numbers).append(entry.requestId);
    if (lineFormat == Format::Json) {
        Json line = jsonLine(buffer.stamp.at(now), Level::Info, message);
        line.set("request_id", Json::string(entry.requestId));
        line.set("project", Json::string(entry.project));
        line.set("action", entry.action.empty() ? Json::null() : Json::string(entry.action));
        line.set("status", Json::integer(entry.status));
        line.set("duration_ms", Json::adopt(json_real(entry.durationMs)));
        line.set("client", Json::string(entry.client));
        line.set("method", Json::string(entry.method));
        line.set("path", Json::string(entry.path));
        buffer.lines.append(line.dump()).append("\n");
    } else {
        buffer.lines.append(buffer.stamp.at(now)).append("Z INFO ").append(message).append("\n");
    }
    if (buffer.lines.size() >= kAccessBufferLimit) flushThread();
}

RequestScope::RequestScope(std::string_view id) : previous_(threadRequestId) {
    threadRequestId = id;
}

RequestScope::~RequestScope() {
    threadRequestId = previous_;
}

std::string_view currentRequestId() {
    return threadRequestId;
}

void flushThread() {
    AccessBuffer& buffer = accessBuffer;
    if (buffer.lines.empty()) return;
    writeOut(buffer.lines);
    buffer.lines.clear();
}

}  // namespace zaqard::log
