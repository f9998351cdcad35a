#include "common/deploy/status_client.h"

#include <atomic>

#include "common/bus/frame.h"
#include "common/bus/socket.h"
#include "schema/pipeline.capnp.h"

namespace zp::deploy {
namespace {

std::atomic<uint64_t> nextRequestId{1};

Error unavailable(std::string detail) { return {ErrorKind::kUnavailable, "", std::move(detail)}; }

}  // namespace

PushStatus decodeStatus(schema::StatusReply::Reader reply) {
  PushStatus s;
  s.known = reply.getKnown();
  s.deployedSerial = reply.getDeployedSerial();
  s.wantedSerial = reply.getWantedSerial();
  for (auto n : reply.getNameservers()) {
    s.nameservers.push_back({n.getName(), n.getAddress(), n.getAnswered(), n.getSerial(),
                             n.getInSync(), n.getDetail()});
  }
  s.lastError = reply.getLastError();
  s.reloads = reply.getReloads();
  s.totalReloads = reply.getTotalReloads();
  return s;
}

Result<PushStatus> queryPushStatus(zmq::socket_t& dealer, const std::string& domain,
                                   std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  const uint64_t requestId = nextRequestId++;
  capnp::MallocMessageBuilder message;
  auto query = message.initRoot<schema::StatusQuery>();
  query.setVersion(schema::PROTOCOL_VERSION);
  query.setRequestId(requestId);
  query.setDomain(domain);
  if (!bus::send(dealer, {}, bus::toFrame(message))) {
    return unavailable("the pusher's status socket is not accepting queries");
  }
  const auto until = Clock::now() + timeout;
  std::vector<zmq_pollitem_t> items = {{dealer.handle(), 0, ZMQ_POLLIN, 0}};
  bus::Multipart in;
  while (true) {
    while (bus::receive(dealer, in)) {
      try {
        bus::Decoded decoded(in.payload);
        auto reply = decoded.root<schema::StatusReply>();
        if (reply.getVersion() != schema::PROTOCOL_VERSION || reply.getRequestId() != requestId) {
          continue;  // a late answer to an earlier query
        }
        return decodeStatus(reply);
      } catch (const std::exception&) {
        continue;  // not a StatusReply: skip it
      }
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    if (left.count() <= 0) {
      return unavailable("the pusher did not answer a status query within " +
                         std::to_string(timeout.count()) + " ms");
    }
    try {
      zmq::poll(items, left);
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
    }
  }
}

Result<PushStatus> queryPushStatus(zmq::context_t& ctx, const std::string& endpoint,
                                   const std::string& domain, std::chrono::milliseconds timeout) {
  auto dealer = bus::connectSocket(ctx, zmq::socket_type::dealer, endpoint);
  return queryPushStatus(dealer, domain, timeout);
}

}  // namespace zp::deploy
