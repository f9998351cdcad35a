#include "pipelines/validate/worker.h"

#include <spdlog/spdlog.h>

#include <cerrno>

#include "common/bus/frame.h"
#include "common/bus/socket.h"
#include "common/schema/codec.h"
#include "pipelines/validate/validator.h"

namespace zp::validate {
namespace {

zmq::message_t errorReply(uint64_t requestId, const Error& error) {
  capnp::MallocMessageBuilder message;
  auto reply = message.initRoot<schema::Reply>();
  reply.setVersion(schema::PROTOCOL_VERSION);
  reply.setRequestId(requestId);
  schema::toSchema(error, reply.getBody().initError());
  return bus::toFrame(message);
}

}  // namespace

void runWorker(zmq::context_t& ctx, const WorkerEndpoints& endpoints,
               const ValidatorOptions& options, const std::atomic<bool>& stop,
               ValidatorMetrics* metrics) {
  auto frontend = bus::bindSocket(ctx, zmq::socket_type::router, endpoints.frontend);
  frontend.set(zmq::sockopt::router_mandatory, 1);
  auto store = bus::connectSocket(ctx, zmq::socket_type::dealer, endpoints.store);
  spdlog::info("validating commands from {} and forwarding them to the store at {}",
               endpoints.frontend, endpoints.store);

  std::vector<zmq_pollitem_t> items = {{frontend.handle(), 0, ZMQ_POLLIN, 0},
                                       {store.handle(), 0, ZMQ_POLLIN, 0}};
  bus::Multipart in;
  while (!stop.load()) {
    try {
      zmq::poll(items, std::chrono::milliseconds(200));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;  // a signal: the loop condition decides
      throw;
    }
    // API -> validator: answer errors here, forward the rest.
    for (int n = 0; n < 1024 && bus::receive(frontend, in); ++n) {
      if (in.envelope.empty()) continue;
      uint64_t requestId = 0;
      try {
        bus::Decoded decoded(in.payload);
        auto command = decoded.root<schema::Command>();
        requestId = command.getRequestId();
        if (command.getVersion() != schema::PROTOCOL_VERSION) {
          throw std::runtime_error("protocol version " + std::to_string(command.getVersion()));
        }
        capnp::MallocMessageBuilder message;
        auto out = message.initRoot<schema::Command>();
        if (auto error = translate(command, out, options)) {
          bus::send(frontend, in.envelope, errorReply(requestId, *error));
          if (metrics) metrics->refused(command, *error);
          continue;
        }
        if (!bus::send(store, in.envelope, bus::toFrame(message))) {
          const Error busy{ErrorKind::kUnavailable, "",
                           "the store is not accepting commands right now; try again"};
          bus::send(frontend, in.envelope, errorReply(requestId, busy));
          if (metrics) metrics->refused(command, busy);
        } else if (metrics) {
          metrics->forwarded(command);
        }
      } catch (const zmq::error_t& e) {
        spdlog::warn("could not answer an API instance ({}); it has probably gone away", e.what());
      } catch (const std::exception& e) {
        spdlog::warn("dropped a malformed command from the API: {}", e.what());
        if (metrics) metrics->malformed();
        try {
          bus::send(frontend, in.envelope,
                    errorReply(requestId, {ErrorKind::kInternal, "", "malformed command"}));
        } catch (const zmq::error_t&) {
        }
      }
    }
    // store -> validator: pass replies back along their envelope.
    for (int n = 0; n < 1024 && bus::receive(store, in); ++n) {
      try {
        if (!bus::send(frontend, in.envelope, std::move(in.payload))) {
          spdlog::warn("an API instance is not reading its replies; one reply was dropped");
        }
      } catch (const zmq::error_t& e) {
        spdlog::warn("a reply could not be delivered ({}); the API instance has gone away",
                     e.what());
      }
    }
  }
}

}  // namespace zp::validate
