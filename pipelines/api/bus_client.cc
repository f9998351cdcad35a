#include "pipelines/api/bus_client.h"

#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "common/bus/frame.h"
#include "common/bus/socket.h"
#include "common/schema/codec.h"

namespace zp::api {
namespace {

constexpr int kReceiveBurst = 1024;  // replies handled per socket per wake-up

}  // namespace

BusClient::BusClient(zmq::context_t& ctx, const BusOptions& options) : options_(options) {
  if (options_.validatorEndpoints.empty()) {
    throw std::runtime_error("no validator endpoint configured; set validator.endpoints");
  }
  if (options_.storeQuery.empty()) {
    throw std::runtime_error("no store query endpoint configured; set store.query");
  }
  bus::SocketOptions socketOptions;
  socketOptions.immediate = true;
  commands_ = bus::connectSocket(ctx, zmq::socket_type::dealer, options_.validatorEndpoints[0],
                                 socketOptions);
  for (size_t i = 1; i < options_.validatorEndpoints.size(); ++i) {
    try {
      commands_.connect(options_.validatorEndpoints[i]);
    } catch (const zmq::error_t& e) {
      throw std::runtime_error("cannot connect to " + options_.validatorEndpoints[i] + ": " +
                               e.what() + " (check validator.endpoints in the config)");
    }
  }
  queries_ = bus::connectSocket(ctx, zmq::socket_type::dealer, options_.storeQuery, socketOptions);
  if (!options_.pushStatus.empty()) {
    status_ = bus::connectSocket(ctx, zmq::socket_type::dealer, options_.pushStatus, socketOptions);
  }
  if (!options_.storeEvents.empty()) {
    events_ = bus::connectSocket(ctx, zmq::socket_type::sub, options_.storeEvents);
    events_.set(zmq::sockopt::subscribe, "");
  }
  wakeFd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wakeFd_ < 0) {
    throw std::runtime_error(std::string("cannot create an eventfd: ") + std::strerror(errno));
  }
  thread_ = std::thread([this] { run(); });
}

BusClient::~BusClient() {
  stop();
  if (wakeFd_ >= 0) ::close(wakeFd_);
}

void BusClient::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  const uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wakeFd_, &one, sizeof(one));
  if (thread_.joinable()) thread_.join();
}

void BusClient::submitCommand(capnp::MessageBuilder& message, ReplyCallback callback) {
  auto command = message.getRoot<schema::Command>();
  const uint64_t id = nextRequestId_.fetch_add(1);
  command.setVersion(schema::PROTOCOL_VERSION);
  command.setRequestId(id);
  submit({id, Stage::kValidator, bus::toFrame(message), std::move(callback), {}, {}});
}

void BusClient::submitQuery(capnp::MessageBuilder& message, ReplyCallback callback) {
  auto query = message.getRoot<schema::Query>();
  const uint64_t id = nextRequestId_.fetch_add(1);
  query.setVersion(schema::PROTOCOL_VERSION);
  query.setRequestId(id);
  submit({id, Stage::kStore, bus::toFrame(message), std::move(callback), {}, {}});
}

void BusClient::submitStatus(const std::string& domain, StatusCallback callback) {
  if (options_.pushStatus.empty()) {
    return invokeStatus(callback, Error{ErrorKind::kUnavailable, "",
                                        "no pusher status endpoint is configured (push.status)"});
  }
  const uint64_t id = nextRequestId_.fetch_add(1);
  capnp::MallocMessageBuilder message;
  auto query = message.initRoot<schema::StatusQuery>();
  query.setVersion(schema::PROTOCOL_VERSION);
  query.setRequestId(id);
  query.setDomain(domain);
  submit({id, Stage::kPusher, bus::toFrame(message), {}, std::move(callback), {}});
}

void BusClient::submit(Outgoing out) {
  const auto timeout = out.stage == Stage::kPusher ? options_.statusTimeout : options_.timeout;
  out.deadline = std::chrono::steady_clock::now() + timeout;
  bool queued = false, wake = false;
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queued = true;
      wake = queue_.empty();
      pendingCount_.fetch_add(1);
      queue_.push_back(std::move(out));
    }
  }
  if (queued) {
    if (wake) {
      const uint64_t one = 1;
      [[maybe_unused]] auto n = ::write(wakeFd_, &one, sizeof(one));
    }
    return;
  }
  Pending refused{out.stage, std::move(out.callback), std::move(out.statusCallback)};
  fail(refused, Error{ErrorKind::kUnavailable, "", "the API is shutting down; try again"});
}

std::string_view BusClient::stageName(Stage stage) {
  switch (stage) {
    case Stage::kValidator:
      return "validator";
    case Stage::kStore:
      return "store";
    case Stage::kPusher:
      return "pusher";
  }
  return "pipeline";
}

