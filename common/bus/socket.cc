#include "common/bus/socket.h"

#include <filesystem>
#include <stdexcept>

namespace zp::bus {
namespace {

void apply(zmq::socket_t& s, const SocketOptions& o) {
  s.set(zmq::sockopt::linger, 0);
  s.set(zmq::sockopt::sndhwm, o.sendHwm);
  s.set(zmq::sockopt::rcvhwm, o.receiveHwm);
  s.set(zmq::sockopt::heartbeat_ivl, o.heartbeatMs);
  s.set(zmq::sockopt::heartbeat_timeout, o.heartbeatMs * 3);
  if (o.immediate) s.set(zmq::sockopt::immediate, 1);
}

}  // namespace

zmq::socket_t bindSocket(zmq::context_t& ctx, zmq::socket_type type, const std::string& endpoint,
                         const SocketOptions& options) {
  zmq::socket_t s(ctx, type);
  apply(s, options);
  if (endpoint.rfind("ipc://", 0) == 0) {
    const std::filesystem::path path(endpoint.substr(6));
    if (path.string().size() > 107) {
      throw std::runtime_error("ipc path " + path.string() +
                               " is longer than 107 characters; set a shorter ZONEPIPE_HOME or "
                               "use tcp:// endpoints in the config");
    }
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  }
  try {
    s.bind(endpoint);
  } catch (const zmq::error_t& e) {
    throw std::runtime_error("cannot bind " + endpoint + ": " + e.what() +
                             " (is another copy already running, or the address taken?)");
  }
  return s;
}

zmq::socket_t connectSocket(zmq::context_t& ctx, zmq::socket_type type, const std::string& endpoint,
                            const SocketOptions& options) {
  zmq::socket_t s(ctx, type);
  apply(s, options);
  try {
    s.connect(endpoint);
  } catch (const zmq::error_t& e) {
    throw std::runtime_error("cannot connect to " + endpoint + ": " + e.what() +
                             " (check the endpoint in the config)");
  }
  return s;
}

}  // namespace zp::bus
