#include "pipelines/push/worker.h"

#include <spdlog/spdlog.h>

#include <cerrno>

#include "common/bus/frame.h"
#include "common/bus/socket.h"
#include "schema/pipeline.capnp.h"

namespace zp::push {
namespace {

zmq::message_t ackFrame(const std::string& domain, uint64_t serial, const DeployResult& result) {
  capnp::MallocMessageBuilder message;
  auto ack = message.initRoot<schema::DeployAck>();
  ack.setVersion(schema::PROTOCOL_VERSION);
  ack.setDomain(domain);
  ack.setSerial(serial);
  ack.setOk(result.ok);
  ack.setDetail(result.detail);
  return bus::toFrame(message);
}

}  // namespace

void runPusher(zmq::context_t& ctx, const std::string& endpoint, Pusher& pusher,
               const std::atomic<bool>& stop) {
  auto socket = bus::bindSocket(ctx, zmq::socket_type::router, endpoint);
  socket.set(zmq::sockopt::router_mandatory, 1);
  spdlog::info("accepting deploys at {}", endpoint);
  std::vector<zmq_pollitem_t> items = {{socket.handle(), 0, ZMQ_POLLIN, 0}};
  bus::Multipart in;
  while (!stop.load()) {
    try {
      zmq::poll(items, std::chrono::milliseconds(200));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
      continue;  // a signal (SIGTERM: the loop condition sees it)
    }
    for (int n = 0; n < 256 && !stop.load() && bus::receive(socket, in); ++n) {
      if (in.envelope.empty()) continue;
      std::string domain;
      uint64_t serial = 0;
      DeployResult result;
      try {
        bus::Decoded decoded(in.payload);
        auto deploy = decoded.root<schema::Deploy>();
        domain = deploy.getDomain();
        serial = deploy.getSerial();
        if (deploy.getVersion() != schema::PROTOCOL_VERSION) {
          result = {false, "the pusher speaks protocol version " +
                               std::to_string(schema::PROTOCOL_VERSION) + ", not " +
                               std::to_string(deploy.getVersion()) + "; upgrade both together"};
        } else {
          DeployRequest request{domain, serial, std::nullopt};
          if (deploy.getBody().isZoneFile()) request.zoneFile = deploy.getBody().getZoneFile();
          result = pusher.deploy(request);
        }
      } catch (const std::system_error& e) {
        spdlog::error(
            "cannot publish {} serial {}: {}; check the disk space and permissions of "
            "the zone directory",
            domain, serial, e.what());
        result = {false, std::string("the pusher cannot write its zone files: ") + e.what()};
      } catch (const std::exception& e) {
        spdlog::warn("dropped a malformed deploy ({})", e.what());
        continue;  // nothing to acknowledge: the renderer's ack timeout retries
      }
      try {
        if (!bus::send(socket, in.envelope, ackFrame(domain, serial, result))) {
          spdlog::warn("could not acknowledge {} serial {}: the renderer is not reading", domain,
                       serial);
        }
      } catch (const zmq::error_t& e) {
        spdlog::warn(
            "could not acknowledge {} serial {} ({}); the renderer has gone away and "
            "will send it again",
            domain, serial, e.what());
      }
    }
  }
}

}  // namespace zp::push