void BusClient::invokeStatus(StatusCallback& callback, Result<deploy::PushStatus> result) {
  try {
    callback(std::move(result));
  } catch (const std::exception& e) {
    spdlog::error("a status handler failed: {}; the request may not have been answered", e.what());
  }
}

void BusClient::fail(Pending& pending, const Error& error) {
  if (pending.stage == Stage::kPusher) {
    invokeStatus(pending.statusCallback, error);
  } else {
    invoke(pending.callback, error);
  }
}

void BusClient::invoke(ReplyCallback& callback, Result<schema::Reply::Reader> result) {
  try {
    callback(std::move(result));
  } catch (const std::exception& e) {
    spdlog::error("a reply handler failed: {}; the request may not have been answered", e.what());
  }
}

Error BusClient::timeoutError(Stage stage) const {
  return {ErrorKind::kUnavailable, "",
          "the " + std::string(stageName(stage)) + " did not answer within " +
              std::to_string(options_.timeout.count()) + " ms; try again"};
}

void BusClient::run() {
  std::vector<zmq_pollitem_t> items = {{commands_.handle(), 0, ZMQ_POLLIN, 0},
                                       {queries_.handle(), 0, ZMQ_POLLIN, 0},
                                       {nullptr, wakeFd_, ZMQ_POLLIN, 0}};
  if (status_) items.push_back({status_.handle(), 0, ZMQ_POLLIN, 0});
  if (events_) items.push_back({events_.handle(), 0, ZMQ_POLLIN, 0});
  std::vector<Outgoing> batch;
  while (true) {
    auto wait = std::chrono::milliseconds(1000);
    for (const Deadlines* d : {&deadlines_, &statusDeadlines_}) {
      if (d->empty()) continue;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          d->front().first - std::chrono::steady_clock::now());
      wait = std::clamp(left + std::chrono::milliseconds(1), std::chrono::milliseconds(0), wait);
    }
    try {
      zmq::poll(items, wait);
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
    }
    if (items[2].revents & ZMQ_POLLIN) {
      uint64_t counter = 0;
      [[maybe_unused]] auto n = ::read(wakeFd_, &counter, sizeof(counter));
    }
    bool stopping = false;
    {
      std::lock_guard lock(mutex_);
      batch.swap(queue_);
      stopping = stopping_;
    }
    dispatch(batch);
    batch.clear();
    receive(commands_);
    receive(queries_);
    if (status_) receiveStatus();
    if (events_) receiveEvents();
    const auto now = std::chrono::steady_clock::now();
    expire(deadlines_, now);
    expire(statusDeadlines_, now);
    if (stopping) {
      failAll({ErrorKind::kUnavailable, "", "the API is shutting down; try again"});
      return;
    }
  }
}

void BusClient::dispatch(std::vector<Outgoing>& batch) {
  for (auto& out : batch) {
    zmq::socket_t& socket = out.stage == Stage::kValidator ? commands_
                            : out.stage == Stage::kStore   ? queries_
                                                           : status_;
    bool sent = false;
    try {
      sent = socket.send(out.frame, zmq::send_flags::dontwait).has_value();
    } catch (const zmq::error_t& e) {
      spdlog::error("sending to the {} failed: {}", stageName(out.stage), e.what());
    }
    if (!sent) {
      pendingCount_.fetch_sub(1);
      Pending refused{out.stage, std::move(out.callback), std::move(out.statusCallback)};
      fail(refused, Error{ErrorKind::kUnavailable, "",
                          "the " + std::string(stageName(out.stage)) +
                              " is not reachable right now; try again"});
      continue;
    }
    (out.stage == Stage::kPusher ? statusDeadlines_ : deadlines_)
        .emplace_back(out.deadline, out.requestId);
    pending_.emplace(out.requestId,
                     Pending{out.stage, std::move(out.callback), std::move(out.statusCallback)});
  }
}

