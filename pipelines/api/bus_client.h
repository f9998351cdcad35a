#pragma once
// The API's only door to the pipeline. BusClient owns one thread and the
// ZeroMQ sockets: a DEALER connected to every validator (commands, with
// `immediate` so a missing validator fails fast), a DEALER connected to
// the store's query socket (reads and authentication) and, when configured,
// a DEALER connected to the pusher's status socket (what the nameservers
// serve; answered within the shorter `statusTimeout`).
//
// Any thread (Pistache handlers) may submit; submit never blocks on the
// network. The BusClient stamps the message's version and requestId,
// queues it, wakes its thread through an eventfd, and later calls the
// callback ON ITS OWN THREAD exactly once with either the Reply (valid only
// during the call; a Reply.error body arrives as the Error) or an
// Error{kUnavailable} when the stage did not answer within the timeout, when
// the send would block, or when the client is stopping. Late replies are
// dropped. Callbacks must not block; they may submit again.
//
// With `storeEvents` set it also subscribes to the store's event stream and
// keeps zoneVersions() (zone_versions.h) from it, together with the seq of
// every commit a command reply carries: the zone cache's proof of currency.

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

#include "common/deploy/status_client.h"
#include "common/util/result.h"
#include "pipelines/api/zone_versions.h"
#include "schema/pipeline.capnp.h"

namespace zp::api {

using ReplyCallback = std::function<void(Result<schema::Reply::Reader>)>;
// The pusher's answer about one zone (decoded, owning), or kUnavailable.
using StatusCallback = std::function<void(Result<deploy::PushStatus>)>;

struct BusOptions {
  std::vector<std::string> validatorEndpoints;  // commands, round-robin
  std::string storeQuery;                       // queries
  std::chrono::milliseconds timeout{5000};
  std::string pushStatus;  // the pusher's status ROUTER; empty: status is always unavailable
  std::chrono::milliseconds statusTimeout{1000};
  std::string storeEvents;  // the store's PUB; empty: no event mirror (every read asks)
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
  // Asks the pusher what the nameservers serve for `domain`. Answered with
  // kUnavailable at once when no status endpoint is configured or the pusher
  // is not connected, or after statusTimeout.
  void submitStatus(const std::string& domain, StatusCallback callback);

  // Answers everything pending with kUnavailable and joins the thread; later
  // submissions are answered at once, on the caller's thread. Idempotent.
  void stop();

  size_t pendingCount() const { return pendingCount_.load(); }
  // The event mirror; epoch 0 forever without `storeEvents`.
  const ZoneVersions& zoneVersions() const { return versions_; }

 private:
  enum class Stage : uint8_t { kValidator, kStore, kPusher };
  struct Outgoing {
    uint64_t requestId;
    Stage stage;
    zmq::message_t frame;
    ReplyCallback callback;         // validator, store
    StatusCallback statusCallback;  // pusher
    std::chrono::steady_clock::time_point deadline;
  };
  struct Pending {
    Stage stage;
    ReplyCallback callback;
    StatusCallback statusCallback;
  };
  using Deadlines = std::deque<std::pair<std::chrono::steady_clock::time_point, uint64_t>>;

  void submit(Outgoing out);
  void run();
  void dispatch(std::vector<Outgoing>& batch);
  void receive(zmq::socket_t& socket);
  void receiveStatus();
  void receiveEvents();
  void expire(Deadlines& deadlines, std::chrono::steady_clock::time_point now);
  void failAll(const Error& error);
  Error timeoutError(Stage stage) const;
  static std::string_view stageName(Stage stage);
  static void invoke(ReplyCallback& callback, Result<schema::Reply::Reader> result);
  static void invokeStatus(StatusCallback& callback, Result<deploy::PushStatus> result);
  // Answers a pending or refused request with `error`, whatever its stage.
  static void fail(Pending& pending, const Error& error);

  BusOptions options_;
  zmq::socket_t commands_;
  zmq::socket_t queries_;
  zmq::socket_t status_;  // unset when options_.pushStatus is empty
  zmq::socket_t events_;  // SUB; unset when options_.storeEvents is empty
  ZoneVersions versions_;
  int wakeFd_ = -1;

  std::atomic<uint64_t> nextRequestId_{1};
  std::atomic<size_t> pendingCount_{0};  // queued + in flight

  std::mutex mutex_;  // guards queue_ and stopping_
  std::vector<Outgoing> queue_;
  bool stopping_ = false;

  // Owned by the thread.
  std::unordered_map<uint64_t, Pending> pending_;
  Deadlines deadlines_;        // validator and store: one timeout, so in order
  Deadlines statusDeadlines_;  // pusher: statusTimeout, in order
  std::chrono::steady_clock::time_point lastTimeoutLog_{};

  std::thread thread_;
};

}  // namespace zp::api
