// Process-wide logging: one line per event, to stderr or [DEFAULT] log_file.
// Thread-safe; reopen() is called on SIGHUP so that log rotation works.
#pragma once

#include <string>
#include <string_view>

namespace zaqard::log {

enum class Level { Debug, Info, Warning, Error };
// [zaqard] log_format: Text is "<time>Z LEVEL message"; Json is one object per line.
enum class Format { Text, Json };

void setup(const std::string& file, bool debug, Format format = Format::Text);
// Names the calling thread's shard in JSON lines ("shard"); other threads log null.
void setThreadShard(int index);
// Whether lines are JSON (callers skip gathering fields only JSON lines carry).
bool jsonLines();
void reopen();
bool enabled(Level level);
void write(Level level, std::string_view message);

// One access-log line (level INFO), buffered per thread: a request costs no write()
// syscall and no lock of its own (that was ~10 % of a post's CPU). The buffer goes out
// when it holds 16 KiB, on flushThread() — each shard calls it every 100 ms — and when the
// thread ends; a crash can lose the last 100 ms of access lines, never other logs.
// One request's access line. Text: "http: METHOD PATH STATUS 1.234ms REQUEST-ID"; JSON
// adds every field by name.
struct AccessEntry {
    std::string_view method;
    std::string_view path;
    int status = 0;
    double durationMs = 0;
    std::string_view requestId;
    std::string_view project;  // X-Project-ID as sent (may be empty)
    std::string_view action;   // the action table's name; empty when unrouted
    std::string_view client;   // "address:port"
};
void access(const AccessEntry& entry);
void flushThread();

// The request this thread is working on, for lines logged below the api that know no
// request (a slow Redis call): the api opens a scope around a request's synchronous part.
// `id` must outlive the scope. Lines written inside it carry the id ("request_id" in JSON,
// "[id]" after the message in text).
class RequestScope {
  public:
    explicit RequestScope(std::string_view id);
    ~RequestScope();
    RequestScope(const RequestScope&) = delete;
    RequestScope& operator=(const RequestScope&) = delete;

  private:
    std::string_view previous_;
};
std::string_view currentRequestId();

inline void debug(std::string_view m) {
    if (enabled(Level::Debug)) write(Level::Debug, m);
}
inline void info(std::string_view m) {
    write(Level::Info, m);
}
inline void warning(std::string_view m) {
    write(Level::Warning, m);
}
inline void error(std::string_view m) {
    write(Level::Error, m);
}

}  // namespace zaqard::log
