#include "common/metrics/process_collector.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace zp::metrics {
namespace {

prometheus::MetricFamily family(std::string name, std::string help, prometheus::MetricType type,
                                double value) {
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  return {std::move(name), std::move(help), type, {m}};
}

// The fields of /proc/self/stat after the command name (proc(5): field 3,
// "state", is index 0 here).
std::optional<std::vector<std::string>> statFields() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  const auto close = line.rfind(')');  // the command name may hold spaces and ')'
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string f; rest >> f;) fields.push_back(f);
  if (fields.size() < 22) return std::nullopt;
  return fields;
}

std::optional<double> bootTimeSeconds() {
  std::ifstream in("/proc/stat");
  for (std::string key; in >> key;) {
    if (key == "btime") {
      double t = 0;
      if (in >> t) return t;
      return std::nullopt;
    }
    in.ignore(1 << 20, '\n');
  }
  return std::nullopt;
}

}  // namespace

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> out;
  try {
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
    if (auto f = statFields(); f && ticks > 0) {
      // proc(5) numbering: utime 14, stime 15, num_threads 20, starttime 22,
      // vsize 23, rss 24; index = number - 3.
      const double cpu = (std::stod((*f)[11]) + std::stod((*f)[12])) / ticks;
      out.push_back(family("process_cpu_seconds_total",
                           "User and system CPU time spent in seconds.", MetricType::Counter, cpu));
      out.push_back(family("process_threads", "Number of OS threads in the process.",
                           MetricType::Gauge, std::stod((*f)[17])));
      out.push_back(family("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                           MetricType::Gauge, std::stod((*f)[20])));
      out.push_back(family("process_resident_memory_bytes", "Resident memory size in bytes.",
                           MetricType::Gauge, std::stod((*f)[21]) * page));
      if (auto boot = bootTimeSeconds()) {
        out.push_back(family("process_start_time_seconds",
                             "Start time of the process since unix epoch in seconds.",
                             MetricType::Gauge, *boot + std::stod((*f)[19]) / ticks));
      }
    }
    std::error_code ec;
    double fds = 0;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
      ++fds;
    }
    if (!ec) {
      out.push_back(
          family("process_open_fds", "Number of open file descriptors.", MetricType::Gauge, fds));
    }
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
      out.push_back(family("process_max_fds", "Maximum number of open file descriptors.",
                           MetricType::Gauge, static_cast<double>(limit.rlim_cur)));
    }
  } catch (const std::exception&) {  // a /proc field that is not a number: serve what we have
  }
  return out;
}

}  // namespace zp::metrics
