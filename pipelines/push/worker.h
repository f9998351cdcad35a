#pragma once
// The pusher's socket loop: a ROUTER bound at the push endpoint receives
// Deploy messages and answers each with a DeployAck on the same envelope; a
// second ROUTER (the status endpoint, optional) answers StatusQuery with a
// StatusReply from the StatusBook, whose SOA queries run in the same loop.

#include <atomic>
#include <string>
#include <zmq.hpp>

#include "pipelines/push/publisher.h"
#include "pipelines/push/pusher.h"
#include "pipelines/push/status.h"

namespace zp::push {

struct PushLoop {
  std::string endpoint;                   // Deploy in, DeployAck out
  std::string statusEndpoint;             // StatusQuery in; empty: no status socket
  StatusBook* status = nullptr;           // required with a status endpoint
  PushMetrics* metrics = nullptr;         // counts deploys when set; must outlive the loop
  SecondaryNotifier* notifier = nullptr;  // sends the paced NOTIFYs when set
};

// Runs until `stop` becomes true. Throws when an endpoint cannot be bound.
void runPusher(zmq::context_t& ctx, const PushLoop& loop, Pusher& pusher,
               const std::atomic<bool>& stop);
// Deploys only (no status socket).
void runPusher(zmq::context_t& ctx, const std::string& endpoint, Pusher& pusher,
               const std::atomic<bool>& stop);

}  // namespace zp::push
