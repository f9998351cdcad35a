// zonepipe-renderer: follows the store's event log, renders changed zones,
// checks them with named-checkzone and hands them to the pusher.
// Usage: zonepipe-renderer [--config FILE] [--home DIR] [--instance I]
// With `renderer.instances = N` in the config, run N of them with --instance
// 0..N-1: each renders the zones whose domain hashes to its number
// (pipelines/render/partition.h) and keeps its own cursor file.
#include <cstdio>
#include <string>

#include "common/log/log.h"
#include "common/util/malloc_tuning.h"
#include "common/util/stop.h"
#include "pipelines/render/worker.h"
#include "pipelines/wiring/metrics_endpoint.h"
#include "pipelines/wiring/one_machine.h"

int main(int argc, char** argv) {
  zp::tuneMalloc();  // before any thread: see common/util/malloc_tuning.h
  const auto startup = zp::wiring::loadOrExit(argc, argv);
  const auto& cfg = startup.config;
  uint32_t instance = 0;
  for (size_t i = 0; i < startup.args.size(); ++i) {
    const std::string& a = startup.args[i];
    if (a == "--instance" && i + 1 < startup.args.size()) {
      const std::string& n = startup.args[++i];
      if (n.empty() || n.find_first_not_of("0123456789") != std::string::npos || n.size() > 4) {
        std::fprintf(stderr, "zonepipe-renderer: --instance takes a small number, not `%s`\n",
                     n.c_str());
        return 100;
      }
      instance = static_cast<uint32_t>(std::stoul(n));
    } else {
      std::fprintf(stderr,
                   "zonepipe-renderer: unknown argument `%s`; usage: zonepipe-renderer "
                   "[--config FILE] [--home DIR] [--instance I]\n",
                   a.c_str());
      return 100;
    }
  }
  if (instance >= cfg.rendererInstances) {
    std::fprintf(stderr,
                 "zonepipe-renderer: --instance %u but renderer.instances is %u; set "
                 "renderer.instances in the config to the number of renderers you run\n",
                 instance, cfg.rendererInstances);
    return 100;
  }
  for (const auto* key : {&cfg.storeEvents, &cfg.storeQuery, &cfg.pushEndpoint,
                          &cfg.rendererStateDir, &cfg.checkzone}) {
    if (key->empty()) {
      std::fprintf(stderr,
                   "zonepipe-renderer: the config leaves an endpoint, the renderer state "
                   "directory or the named-checkzone path empty; set it\n");
      return 100;
    }
  }
  const zp::render::Partition partition(instance, cfg.rendererInstances);
  zp::log::init(cfg.rendererInstances > 1 ? "renderer-" + std::to_string(instance) : "renderer",
                cfg.logLevel, cfg.logFormat);
  const auto& stop = zp::stopOnSignal();
  zp::metrics::Metrics metrics("renderer");
  zp::wiring::serveMetricsOrExit(metrics, cfg, "renderer", instance);
  zp::render::RenderMetrics renderMetrics(metrics.registry());
  try {
    zmq::context_t ctx;
    zp::render::runRenderer(ctx, cfg, partition, stop, &renderMetrics);
  } catch (const std::exception& e) {
    spdlog::error("renderer stopped: {}; it resumes from its cursor when restarted", e.what());
    return 111;
  }
  spdlog::info("renderer stopped cleanly");
  return 0;
}
