// zonepipe-renderer: follows the store's event log, renders changed zones,
// checks them with named-checkzone and hands them to the pusher.
// Usage: zonepipe-renderer [--config FILE] [--home DIR]
#include <cstdio>

#include "common/log/log.h"
#include "common/util/stop.h"
#include "pipelines/render/worker.h"
#include "pipelines/wiring/one_machine.h"

int main(int argc, char** argv) {
  const auto startup = zp::wiring::loadOrExit(argc, argv);
  const auto& cfg = startup.config;
  if (!startup.args.empty()) {
    std::fprintf(stderr,
                 "zonepipe-renderer: unknown argument `%s`; usage: zonepipe-renderer "
                 "[--config FILE] [--home DIR]\n",
                 startup.args[0].c_str());
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
  zp::log::init("renderer", cfg.logLevel);
  const auto& stop = zp::stopOnSignal();
  try {
    zmq::context_t ctx;
    zp::render::runRenderer(ctx, cfg, stop);
  } catch (const std::exception& e) {
    spdlog::error("renderer stopped: {}; it resumes from its cursor when restarted", e.what());
    return 111;
  }
  spdlog::info("renderer stopped cleanly");
  return 0;
}
