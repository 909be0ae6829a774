// The standard process metrics of Prometheus' client libraries (process_*), read from
// /proc/self at scrape time.
#pragma once

#include "src/metrics/exposition.h"

namespace zaqard::metrics {

// Appends process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_start_time_seconds, process_open_fds and
// process_max_fds. A value /proc cannot give is left out.
void writeProcessMetrics(Exposition& out);

}  // namespace zaqard::metrics
