#pragma once
// The standard process metrics of the Prometheus client libraries
// (https://prometheus.io/docs/instrumenting/writing_clientlibs/#process-metrics),
// read from Linux's /proc/self at scrape time: process_cpu_seconds_total,
// process_resident_memory_bytes, process_virtual_memory_bytes,
// process_start_time_seconds, process_open_fds, process_max_fds and
// process_threads. prometheus-cpp has no collector of its own for them.
// Thread-safe (reads files only). A file that cannot be read leaves its
// metric out of the scrape rather than failing it.

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <vector>

namespace zp::metrics {

class ProcessCollector : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace zp::metrics
