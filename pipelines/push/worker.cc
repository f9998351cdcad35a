#include "pipelines/push/worker.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/bus/frame.h"
#include "common/bus/socket.h"
#include "common/log/context.h"
#include "pipelines/push/zone_file_parts.h"
#include "schema/pipeline.capnp.h"

namespace zp::push {
namespace {

constexpr int64_t kMaintainEveryMs = 1000;

int64_t monoMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

zmq::message_t ackFrame(const std::string& domain, uint64_t serial, const DeployResult& result) {
  capnp::MallocMessageBuilder message;
  auto ack = message.initRoot<schema::DeployAck>();
  ack.setVersion(schema::PROTOCOL_VERSION);
  ack.setDomain(domain);
  ack.setSerial(serial);
  ack.setOk(result.ok);
  ack.setDetail(result.detail);
  ack.setNeedFull(result.needFull);
  return bus::toFrame(message);
}

zmq::message_t statusFrame(uint64_t requestId, const std::string& domain, const StatusBook& book) {
  const ZoneView view = book.view(domain);
  capnp::MallocMessageBuilder message;
  auto reply = message.initRoot<schema::StatusReply>();
  reply.setVersion(schema::PROTOCOL_VERSION);
  reply.setRequestId(requestId);
  reply.setDomain(domain);
  reply.setKnown(view.known);
  reply.setDeployedSerial(view.deployedSerial);
  reply.setWantedSerial(view.wantedSerial);
  auto list = reply.initNameservers(static_cast<unsigned>(view.nameservers.size()));
  for (unsigned i = 0; i < list.size(); ++i) {
    const NameserverView& n = view.nameservers[i];
    list[i].setName(n.server.name);
    list[i].setAddress(n.server.address);
    list[i].setAnswered(n.answered);
    list[i].setSerial(n.serial);
    list[i].setInSync(n.inSync);
    list[i].setDetail(n.detail);
  }
  reply.setLastError(view.lastError);
  reply.setReloads(view.reloads);
  reply.setTotalReloads(book.totalReloads());
  return bus::toFrame(message);
}

std::string senderOf(const bus::Multipart& in) {
  std::string id;
  for (const auto& frame : in.envelope) id.append(frame.to_string_view()).push_back('\0');
  return id;
}

// A deploy received and decoded, waiting for the batch's turn.
struct Received {
  bus::Multipart in;  // its envelope says whom to acknowledge
  DeployRequest request;
  const char* kind = "removal";
  std::chrono::steady_clock::time_point started;
};

void acknowledge(zmq::socket_t& socket, const bus::Multipart& in, const std::string& domain,
                 uint64_t serial, const DeployResult& result) {
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

// Decodes one deploy into `batch`. A protocol mismatch is acknowledged as a
// failure at once; a refusal note, a piece of a bigger zone file or a
// malformed frame needs no acknowledgement.
void receiveDeploy(zmq::socket_t& socket, bus::Multipart& in, Pusher& pusher, ZoneFileParts& parts,
                   PushMetrics* metrics, std::vector<Received>& batch) {
  Received r;
  r.started = std::chrono::steady_clock::now();
  try {
    bus::Decoded decoded(in.payload);
    auto deploy = decoded.root<schema::Deploy>();
    const std::string domain = deploy.getDomain();
    const uint64_t serial = deploy.getSerial();
    if (deploy.getVersion() != schema::PROTOCOL_VERSION) {
      acknowledge(
          socket, in, domain, serial,
          {false, "the pusher speaks protocol version " + std::to_string(schema::PROTOCOL_VERSION) +
                      ", not " + std::to_string(deploy.getVersion()) + "; upgrade both together"});
      return;
    }
    if (deploy.getBody().isRefused()) {
      const log::LogContext context{{"zone", domain}, {"serial", std::to_string(serial)}};
      pusher.refused(domain, serial, deploy.getBody().getRefused());
      return;  // a note, not a deploy: nobody waits for an ack
    }
    r.request = DeployRequest{domain, serial, std::nullopt, deploy.getCommittedAt()};
    if (deploy.getBody().isZoneFile()) {
      r.request.zoneFile = deploy.getBody().getZoneFile();
      r.kind = "zone_file";
    }
    if (deploy.getBody().isZoneFilePart()) {
      auto piece = deploy.getBody().getZoneFilePart();
      r.request.zoneFile = parts.add(senderOf(in), domain, serial, deploy.getPart(),
                                     deploy.getLastPart(), {piece.begin(), piece.size()});
      if (!r.request.zoneFile) return;  // more pieces to come (or dropped: no ack, a resend)
      r.kind = "zone_file";
    }
    r.request.audit = deploy.getAudit();
    r.request.soaSerial = deploy.getSoaSerial();
    if (deploy.getBody().isDelta()) {
      r.kind = "delta";
      auto delta = deploy.getBody().getDelta();
      DeltaChange change;
      change.soa = delta.getSoa();
      change.ops.reserve(delta.getOps().size());
      for (auto op : delta.getOps()) change.ops.push_back({op.getAdd(), op.getRr()});
      r.request.delta = std::move(change);
    }
  } catch (const std::exception& e) {
    spdlog::warn("dropped a malformed deploy ({})", e.what());
    if (metrics) metrics->malformed("deploy");
    return;  // nothing to acknowledge: the renderer's ack timeout retries
  }
  r.in = std::move(in);
  batch.push_back(std::move(r));
}

// Deploys the batch (Pusher::deployAll), acknowledging each as soon as its
// result is known: a slow whole-zone load late in the batch does not hold
// back the acks of the deploys before it.
void deployBatch(zmq::socket_t& socket, Pusher& pusher, PushMetrics* metrics,
                 std::vector<Received>& batch) {
  if (batch.empty()) return;
  std::vector<DeployRequest> requests;
  requests.reserve(batch.size());
  for (auto& r : batch) requests.push_back(std::move(r.request));
  std::vector<bool> acked(batch.size(), false);
  auto ack = [&](size_t i, const DeployResult& result) {
    if (metrics) {
      metrics->deploy(
          batch[i].kind, result.ok,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - batch[i].started)
              .count());
    }
    acknowledge(socket, batch[i].in, requests[i].domain, requests[i].serial, result);
    acked[i] = true;
  };
  try {
    pusher.deployAll(requests, ack);
  } catch (const std::system_error& e) {
    spdlog::error(
        "cannot publish {} deploy(s) starting with {} serial {}: {}; check the disk space and "
        "permissions of the zone directory",
        requests.size(), requests.front().domain, requests.front().serial, e.what());
    const DeployResult failed{false,
                              std::string("the pusher cannot write its zone files: ") + e.what()};
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!acked[i]) ack(i, failed);
    }
  }
  batch.clear();
}

