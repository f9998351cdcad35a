#pragma once
// The API's Prometheus metrics (common/metrics/metrics.h), counted in ONE
// place: where server.cc answers a request (Exchange::send).
//   zonepipe_api_requests_total{method, route, status}  answered requests
//   zonepipe_api_request_duration_seconds{method, route}  from the request
//       reaching our handler to the answer being handed to Pistache
// `route` is the route's template from routes.h (`/api/v1/dns-zones/{uuid}/`)
// or the account page's (`/account/zones/{uuid}/`), "unmatched" for any
// other path, so a label's values stay few whatever clients send; `method` is
// one of routes.h's methods or "other".
// Thread-safe: called from the reactor and BusClient threads (the families'
// own mutexes only; no lock of the server's is held).

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>
#include <string_view>

namespace zp::api {

// The route template `path` matches (empty segments ignored, as Pistache's
// router does), or "unmatched".
std::string routeLabel(std::string_view path);

class HttpMetrics {
 public:
  explicit HttpMetrics(prometheus::Registry& registry);

  // One answered request: `what` is "METHOD /path" (server.cc's log form).
  void answered(std::string_view what, int status, double seconds);

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& duration_;
};

}  // namespace zp::api
