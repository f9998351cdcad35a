#pragma once
// One process's Prometheus metrics (prometheus-cpp): the registry every stage
// registers its families in, the process_* metrics of the process
// (process_collector.h), and, when configured, an HTTP endpoint serving them
// in the text exposition format at http://ADDRESS:PORT/metrics.
//
// Names follow https://prometheus.io/docs/practices/naming/: the prefix
// `zonepipe_<program>_`, base units (`_seconds`, `_bytes`), `_total` for
// counters. Families live in each stage (e.g. pipelines/store/store_metrics.h);
// this module only owns the registry and the endpoint.
//
// Threads: counters and gauges are atomics and histograms take a per-series
// mutex of their own, so any thread may update them without touching a lock of
// ours; `Family::Add` takes the family's mutex, so stages look their series up
// once and keep the reference where they can. The endpoint answers scrapes on
// prometheus-cpp's own (civetweb) threads.

#include <memory>
#include <string>

#include "common/util/result.h"

namespace prometheus {
class Collectable;
class Exposer;
class Registry;
}  // namespace prometheus

namespace zp::metrics {

// The address a program (instance `instance` of it) serves its metrics on:
// `configured` is "ADDRESS:PORT" from the config (`metrics.<program>`); "" or
// "0" means no endpoint (returned as ""). Instance i > 0 of a program that runs
// in copies (validator, renderer) listens on PORT + i, so one config file
// serves every copy. A malformed value or a port past 65535 is an Error of
// kind kValidation naming `key`.
Result<std::string> listenAddress(const std::string& key, const std::string& configured,
                                  size_t instance = 0);

class Metrics {
 public:
  // `program` ("store", "api", ...) is the `program` label of zonepipe_build_info.
  explicit Metrics(std::string program);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Starts serving /metrics on `listen` ("ADDRESS:PORT", from listenAddress;
  // "" does nothing). A port that cannot be bound is an Error (kUnavailable)
  // saying what to change. Call once, before the work starts.
  Status serve(const std::string& listen);
  // "http://ADDRESS:PORT/metrics", or "" when not serving.
  const std::string& url() const { return url_; }

  prometheus::Registry& registry() { return *registry_; }

 private:
  std::string program_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<prometheus::Collectable> process_;  // process_* (no zonepipe_ prefix)
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::string url_;
};

}  // namespace zp::metrics
