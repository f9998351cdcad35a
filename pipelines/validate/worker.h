#pragma once
// The validator's socket loop. One instance binds a ROUTER for the API and
// connects a DEALER to the store; it answers invalid commands itself and
// forwards valid ones with their routing envelope, so the store's reply finds
// its way back to the API instance that asked. Asynchronous: it never waits for
// the store, so one instance keeps many commands in flight.

#include <atomic>
#include <string>
#include <zmq.hpp>

#include "pipelines/validate/validator.h"
#include "pipelines/validate/validator_metrics.h"

namespace zp::validate {

struct WorkerEndpoints {
  std::string frontend;  // bound: the API's DEALERs connect here
  std::string store;     // connected: the store's command ROUTER
};

// Runs until `stop` becomes true, checking commands under `options`. Throws
// on socket setup failure. `metrics`, when given, counts what it does.
void runWorker(zmq::context_t& ctx, const WorkerEndpoints& endpoints,
               const ValidatorOptions& options, const std::atomic<bool>& stop,
               ValidatorMetrics* metrics = nullptr);

}  // namespace zp::validate
