#pragma once
// Creating sockets with the options every zonepipe socket needs: linger 0,
// explicit high-water marks, heartbeats, and a clear error when an endpoint
// cannot be bound.

#include <string>
#include <zmq.hpp>

namespace zp::bus {

struct SocketOptions {
  int sendHwm = 100000;
  int receiveHwm = 100000;
  int heartbeatMs = 1000;  // ZMTP heartbeat interval; peer declared dead after 3x
  bool immediate = false;  // DEALER/PUSH: queue only to completed connections
};

// Binds, creating the directory of an ipc:// path. Throws std::runtime_error
// naming the endpoint and what to do when it cannot bind.
zmq::socket_t bindSocket(zmq::context_t& ctx, zmq::socket_type type, const std::string& endpoint,
                         const SocketOptions& options = {});
zmq::socket_t connectSocket(zmq::context_t& ctx, zmq::socket_type type, const std::string& endpoint,
                            const SocketOptions& options = {});

}  // namespace zp::bus