void BusClient::receive(zmq::socket_t& socket) {
  bus::Multipart in;
  for (int n = 0; n < kReceiveBurst; ++n) {
    try {
      if (!bus::receive(socket, in)) return;
    } catch (const zmq::error_t& e) {
      spdlog::error("receiving a reply failed: {}", e.what());
      return;
    }
    try {
      bus::Decoded decoded(in.payload);
      auto reply = decoded.root<schema::Reply>();
      if (reply.getVersion() != schema::PROTOCOL_VERSION) {
        spdlog::error(
            "dropped a reply of protocol version {} (this API speaks {}); run the same "
            "zonepipe version in every stage",
            reply.getVersion(), schema::PROTOCOL_VERSION);
        continue;
      }
      // Before anyone is answered: a read after this write must wait for its event.
      if (reply.hasChange()) versions_.acknowledged(reply.getChange().getSeq());
      auto it = pending_.find(reply.getRequestId());
      if (it == pending_.end() || it->second.stage == Stage::kPusher) continue;  // answered
      ReplyCallback callback = std::move(it->second.callback);
      pending_.erase(it);
      pendingCount_.fetch_sub(1);
      if (reply.getBody().isError()) {
        invoke(callback, schema::fromSchema(reply.getBody().getError()));
      } else {
        invoke(callback, reply);
      }
    } catch (const std::exception& e) {
      spdlog::error("dropped a malformed reply from the pipeline: {}", e.what());
    }
  }
}

void BusClient::receiveStatus() {
  bus::Multipart in;
  for (int n = 0; n < kReceiveBurst; ++n) {
    try {
      if (!bus::receive(status_, in)) return;
    } catch (const zmq::error_t& e) {
      spdlog::error("receiving a status reply failed: {}", e.what());
      return;
    }
    try {
      bus::Decoded decoded(in.payload);
      auto reply = decoded.root<schema::StatusReply>();
      if (reply.getVersion() != schema::PROTOCOL_VERSION) {
        spdlog::error(
            "dropped a status reply of protocol version {} (this API speaks {}); run the same "
            "zonepipe version in every stage",
            reply.getVersion(), schema::PROTOCOL_VERSION);
        continue;
      }
      auto it = pending_.find(reply.getRequestId());
      if (it == pending_.end() || it->second.stage != Stage::kPusher) continue;  // answered
      StatusCallback callback = std::move(it->second.statusCallback);
      pending_.erase(it);
      pendingCount_.fetch_sub(1);
      invokeStatus(callback, deploy::decodeStatus(reply));
    } catch (const std::exception& e) {
      spdlog::error("dropped a malformed status reply from the pusher: {}", e.what());
    }
  }
}

// Events only feed the mirror; one that cannot be read starts a new epoch
// (its zone is unknown, so nothing cached may be trusted any more).
void BusClient::receiveEvents() {
  bus::Multipart in;
  for (int n = 0; n < kReceiveBurst; ++n) {
    try {
      if (!bus::receive(events_, in)) return;
    } catch (const zmq::error_t& e) {
      spdlog::error("receiving an event failed: {}", e.what());
      return;
    }
    try {
      bus::Decoded decoded(in.payload);
      auto event = decoded.root<schema::Event>();
      versions_.applyEvent(event.getSeq(), event.getZoneUuid().cStr());
    } catch (const std::exception& e) {
      spdlog::warn(
          "dropped a malformed event from the store ({}); zone reads ask the store until "
          "the next event",
          e.what());
      versions_.reset();
    }
  }
}

void BusClient::expire(Deadlines& deadlines, std::chrono::steady_clock::time_point now) {
  while (!deadlines.empty() && deadlines.front().first <= now) {
    const uint64_t id = deadlines.front().second;
    deadlines.pop_front();
    auto it = pending_.find(id);
    if (it == pending_.end()) continue;  // answered in time
    Pending pending = std::move(it->second);
    const Stage stage = pending.stage;
    pending_.erase(it);
    pendingCount_.fetch_sub(1);
    if (stage == Stage::kPusher) {  // expected while the pusher restarts: the zone still answers
      spdlog::debug("the pusher did not answer a status query within {} ms",
                    options_.statusTimeout.count());
      invokeStatus(pending.statusCallback,
                   Error{ErrorKind::kUnavailable, "",
                         "the pusher did not answer within " +
                             std::to_string(options_.statusTimeout.count()) + " ms"});
      continue;
    }
    if (now - lastTimeoutLog_ > std::chrono::seconds(1)) {
      lastTimeoutLog_ = now;
      spdlog::warn("the {} did not answer within {} ms; clients get 503. Is zonepipe-{} running?",
                   stageName(stage), options_.timeout.count(), stageName(stage));
    }
    invoke(pending.callback, timeoutError(stage));
  }
}

void BusClient::failAll(const Error& error) {
  for (auto& [id, pending] : pending_) {
    pendingCount_.fetch_sub(1);
    fail(pending, error);
  }
  pending_.clear();
  deadlines_.clear();
  statusDeadlines_.clear();
  std::vector<Outgoing> rest;
  {
    std::lock_guard lock(mutex_);
    rest.swap(queue_);
  }
  for (auto& out : rest) {
    pendingCount_.fetch_sub(1);
    Pending refused{out.stage, std::move(out.callback), std::move(out.statusCallback)};
    fail(refused, error);
  }
}

}  // namespace zp::api
