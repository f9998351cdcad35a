// zonepipe-store: the only writer. Keeps zones, records, tokens and the event
// log in LMDB; serves validated commands, queries and the event stream.
// Usage: zonepipe-store [--config FILE] [--home DIR]
// Exit: 0 after SIGINT/SIGTERM, 100 bad config, 111 LMDB or sockets unavailable.
#include <cstdio>

#include "common/log/log.h"
#include "common/metrics/metrics.h"
#include "common/util/malloc_tuning.h"
#include "common/util/stop.h"
#include "pipelines/store/server.h"
#include "pipelines/store/store.h"
#include "pipelines/wiring/metrics_endpoint.h"
#include "pipelines/wiring/one_machine.h"

int main(int argc, char** argv) {
  zp::tuneMalloc();  // before any thread: see common/util/malloc_tuning.h
  const auto startup = zp::wiring::loadOrExit(argc, argv);
  const auto& cfg = startup.config;
  if (!startup.args.empty()) {
    std::fprintf(stderr,
                 "zonepipe-store: unknown argument `%s`; usage: zonepipe-store [--config FILE] "
                 "[--home DIR]\n",
                 startup.args.front().c_str());
    return 100;
  }
  zp::log::init("store", cfg.logLevel, cfg.logFormat);
  const auto& stop = zp::stopOnSignal();
  zp::metrics::Metrics metrics("store");
  zp::wiring::serveMetricsOrExit(metrics, cfg, "store");
  zp::store::StoreMetrics storeMetrics(metrics.registry());

  std::unique_ptr<zp::store::Store> store;
  try {
    store = std::make_unique<zp::store::Store>(zp::store::StoreOptions::fromConfig(cfg));
  } catch (const zp::store::LmdbError& e) {
    spdlog::error("{}", e.what());
    return 111;
  }
  spdlog::info("store open: LMDB in {}, last seq {}", store->dir(), store->lastSeq());

  try {
    zmq::context_t ctx;
    zp::store::Server server(ctx, *store, {cfg.storeCommands, cfg.storeQuery, cfg.storeEvents},
                             {cfg.storeBatchMax, std::chrono::milliseconds(200), &storeMetrics});
    spdlog::info("serving commands on {}, queries on {}, events on {}", cfg.storeCommands,
                 cfg.storeQuery, cfg.storeEvents);
    server.run(stop);
  } catch (const std::exception& e) {
    spdlog::error("store stopped: {}", e.what());
    return 111;
  }
  spdlog::info("store stopped cleanly at seq {}", store->lastSeq());
  return 0;
}
