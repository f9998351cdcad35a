// zonepipe-api: the REST front end. Serves /api/v1 over HTTP and turns
// requests into commands for the validator and queries for the store.
// Usage: zonepipe-api [--config FILE] [--home DIR]
// Exit: 0 after SIGINT/SIGTERM, 100 bad config, 111 cannot listen or connect.
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <zmq.hpp>

#include "common/log/log.h"
#include "common/util/malloc_tuning.h"
#include "pipelines/api/bus_client.h"
#include "pipelines/api/server.h"
#include "pipelines/wiring/metrics_endpoint.h"
#include "pipelines/wiring/one_machine.h"

int main(int argc, char** argv) {
  zp::tuneMalloc();  // before any thread: see common/util/malloc_tuning.h
  const auto startup = zp::wiring::loadOrExit(argc, argv);
  const auto& cfg = startup.config;
  zp::log::init("api", cfg.logLevel, cfg.logFormat);

  // Block the stop signals in every thread (Pistache's and the bus's inherit
  // the mask); main waits for them with sigwait.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGINT);
  sigaddset(&stopSignals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  zp::metrics::Metrics metrics("api");
  zp::wiring::serveMetricsOrExit(metrics, cfg, "api");
  zp::api::HttpMetrics httpMetrics(metrics.registry());

  try {
    zmq::context_t ctx;
    // The pusher's status gets a shorter deadline: without it a zone detail
    // still answers (status unknown), so a stopped pusher must not slow reads.
    const auto timeout = std::chrono::milliseconds(cfg.apiTimeoutMs);
    // store.events feeds the zone-read mirror (pipelines/api/zone_versions.h).
    zp::api::BusClient bus(ctx,
                           {cfg.validatorEndpoints, cfg.storeQuery, timeout, cfg.pushStatus,
                            std::min(timeout, std::chrono::milliseconds(1000)), cfg.storeEvents});
    zp::api::ApiServer server(cfg, bus, &httpMetrics);
    if (auto error = server.start()) {
      spdlog::error("{}", error->detail);
      return 111;
    }
    spdlog::info(
        "serving the API at http://{}:{}/api/v1/ (commands to {}, queries to {}, deployment "
        "status from {})",
        cfg.apiAddress, server.port(), fmt::join(cfg.validatorEndpoints, ", "), cfg.storeQuery,
        cfg.pushStatus.empty() ? "nowhere (push.status unset)" : cfg.pushStatus);

    int signal = 0;
    sigwait(&stopSignals, &signal);
    spdlog::info("received {}; finishing the requests in flight (at most 5 s)",
                 signal == SIGINT ? "SIGINT" : "SIGTERM");
    if (!server.drain(std::chrono::seconds(5))) {
      spdlog::warn("{} request(s) still in flight after 5 s; they get 503", server.inFlight());
    }
    bus.stop();
    server.shutdown();
  } catch (const std::exception& e) {
    spdlog::error("the API stopped: {}", e.what());
    return 111;
  }
  spdlog::info("API stopped cleanly");
  return 0;
}
