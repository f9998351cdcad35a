#include "pipelines/store/server.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "common/bus/frame.h"
#include "common/bus/socket.h"

namespace zp::store {
namespace {

zmq::message_t frameOf(const kj::Array<capnp::word>& words) {
  auto bytes = words.asBytes();
  return zmq::message_t(bytes.begin(), bytes.size());
}

// True when `socket` has input within `timeout`; a signal interrupting the
// wait counts as no input so the caller re-checks its stop flag.
bool waitForInput(zmq::socket_t& socket, std::chrono::milliseconds timeout) {
  std::vector<zmq_pollitem_t> items{{socket.handle(), 0, ZMQ_POLLIN, 0}};
  try {
    zmq::poll(items, timeout);
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return false;
    throw;
  }
  return (items[0].revents & ZMQ_POLLIN) != 0;
}

}  // namespace

Server::Server(zmq::context_t& ctx, Store& store, const ServerEndpoints& endpoints,
               ServerOptions options)
    : store_(store),
      options_(options),
      commands_(bus::bindSocket(ctx, zmq::socket_type::router, endpoints.commands)),
      query_(bus::bindSocket(ctx, zmq::socket_type::router, endpoints.query)),
      events_(bus::bindSocket(ctx, zmq::socket_type::pub, endpoints.events)) {
  if (options_.batchMax < 1) options_.batchMax = 1;
  if (options_.metrics) options_.metrics->state(store_);
}

Server::~Server() = default;

void Server::run(const std::atomic<bool>& stop) {
  std::exception_ptr queryFailure;
  std::atomic<bool> stopQueries{false};
  std::atomic<bool> queriesDead{false};
  std::thread queries([&] {
    try {
      queryLoop(stopQueries);
    } catch (...) {
      queryFailure = std::current_exception();
      queriesDead = true;  // stop writing too: the process exits and gets restarted whole
    }
  });
  struct Join {
    std::atomic<bool>& stop;
    std::thread& thread;
    ~Join() {
      stop = true;
      thread.join();
    }
  };
  {
    Join join{stopQueries, queries};
    writerLoop([&] { return stop.load() || queriesDead.load(); });
  }
  if (queryFailure) std::rethrow_exception(queryFailure);
}

void Server::writerLoop(const std::function<bool()>& stopped) {
  while (!stopped()) {
    if (waitForInput(commands_, options_.pollInterval)) writeBatch();
  }
}

void Server::writeBatch() {
  const size_t max = static_cast<size_t>(options_.batchMax);
  std::vector<bus::Multipart> frames;
  frames.reserve(std::min<size_t>(max, 64));
  while (frames.size() < max) {
    bus::Multipart m;
    if (!bus::receive(commands_, m)) break;
    frames.push_back(std::move(m));
  }
  std::vector<bus::Decoded> decoded;
  std::vector<schema::Command::Reader> commands;
  std::vector<size_t> origin;  // frames index of each command
  decoded.reserve(frames.size());
  commands.reserve(frames.size());
  origin.reserve(frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    try {
      bus::Decoded d(frames[i].payload);
      auto root = d.root<schema::Command>();
      (void)root.getRequestId();
      decoded.push_back(std::move(d));
      commands.push_back(decoded.back().root<schema::Command>());
      origin.push_back(i);
    } catch (const std::exception& e) {
      spdlog::warn("dropped a command frame that is not a Command message ({} bytes): {}",
                   frames[i].payload.size(), e.what());
      if (options_.metrics) options_.metrics->malformed("commands");
    }
  }
  if (commands.empty()) return;

  const auto started = std::chrono::steady_clock::now();
  BatchResult result = store_.applyBatch(commands);
  const double commitSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (size_t i = 0; i < result.replies.size(); ++i) {
    if (!bus::send(commands_, frames[origin[i]].envelope, frameOf(result.replies[i]))) {
      spdlog::warn(
          "could not send the reply to request {}: the sender is gone or not reading; "
          "the change itself is committed",
          commands[i].getRequestId());
    }
  }
  for (const auto& event : result.events) {
    zmq::message_t frame = frameOf(event);
    if (!events_.send(frame, zmq::send_flags::dontwait)) {
      spdlog::warn("could not publish an event; subscribers catch up through logSince");
    }
  }
  // Counted after the replies left, so metrics never delay a 201.
  if (options_.metrics) {
    options_.metrics->batch(commands, result, commitSeconds);
    options_.metrics->state(store_);
  }
  spdlog::debug("batch of {} command(s) committed, {} event(s), last seq {}", commands.size(),
                result.events.size(), store_.lastSeq());
}

void Server::queryLoop(const std::atomic<bool>& stop) {
  ReadSession session = store_.newReadSession();
  constexpr int kDrainMax = 256;
  while (!stop.load(std::memory_order_relaxed)) {
    if (!waitForInput(query_, options_.pollInterval)) continue;
    for (int n = 0; n < kDrainMax; ++n) {
      bus::Multipart m;
      if (!bus::receive(query_, m)) break;
      capnp::MallocMessageBuilder reply;
      try {
        bus::Decoded d(m.payload);
        store_.query(session, d.root<schema::Query>(), reply);
        if (options_.metrics) options_.metrics->query(d.root<schema::Query>());
      } catch (const std::exception& e) {
        spdlog::warn("dropped a query frame that is not a Query message ({} bytes): {}",
                     m.payload.size(), e.what());
        if (options_.metrics) options_.metrics->malformed("query");
        continue;
      }
      const size_t words = capnp::computeSerializedSizeInWords(reply);
      zmq::message_t frame(words * sizeof(capnp::word));
      kj::ArrayOutputStream stream(
          kj::arrayPtr(static_cast<kj::byte*>(frame.data()), frame.size()));
      capnp::writeMessage(stream, reply);
      if (!bus::send(query_, m.envelope, std::move(frame))) {
        spdlog::warn("could not send a query reply: the asker is gone or not reading");
      }
    }
  }
}

}  // namespace zp::store
