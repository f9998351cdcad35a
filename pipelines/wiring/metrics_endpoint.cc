#include "pipelines/wiring/metrics_endpoint.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <stdexcept>

namespace zp::wiring {

const std::string& metricsListen(const config::Config& cfg, const std::string& program) {
  if (program == "api") return cfg.metricsApi;
  if (program == "validator") return cfg.metricsValidator;
  if (program == "store") return cfg.metricsStore;
  if (program == "renderer") return cfg.metricsRenderer;
  if (program == "push") return cfg.metricsPush;
  throw std::logic_error("metricsListen: unknown program " + program);
}

void serveMetricsOrExit(metrics::Metrics& metrics, const config::Config& cfg,
                        const std::string& program, size_t instance) {
  const std::string key = "metrics." + program;
  auto listen = metrics::listenAddress(key, metricsListen(cfg, program), instance);
  if (!listen) {
    spdlog::error("bad configuration: {}", listen.error().detail);
    std::exit(100);
  }
  if (listen->empty()) {
    spdlog::info("serving no metrics ({} is not set)", key);
    return;
  }
  if (auto error = metrics.serve(*listen)) {
    spdlog::error("{}", error->detail);
    std::exit(111);
  }
  spdlog::info("serving metrics at {}", metrics.url());
}

}  // namespace zp::wiring
