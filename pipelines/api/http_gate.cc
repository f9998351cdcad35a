#include "pipelines/api/http_gate.h"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/peer.h>
#include <pistache/router.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "pipelines/api/http_metrics.h"
#include "pipelines/api/json.h"

// Pistache::Http::Handler::onInput(const char*, size_t, const
// std::shared_ptr<Tcp::Peer>&), private in Pistache 0.0.5: see http_gate.h.
namespace zp::api::pistache_private {
void httpHandlerOnInput(
    Pistache::Http::Handler* self, const char* buffer, size_t len,
    const std::shared_ptr<Pistache::Tcp::Peer>&
        peer) __asm__("_ZN8Pistache4Http7Handler7onInputEPKcmRKSt10shared_ptrINS_3Tcp4PeerEE");
// Pistache::Http::Handler::onConnection(const std::shared_ptr<Tcp::Peer>&),
// also private: it gives the peer its parser.
void httpHandlerOnConnection(
    Pistache::Http::Handler* self,
    const std::shared_ptr<Pistache::Tcp::Peer>&
        peer) __asm__("_ZN8Pistache4Http7Handler12onConnectionERKSt10shared_ptrINS_3Tcp4PeerEE");
}  // namespace zp::api::pistache_private

namespace zp::api {
namespace {

using namespace Pistache;

constexpr const char* kGateData = "zp.gate";

using Clock = std::chrono::steady_clock;

// errors.h's shape, {"detail", "error_code"}, for the gate's own codes.
std::string errorBody(const Refusal& refusal) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writeKey(writer, "detail");
  writeString(writer, refusal.detail);
  writeKey(writer, "error_code");
  writeString(writer, refusal.code);
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string_view reasonPhrase(int status) {
  switch (status) {
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 431:
      return "Request Header Fields Too Large";
    default:
      return "Bad Request";
  }
}

// Answers `refusal` with Connection: close, logs it once, then shuts down the
// sending side (any thread: Peer::send queues to the peer's reactor).
void answer(const std::shared_ptr<Tcp::Peer>& peer, const Refusal& refusal, HttpMetrics* metrics) {
  spdlog::warn(
      "refused an HTTP request from {}: {} (answered {} {} and closed the connection; the "
      "client must fix its request)",
      peer->address().host(), refusal.detail, refusal.status, refusal.code);
  if (metrics != nullptr) metrics->answered("", refusal.status, 0.0);
  const std::string body = errorBody(refusal);
  std::string response =
      "HTTP/1.1 " + std::to_string(refusal.status) + " " +
      std::string(reasonPhrase(refusal.status)) +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n" + body;
  const size_t size = response.size();
  std::weak_ptr<Tcp::Peer> weak = peer;
  auto shutdownWrite = [weak] {
    if (auto p = weak.lock()) ::shutdown(p->fd(), SHUT_WR);
  };
  peer->send(RawBuffer(std::move(response), size))
      .then([shutdownWrite](ssize_t) { shutdownWrite(); },
            [shutdownWrite](std::exception_ptr) { shutdownWrite(); });
}

// One connection: its framer, when its current request began, and whether it
// was answered a refusal. The mutex guards all of it (the reactor thread
// reads, the sweeper times out).
struct Connection {
  Connection(FramingLimits limits, std::weak_ptr<Tcp::Peer> p)
      : framer(limits), peer(std::move(p)) {}
  std::mutex mutex;
  RequestFramer framer;
  Clock::time_point requestStart;
  bool answered = false;
  const std::weak_ptr<Tcp::Peer> peer;
};

// Every connection of the endpoint, and a thread that answers 408
// request_timeout to a request not complete `timeout` after its first byte.
class TimeoutSweeper {
 public:
  TimeoutSweeper(std::chrono::milliseconds timeout, HttpMetrics* metrics)
      : timeout_(timeout), metrics_(metrics), thread_([this] { run(); }) {}
  ~TimeoutSweeper() { stop(); }

  // Ends the thread; no 408 is sent after this returns. Idempotent.
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    std::lock_guard joinLock(joinMutex_);
    if (thread_.joinable()) thread_.join();
  }
  TimeoutSweeper(const TimeoutSweeper&) = delete;
  TimeoutSweeper& operator=(const TimeoutSweeper&) = delete;

