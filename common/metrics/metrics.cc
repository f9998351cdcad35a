#include "common/metrics/metrics.h"

#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <charconv>

#include "common/metrics/process_collector.h"

namespace zp::metrics {

Result<std::string> listenAddress(const std::string& key, const std::string& configured,
                                  size_t instance) {
  if (configured.empty() || configured == "0") return std::string();
  const auto colon = configured.rfind(':');
  const std::string host = colon == std::string::npos ? "" : configured.substr(0, colon);
  unsigned port = 0;
  const char* first = configured.data() + (colon == std::string::npos ? 0 : colon + 1);
  const char* last = configured.data() + configured.size();
  auto [end, ec] = std::from_chars(first, last, port);
  if (host.empty() || ec != std::errc() || end != last || port > 65535 || port + instance > 65535) {
    return Error::validation(key, key + " = `" + configured +
                                      "` is not ADDRESS:PORT (e.g. 127.0.0.1:9461), 0 or empty; "
                                      "instance " +
                                      std::to_string(instance) + " listens on PORT + " +
                                      std::to_string(instance) + ", which must stay below 65536");
  }
  if (port == 0) return host + ":0";  // any free port (tests)
  return host + ":" + std::to_string(port + instance);
}

Metrics::Metrics(std::string program)
    : program_(std::move(program)),
      registry_(std::make_shared<prometheus::Registry>()),
      process_(std::make_shared<ProcessCollector>()) {
  prometheus::BuildGauge()
      .Name("zonepipe_build_info")
      .Help("Always 1; the labels say which zonepipe program this is.")
      .Register(*registry_)
      .Add({{"program", program_}})
      .Set(1);
}

Metrics::~Metrics() = default;

Status Metrics::serve(const std::string& listen) {
  if (listen.empty()) return std::nullopt;
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(listen, 1);
  } catch (const std::exception& e) {
    return Error{ErrorKind::kUnavailable, "",
                 "cannot serve metrics on " + listen + " (" + e.what() +
                     "): is the port taken? Set metrics." + program_ +
                     " to a free ADDRESS:PORT, or to 0 to serve no metrics"};
  }
  exposer_->RegisterCollectable(registry_);
  exposer_->RegisterCollectable(process_);  // both are held here: the exposer keeps weak_ptrs
  const auto ports = exposer_->GetListeningPorts();
  const std::string host = listen.substr(0, listen.rfind(':'));
  url_ = "http://" + host + ":" +
         (ports.empty() ? listen.substr(listen.rfind(':') + 1) : std::to_string(ports.front())) +
         "/metrics";
  return std::nullopt;
}

}  // namespace zp::metrics
