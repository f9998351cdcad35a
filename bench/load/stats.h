#pragma once
// Latency statistics for the load generator: a summary (count, median, p90,
// p99, max, mean) of a set of samples in milliseconds. Pure functions; safe to
// call from any thread on its own data.

#include <cstddef>
#include <string>
#include <vector>

namespace zp::bench {

struct Summary {
  size_t count = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0;  // milliseconds; 0 when count == 0
};

// Nearest-rank percentile (p in (0, 100]) of `sorted`, which must be sorted
// ascending. Returns 0 for an empty vector.
double percentile(const std::vector<double>& sorted, double p);

// Sorts `samples` and summarises them.
Summary summarize(std::vector<double> samples);

// "p50 1.23 ms, p90 ..., p99 ..., max ..." for logs.
std::string describe(const Summary& s);

}  // namespace zp::bench
