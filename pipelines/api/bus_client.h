#pragma once
// The API's only door to the pipeline. BusClient owns one thread and the
// ZeroMQ sockets: a DEALER connected to every validator (commands, with
// `immediate` so a missing validator fails fast) and a DEALER connected to
// the store's query socket (reads and authentication).
//
// Any thread (Pistache handlers) may submit; submit never blocks on the
// network. The BusClient stamps the message's version and requestId,
// queues it, wakes its thread through an eventfd, and later calls the
// callback ON ITS OWN THREAD exactly once with either the Reply (valid only
// during the call; a Reply.error body arrives as the Error) or an
// Error{kUnavailable} when the stage did not answer within the timeout, when
// the send would block, or when the client is stopping. Late replies are
// dropped. Callbacks must not block; they may submit again.

#include <sys/types.h>

#include <capnp/message.h>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>
#include <zmq.hpp>

#include "common/util/result.h"
#include "schema/pipeline.capnp.h"

namespace zp::api {

using ReplyCallback = std::function<void(Result<schema::Reply::Reader>)>;

struct BusOptions {
  std::vector<std::string> validatorEndpoints;  // commands, round-robin
  std::string storeQuery;                       // queries
  std::chrono::milliseconds timeout{5000};
};

class BusClient {
 public:
  // Connects the sockets (throws std::runtime_error naming a bad endpoint)
  // and starts the thread. `ctx` must outlive the BusClient.
  BusClient(zmq::context_t& ctx, const BusOptions& options);
  ~BusClient();
  BusClient(const BusClient&) = delete;
  BusClient& operator=(const BusClient&) = delete;

  // `message` has a schema::Command root (to the validator) or a
  // schema::Query root (to the store).
  void submitCommand(capnp::MessageBuilder& message, ReplyCallback callback);
  void submitQuery(capnp::MessageBuilder& message, ReplyCallback callback);

  // Answers everything pending with kUnavailable and joins the thread; later
  // submissions are answered at once, on the caller's thread. Idempotent.
  void stop();

  size_t pendingCount() const { return pendingCount_.load(); }

 private:
  enum class Stage : uint8_t { kValidator, kStore };
  struct Outgoing {
    uint64_t requestId;
    Stage stage;
    zmq::message_t frame;
    ReplyCallback callback;
    std::chrono::steady_clock::time_point deadline;
  };
  struct Pending {
    Stage stage;
    ReplyCallback callback;
  };

  void submit(Stage stage, zmq::message_t frame, uint64_t requestId, ReplyCallback callback);
  void run();
  void dispatch(std::vector<Outgoing>& batch);
  void receive(zmq::socket_t& socket);
  void expire(std::chrono::steady_clock::time_point now);
  void failAll(const Error& error);
  Error timeoutError(Stage stage) const;
  static std::string_view stageName(Stage stage);
  static void invoke(ReplyCallback& callback, Result<schema::Reply::Reader> result);

  BusOptions options_;
  zmq::socket_t commands_;
  zmq::socket_t queries_;
  int wakeFd_ = -1;

  std::atomic<uint64_t> nextRequestId_{1};
  std::atomic<size_t> pendingCount_{0};  // queued + in flight

  std::mutex mutex_;  // guards queue_ and stopping_
  std::vector<Outgoing> queue_;
  bool stopping_ = false;

  // Owned by the thread.
  std::unordered_map<uint64_t, Pending> pending_;
  std::deque<std::pair<std::chrono::steady_clock::time_point, uint64_t>> deadlines_;
  std::chrono::steady_clock::time_point lastTimeoutLog_{};

  std::thread thread_;
};

}  // namespace zp::api
