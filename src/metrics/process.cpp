#include "src/metrics/process.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace zaqard::metrics {

namespace {

// The fields of /proc/self/stat after the command name (which may hold spaces and
// parentheses: everything up to the last ')' is skipped). Field 3 (state) is index 0.
std::vector<std::string> statFields() {
    std::ifstream file("/proc/self/stat");
    std::string line;
    if (!std::getline(file, line)) return {};
    size_t close = line.rfind(')');
    if (close == std::string::npos) return {};
    std::istringstream rest(line.substr(close + 1));
    std::vector<std::string> fields;
    for (std::string field; rest >> field;) fields.push_back(field);
    return fields;
}

double bootTime() {
    std::ifstream file("/proc/stat");
    for (std::string line; std::getline(file, line);)
        if (line.rfind("btime ", 0) == 0) return std::strtod(line.c_str() + 6, nullptr);
    return 0;
}

long openFds() {
    DIR* dir = opendir("/proc/self/fd");
    if (!dir) return -1;
    long count = 0;
    while (dirent* entry = readdir(dir))
        if (entry->d_name[0] != '.') ++count;
    closedir(dir);
    return count - 1;  // the directory's own descriptor
}

}  // namespace

void writeProcessMetrics(Exposition& out) {
    std::vector<std::string> f = statFields();
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
    // proc(5): utime is field 14, stime 15, starttime 22, vsize 23, rss 24.
    auto field = [&f](int number) {
        return std::strtod(f[static_cast<size_t>(number - 3)].c_str(), nullptr);
    };
    if (f.size() >= 22 && ticks > 0) {
        out.family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                   Type::Counter);
        out.sample({}, (field(14) + field(15)) / ticks);
        if (double boot = bootTime(); boot > 0) {
            out.family("process_start_time_seconds",
                       "Start time of the process since unix epoch in seconds.", Type::Gauge);
            out.sample({}, boot + field(22) / ticks);
        }
        out.family("process_virtual_memory_bytes", "Virtual memory size in bytes.", Type::Gauge);
        out.sample({}, field(23));
        out.family("process_resident_memory_bytes", "Resident memory size in bytes.", Type::Gauge);
        out.sample({}, field(24) * page);
    }
    if (long fds = openFds(); fds >= 0) {
        out.family("process_open_fds", "Number of open file descriptors.", Type::Gauge);
        out.sample({}, static_cast<int64_t>(fds));
    }
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
        out.family("process_max_fds", "Maximum number of open file descriptors.", Type::Gauge);
        out.sample({}, static_cast<uint64_t>(limit.rlim_cur));
    }
}

}  // namespace zaqard::metrics
