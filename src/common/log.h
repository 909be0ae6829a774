// Process-wide logging: one line per event, to stderr or [DEFAULT] log_file.
// Thread-safe; reopen() is called on SIGHUP so that log rotation works.
#pragma once

#include <string>
#include <string_view>

namespace zaqard::log {

enum class Level { Debug, Info, Warning, Error };

void setup(const std::string& file, bool debug);
void reopen();
bool enabled(Level level);
void write(Level level, std::string_view message);

// One access-log line (level INFO), buffered per thread: a request costs no write()
// syscall and no lock of its own (that was ~10 % of a post's CPU). The buffer goes out
// when it holds 16 KiB, on flushThread() — each shard calls it every 100 ms — and when the
// thread ends; a crash can lose the last 100 ms of access lines, never other logs.
void access(std::string_view message);
void flushThread();

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
