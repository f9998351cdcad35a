#include "bench/load/stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace zp::bench {

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double rank = std::ceil(p / 100.0 * static_cast<double>(sorted.size()));
  size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  index = std::min(index, sorted.size() - 1);
  return sorted[index];
}

Summary summarize(std::vector<double> samples) {
  Summary s;
  s.count = samples.size();
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  s.p50 = percentile(samples, 50);
  s.p90 = percentile(samples, 90);
  s.p99 = percentile(samples, 99);
  s.max = samples.back();
  s.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(s.count);
  return s;
}

std::string describe(const Summary& s) {
  char line[160];
  std::snprintf(line, sizeof line, "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms (n=%zu)",
                s.p50, s.p90, s.p99, s.max, s.count);
  return line;
}

}  // namespace zp::bench
