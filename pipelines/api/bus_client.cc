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
  submit(Stage::kValidator, bus::toFrame(message), id, std::move(callback));
}

void BusClient::submitQuery(capnp::MessageBuilder& message, ReplyCallback callback) {
  auto query = message.getRoot<schema::Query>();
  const uint64_t id = nextRequestId_.fetch_add(1);
  query.setVersion(schema::PROTOCOL_VERSION);
  query.setRequestId(id);
  submit(Stage::kStore, bus::toFrame(message), id, std::move(callback));
}

void BusClient::submit(Stage stage, zmq::message_t frame, uint64_t requestId,
                       ReplyCallback callback) {
  bool queued = false, wake = false;
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queued = true;
      wake = queue_.empty();
      pendingCount_.fetch_add(1);
      queue_.push_back(Outgoing{requestId, stage, std::move(frame), std::move(callback),
                                std::chrono::steady_clock::now() + options_.timeout});
    }
  }
  if (queued) {
    if (wake) {
      const uint64_t one = 1;
      [[maybe_unused]] auto n = ::write(wakeFd_, &one, sizeof(one));
    }
    return;
  }
  invoke(callback, Error{ErrorKind::kUnavailable, "", "the API is shutting down; try again"});
}

std::string_view BusClient::stageName(Stage stage) {
  return stage == Stage::kValidator ? "validator" : "store";
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
  std::vector<Outgoing> batch;
  while (true) {
    auto wait = std::chrono::milliseconds(1000);
    if (!deadlines_.empty()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadlines_.front().first - std::chrono::steady_clock::now());
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
    expire(std::chrono::steady_clock::now());
    if (stopping) {
      failAll({ErrorKind::kUnavailable, "", "the API is shutting down; try again"});
      return;
    }
  }
}

void BusClient::dispatch(std::vector<Outgoing>& batch) {
  for (auto& out : batch) {
    zmq::socket_t& socket = out.stage == Stage::kValidator ? commands_ : queries_;
    bool sent = false;
    try {
      sent = socket.send(out.frame, zmq::send_flags::dontwait).has_value();
    } catch (const zmq::error_t& e) {
      spdlog::error("sending to the {} failed: {}", stageName(out.stage), e.what());
    }
    if (!sent) {
      pendingCount_.fetch_sub(1);
      invoke(out.callback, Error{ErrorKind::kUnavailable, "",
                                 "the " + std::string(stageName(out.stage)) +
                                     " is not reachable right now; try again"});
      continue;
    }
    deadlines_.emplace_back(out.deadline, out.requestId);
    pending_.emplace(out.requestId, Pending{out.stage, std::move(out.callback)});
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
      auto it = pending_.find(reply.getRequestId());
      if (it == pending_.end()) continue;  // expired or unknown: already answered
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

void BusClient::expire(std::chrono::steady_clock::time_point now) {
  while (!deadlines_.empty() && deadlines_.front().first <= now) {
    const uint64_t id = deadlines_.front().second;
    deadlines_.pop_front();
    auto it = pending_.find(id);
    if (it == pending_.end()) continue;  // answered in time
    ReplyCallback callback = std::move(it->second.callback);
    const Stage stage = it->second.stage;
    pending_.erase(it);
    pendingCount_.fetch_sub(1);
    if (now - lastTimeoutLog_ > std::chrono::seconds(1)) {
      lastTimeoutLog_ = now;
      spdlog::warn("the {} did not answer within {} ms; clients get 503. Is zonepipe-{} running?",
                   stageName(stage), options_.timeout.count(), stageName(stage));
    }
    invoke(callback, timeoutError(stage));
  }
}

void BusClient::failAll(const Error& error) {
  for (auto& [id, pending] : pending_) {
    pendingCount_.fetch_sub(1);
    invoke(pending.callback, error);
  }
  pending_.clear();
  deadlines_.clear();
  std::vector<Outgoing> rest;
  {
    std::lock_guard lock(mutex_);
    rest.swap(queue_);
  }
  for (auto& out : rest) {
    pendingCount_.fetch_sub(1);
    invoke(out.callback, error);
  }
}

}  // namespace zp::api
