#pragma once
// Where each program serves its Prometheus metrics: the `metrics.<program>`
// key of the config (common/config/config.h), PORT + instance for copies.

#include <cstddef>
#include <string>

#include "common/config/config.h"
#include "common/metrics/metrics.h"

namespace zp::wiring {

// The configured "ADDRESS:PORT" of `program` ("api", "validator", "store",
// "renderer", "push"); "" when none.
const std::string& metricsListen(const config::Config& cfg, const std::string& program);

// Serves `metrics` where the config says and logs the URL (after log::init).
// A malformed `metrics.<program>` exits 100 (bad configuration); a port that
// cannot be bound exits 111, like any other endpoint that cannot be bound.
void serveMetricsOrExit(metrics::Metrics& metrics, const config::Config& cfg,
                        const std::string& program, size_t instance = 0);

}  // namespace zp::wiring
