// zonepipe-push: receives zone changes from the renderer and makes the
// primary named serve them: record changes as RFC 2136 UPDATEs, whole zones
// as files loaded through rndc, membership through the catalog zone.
// Usage: zonepipe-push [--config FILE] [--home DIR]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include "common/log/log.h"
#include "common/util/malloc_tuning.h"
#include "common/util/stop.h"
#include "pipelines/push/catalog.h"
#include "pipelines/push/pusher.h"
#include "pipelines/push/rndc_protocol.h"
#include "pipelines/push/secondary_notifier.h"
#include "pipelines/push/served_check.h"
#include "pipelines/push/status.h"
#include "pipelines/push/worker.h"
#include "pipelines/wiring/metrics_endpoint.h"
#include "pipelines/wiring/one_machine.h"

int main(int argc, char** argv) {
  zp::tuneMalloc();  // before any thread: see common/util/malloc_tuning.h
  const auto startup = zp::wiring::loadOrExit(argc, argv);
  const auto& cfg = startup.config;
  if (!startup.args.empty()) {
    std::fprintf(stderr,
                 "zonepipe-push: unknown argument `%s`; usage: zonepipe-push [--config FILE] "
                 "[--home DIR]\n",
                 startup.args[0].c_str());
    return 100;
  }
  if (cfg.pushEndpoint.empty() || cfg.pushZoneDir.empty() || cfg.rndcConfig.empty()) {
    std::fprintf(stderr,
                 "zonepipe-push: the config leaves the push endpoint, the zone directory "
                 "or the rndc config empty; set them\n");
    return 100;
  }
  zp::log::init("push", cfg.logLevel, cfg.logFormat);
  const auto& stop = zp::stopOnSignal();
  zp::metrics::Metrics metrics("push");
  zp::wiring::serveMetricsOrExit(metrics, cfg, "push");
  try {
    zp::push::Publisher publisher(cfg.pushZoneDir, cfg.pushJournalDir);
    // The control channel in-process (one kept-open connection): no rndc
    // process per deployment.
    zp::push::RndcSession rndc(cfg.rndcConfig);
    const auto nameservers = zp::push::nameserversFrom(cfg);
    std::vector<std::string> names;
    for (const auto& ns : nameservers) names.push_back(ns.name);
    zp::push::PushMetrics pushMetrics(metrics.registry(), names);
    zp::push::StatusBook status(nameservers);
    status.observe(&pushMetrics);
    zp::push::PrimaryCheck check(nameservers.front().ip, nameservers.front().port,
                                 std::chrono::milliseconds(cfg.pushConfirmMs));
    // Changes to zones named serves go as TSIG-signed UPDATEs over kept-open
    // TCP connections, signed with the control channel's key (named.conf
    // includes it; zones are added with allow-update for it).
    auto target = zp::push::loadRndcConfig(cfg.rndcConfig);
    if (!target) throw std::invalid_argument(target.error().detail);
    zp::push::DnsUpdater updater(nameservers.front().ip, nameservers.front().port,
                                 target.value().key, std::chrono::seconds(10),
                                 static_cast<size_t>(std::clamp(cfg.pushUpdateConnections, 1, 64)));
    zp::push::PusherOptions options;
    options.updater = &updater;
    options.updateKey = target.value().key.name;
    options.check = &check;
    options.status = &status;
    options.catalog = !cfg.secondaries.empty();
    // The secondaries hear of changes from the pusher, paced per zone, when
    // it can send from the primary's address (see secondary_notifier.h).
    std::unique_ptr<zp::push::SecondaryNotifier> notifier;
    const int notifyIntervalMs = std::min(cfg.pushNotifyIntervalMs, 60000);
    if (options.catalog && notifyIntervalMs > 0) {
      auto opened = zp::push::SecondaryNotifier::open(
          nameservers.front().ip, {nameservers.begin() + 1, nameservers.end()}, notifyIntervalMs);
      if (opened.ok()) {
        notifier = std::move(opened.value());
        notifier->observe(&pushMetrics);
        options.notifier = notifier.get();
        spdlog::info(
            "NOTIFYing the secondaries from {} at once after a quiet spell, then at most every "
            "{} ms per zone (push.notify_interval_ms)",
            nameservers.front().ip, notifyIntervalMs);
      } else {
        spdlog::info("named NOTIFYs the secondaries after every change: {}", opened.error().detail);
      }
    }
    zp::push::Pusher pusher(publisher, rndc, options);
    spdlog::info(
        "publishing zone files in {} and loading them through named's control channel ({})",
        publisher.zoneDir(), cfg.rndcConfig);
    for (const auto& ns : nameservers) {
      spdlog::info("watching the SOA serials nameserver {} serves at {} port {}", ns.name, ns.ip,
                   ns.port);
    }
    if (options.catalog) {
      spdlog::info("secondaries follow the catalog zone {}", zp::push::kCatalogZone);
    }
    zmq::context_t ctx;
    zp::push::runPusher(ctx,
                        {cfg.pushEndpoint, cfg.pushStatus, &status, &pushMetrics, notifier.get()},
                        pusher, stop);
  } catch (const std::invalid_argument& e) {
    spdlog::error("bad configuration: {}", e.what());
    return 100;
  } catch (const std::exception& e) {
    spdlog::error("pusher stopped: {}", e.what());
    return 111;
  }
  spdlog::info("pusher stopped cleanly");
  return 0;
}