  void add(const std::shared_ptr<Connection>& c) {
    std::lock_guard lock(mutex_);
    connections_.push_back(c);
  }
  void remove(const Connection* c) {
    std::lock_guard lock(mutex_);
    std::erase_if(connections_, [c](const auto& w) {
      auto s = w.lock();
      return !s || s.get() == c;
    });
  }

 private:
  void run() {
    const auto tick =
        std::clamp(timeout_ / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(250));
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, tick, [this] { return stop_; })) {
      const auto now = Clock::now();
      std::erase_if(connections_, [&](const std::weak_ptr<Connection>& w) {
        auto c = w.lock();
        if (!c) return true;
        std::lock_guard connectionLock(c->mutex);
        if (c->answered || !c->framer.midRequest() || now - c->requestStart < timeout_) {
          return false;
        }
        c->answered = true;
        if (auto peer = c->peer.lock()) {
          answer(
              peer,
              {408, kRequestTimeoutCode,
               "the request did not arrive completely within " + std::to_string(timeout_.count()) +
                   " ms of its first byte; send the whole request at once"},
              metrics_);
        }
        return true;
      });
    }
  }

  const std::chrono::milliseconds timeout_;
  HttpMetrics* const metrics_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::vector<std::weak_ptr<Connection>> connections_;
  std::mutex joinMutex_;
  std::thread thread_;  // last: starts after the rest exists
};

class GateHandler : public Rest::Private::RouterHandler {
 public:
  HTTP_PROTOTYPE(GateHandler)

  GateHandler(const Rest::Router& routes, GateSettings settings)
      : RouterHandler(routes),
        settings_(settings),
        sweeper_(std::make_shared<TimeoutSweeper>(settings.requestTimeout, settings.metrics)) {}

  void stopTimeouts() { sweeper_->stop(); }

  void onConnection(const std::shared_ptr<Tcp::Peer>& peer) override {
    pistache_private::httpHandlerOnConnection(this, peer);
    // Pistache would answer its own empty 408 to a peer that is not idle when
    // its header timeout passes; the gate times requests itself (sweeper_),
    // so Pistache only closes idle connections (keepaliveTimeout).
    peer->setIdle(true);
    auto connection = std::make_shared<Connection>(settings_.limits, peer);
    peer->putData(kGateData, connection);
    sweeper_->add(connection);
  }

  void onDisconnection(const std::shared_ptr<Tcp::Peer>& peer) override {
    if (auto data = peer->tryGetData(kGateData)) {
      sweeper_->remove(static_cast<Connection*>(data.get()));
    }
    RouterHandler::onDisconnection(peer);
  }

  void onInput(const char* buffer, size_t len, const std::shared_ptr<Tcp::Peer>& peer) override {
    auto data = peer->tryGetData(kGateData);
    if (!data) return;  // onConnection always runs first
    auto& connection = *static_cast<Connection*>(data.get());
    struct Context {
      GateHandler* self;
      const std::shared_ptr<Tcp::Peer>* peer;
    } context{this, &peer};
    const RequestFramer::Sink sink{[](void* c, std::string_view bytes) {
                                     auto* x = static_cast<Context*>(c);
                                     pistache_private::httpHandlerOnInput(x->self, bytes.data(),
                                                                          bytes.size(), *x->peer);
                                   },
                                   &context};
    std::lock_guard lock(connection.mutex);
    if (connection.answered) return;  // refused or timed out: read and dropped
    const bool wasMid = connection.framer.midRequest();
    const uint64_t before = connection.framer.completed();
    auto refused = connection.framer.feed(std::string_view(buffer, len), sink);
    if (refused) {
      connection.answered = true;
      return answer(peer, *refused, settings_.metrics);
    }
    if (connection.framer.midRequest() && (!wasMid || connection.framer.completed() != before)) {
      connection.requestStart = Clock::now();  // a new request began in this read
    }
  }

 private:
  GateSettings settings_;
  std::shared_ptr<TimeoutSweeper> sweeper_;  // shared by the clones of every reactor
};

}  // namespace

std::shared_ptr<Http::Handler> makeGateHandler(const Rest::Router& router, GateSettings settings) {
  return Http::make_handler<GateHandler>(router, settings);
}

void stopGateTimeouts(Http::Handler& handler) {
  if (auto* gate = dynamic_cast<GateHandler*>(&handler)) gate->stopTimeouts();
}

}  // namespace zp::api
