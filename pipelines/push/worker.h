#pragma once
// The pusher's socket loop: a ROUTER bound at the push endpoint receives
// Deploy messages and answers each with a DeployAck on the same envelope.

#include <atomic>
#include <string>
#include <zmq.hpp>

#include "pipelines/push/pusher.h"

namespace zp::push {

// Runs until `stop` becomes true. Throws when the endpoint cannot be bound.
void runPusher(zmq::context_t& ctx, const std::string& endpoint, Pusher& pusher,
               const std::atomic<bool>& stop);

}  // namespace zp::push
