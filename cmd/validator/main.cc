// zonepipe-validator: checks API commands and forwards valid ones to the store.
// Usage: zonepipe-validator [--config FILE] [--home DIR] [--instance N]
#include <cstdio>
#include <string>

#include "common/log/log.h"
#include "common/util/malloc_tuning.h"
#include "common/util/stop.h"
#include "pipelines/validate/worker.h"
#include "pipelines/wiring/metrics_endpoint.h"
#include "pipelines/wiring/one_machine.h"

int main(int argc, char** argv) {
  zp::tuneMalloc();  // before any thread: see common/util/malloc_tuning.h
  const auto startup = zp::wiring::loadOrExit(argc, argv);
  const auto& cfg = startup.config;
  size_t instance = 0;
  for (size_t i = 0; i < startup.args.size(); ++i) {
    if (startup.args[i] == "--instance" && i + 1 < startup.args.size()) {
      const std::string& n = startup.args[++i];
      if (n.empty() || n.find_first_not_of("0123456789") != std::string::npos || n.size() > 4) {
        std::fprintf(stderr, "zonepipe-validator: --instance takes a small number, not `%s`\n",
                     n.c_str());
        return 100;
      }
      instance = std::stoul(n);
    }
  }
  if (instance >= cfg.validatorEndpoints.size()) {
    std::fprintf(stderr,
                 "zonepipe-validator: --instance %zu but validator.endpoints lists only %zu "
                 "endpoint(s); add one per instance to the config\n",
                 instance, cfg.validatorEndpoints.size());
    return 100;
  }
  zp::log::init("validator", cfg.logLevel, cfg.logFormat);
  const auto& stop = zp::stopOnSignal();
  zp::metrics::Metrics metrics("validator");
  zp::wiring::serveMetricsOrExit(metrics, cfg, "validator", instance);
  zp::validate::ValidatorMetrics validatorMetrics(metrics.registry());
  try {
    zmq::context_t ctx;
    zp::validate::runWorker(ctx, {cfg.validatorEndpoints[instance], cfg.storeCommands},
                            zp::validate::ValidatorOptions::fromConfig(cfg), stop,
                            &validatorMetrics);
  } catch (const std::exception& e) {
    spdlog::error("validator stopped: {}", e.what());
    return 111;
  }
  spdlog::info("validator stopped cleanly");
  return 0;
}