void handleStatus(zmq::socket_t& socket, bus::Multipart& in, const PushLoop& loop) {
  zmq::message_t frame;
  try {
    bus::Decoded decoded(in.payload);
    auto query = decoded.root<schema::StatusQuery>();
    if (query.getVersion() != schema::PROTOCOL_VERSION) {
      spdlog::warn("dropped a status query of protocol version {}; upgrade both together",
                   query.getVersion());
      return;
    }
    frame = statusFrame(query.getRequestId(), query.getDomain(), *loop.status);
  } catch (const std::exception& e) {
    spdlog::warn("dropped a malformed status query ({})", e.what());
    if (loop.metrics) loop.metrics->malformed("status");
    return;
  }
  try {
    if (!bus::send(socket, in.envelope, std::move(frame))) {
      spdlog::debug("a status client is not reading its answers");
    }
  } catch (const zmq::error_t& e) {
    spdlog::debug("a status client went away ({})", e.what());
  }
}

}  // namespace

void runPusher(zmq::context_t& ctx, const PushLoop& loop, Pusher& pusher,
               const std::atomic<bool>& stop) {
  if (!loop.statusEndpoint.empty() && loop.status == nullptr) {
    throw std::logic_error("runPusher: a status endpoint needs a StatusBook");
  }
  auto socket = bus::bindSocket(ctx, zmq::socket_type::router, loop.endpoint);
  socket.set(zmq::sockopt::router_mandatory, 1);
  spdlog::info("accepting deploys at {}", loop.endpoint);
  std::optional<zmq::socket_t> statusSocket;
  if (!loop.statusEndpoint.empty()) {
    statusSocket = bus::bindSocket(ctx, zmq::socket_type::router, loop.statusEndpoint);
    statusSocket->set(zmq::sockopt::router_mandatory, 1);
    spdlog::info("answering status queries at {}", loop.statusEndpoint);
  }
  std::vector<zmq_pollitem_t> items = {{socket.handle(), 0, ZMQ_POLLIN, 0}};
  if (statusSocket) items.push_back({statusSocket->handle(), 0, ZMQ_POLLIN, 0});
  if (loop.status) items.push_back({nullptr, loop.status->fd(), ZMQ_POLLIN, 0});
  int64_t lastMaintain = 0;
  int64_t lastFailedMaintain = -kMaintainEveryMs;
  bus::Multipart in;
  ZoneFileParts parts;
  std::vector<Received> batch;
  while (!stop.load()) {
    int64_t wait = 200;
    if (loop.status) wait = std::min(wait, loop.status->nextDueIn(monoMs()));
    if (loop.notifier) wait = loop.notifier->nextDueIn(monoMs(), wait);
    try {
      zmq::poll(items, std::chrono::milliseconds(wait));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
      continue;  // a signal (SIGTERM: the loop condition sees it)
    }
    // Everything waiting goes as one batch: deltas to different zones reach
    // named together (Pusher::deployAll).
    int deploys = 0;
    for (; deploys < 256 && !stop.load() && bus::receive(socket, in); ++deploys) {
      if (!in.envelope.empty()) receiveDeploy(socket, in, pusher, parts, loop.metrics, batch);
    }
    deployBatch(socket, pusher, loop.metrics, batch);
    if (loop.notifier) loop.notifier->poll(monoMs());  // trailing NOTIFYs due
    if (loop.status) loop.status->poll(monoMs());      // log served serials as they come
    for (int n = 0; statusSocket && n < 256 && bus::receive(*statusSocket, in); ++n) {
      if (!in.envelope.empty()) handleStatus(*statusSocket, in, loop);
    }
    if (deploys > 0) {
      try {
        pusher.flush();
      } catch (const std::system_error& e) {
        spdlog::error("cannot sync the zone directory: {}; check the disk", e.what());
      }
    }
    const int64_t now = monoMs();
    // Catalog changes of this batch go out together (one UPDATE), at once;
    // a failed one is retried every second.
    if ((deploys > 0 && pusher.catalogPending() && now - lastFailedMaintain >= kMaintainEveryMs) ||
        now - lastMaintain >= kMaintainEveryMs) {
      lastMaintain = now;
      if (loop.status) loop.status->publishCounts();
      try {
        if (!pusher.maintain().ok) lastFailedMaintain = now;  // logs its own failure
      } catch (const std::system_error& e) {
        spdlog::error("cannot write the catalog zone: {}; check the zone directory", e.what());
      }
    }
    if (loop.status) {
      loop.status->poll(monoMs());
      pusher.renotify(loop.status->takeRenotify());  // secondaries that missed a NOTIFY
    }
  }
}

void runPusher(zmq::context_t& ctx, const std::string& endpoint, Pusher& pusher,
               const std::atomic<bool>& stop) {
  runPusher(ctx, PushLoop{endpoint, {}, nullptr}, pusher, stop);
}

}  // namespace zp::push
