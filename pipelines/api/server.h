#pragma once
// The HTTP front end: Pistache routes under /api/v1 turned into commands (to
// the validator) and queries (to the store) through a BusClient. Handlers
// never block: each request's ResponseWriter travels with its continuation
// and is completed on the BusClient thread. Routes come from routes.h's table:
// every request on a served route is authenticated (bearer token, cached
// 500 ms) before anything else about it is checked, except GET
// /api/v1/openapi.json (public); any other method on a known path answers 405
// with `Allow` before authentication, an unknown path 404.
//
// Files: this is the HTTP plumbing only (Pistache, routing, exchanges,
// draining). The handlers live per resource without Pistache types
// (zones_handler.h, records_handler.h, tokens_handler.h, account_site.h) and
// reach the pipeline through pipeline_calls.h; request_gate.h authenticates.
//
// Ownership: the server borrows the BusClient, which must outlive it. Pistache
// headers stay in server.cc (they leak macros). Thread-safe: start/drain/
// shutdown from one controlling thread; handlers run on cfg.apiThreads
// reactor threads. Nothing a client sends can produce a 500: errors map
// through errors.h, unexpected exceptions become 503 unavailable.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/config/config.h"
#include "common/util/result.h"
#include "pipelines/api/bus_client.h"
#include "pipelines/api/http_metrics.h"

namespace zp::api {

// One (method, path) the server handed to Pistache's router.
struct RegisteredRoute {
  std::string method;   // "GET"
  std::string pattern;  // Pistache form: "/api/v1/dns-zones/:uuid/"
  bool served;          // false: answered 405 method_not_allowed
};

class ApiServer {
 public:
  // `metrics`, when given, counts every answered request (http_metrics.h); it
  // must outlive the server.
  ApiServer(const config::Config& cfg, BusClient& bus, HttpMetrics* metrics = nullptr);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Listens on cfg.apiAddress:cfg.apiPort and serves in the background. An
  // address already in use is an Error (kUnavailable) saying what to change;
  // other failures throw.
  Status start();
  // The port actually bound (differs from the config when it asked for 0).
  uint16_t port() const;

  // Every route registered with the router (built from routes.h's kRoutes in
  // the constructor), so tests can compare it with the OpenAPI document.
  const std::vector<RegisteredRoute>& registeredRoutes() const;

  // From now on new requests get 503 unavailable; then waits until the
  // requests in flight are answered or `cap` passes. True when idle.
  bool drain(std::chrono::milliseconds cap);
  int inFlight() const;

  // Stops listening. Stop the BusClient before, so nothing is left pending.
  void shutdown();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace zp::api
