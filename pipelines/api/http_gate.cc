#include "pipelines/api/http_gate.h"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/peer.h>
#include <pistache/router.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <string>
#include <string_view>

#include "pipelines/api/http_metrics.h"
#include "pipelines/api/json.h"

// Pistache::Http::Handler::onInput(const char*, size_t, const
// std::shared_ptr<Tcp::Peer>&), private in Pistache 0.0.5: see http_gate.h.
namespace zp::api::pistache_private {
void httpHandlerOnInput(
    Pistache::Http::Handler* self, const char* buffer, size_t len,
    const std::shared_ptr<Pistache::Tcp::Peer>&
        peer) __asm__("_ZN8Pistache4Http7Handler7onInputEPKcmRKSt10shared_ptrINS_3Tcp4PeerEE");
}  // namespace zp::api::pistache_private

namespace zp::api {
namespace {

using namespace Pistache;

constexpr const char* kGateData = "zp.gate";

// A connection's framer, and whether its refusal was answered.
struct Connection {
  explicit Connection(FramingLimits limits) : framer(limits) {}
  RequestFramer framer;
  bool answered = false;
};

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

class GateHandler : public Rest::Private::RouterHandler {
 public:
  HTTP_PROTOTYPE(GateHandler)

  GateHandler(const Rest::Router& routes, GateSettings settings)
      : RouterHandler(routes), settings_(settings) {}

  void onInput(const char* buffer, size_t len, const std::shared_ptr<Tcp::Peer>& peer) override {
    auto data = peer->tryGetData(kGateData);
    if (!data) {
      data = std::make_shared<Connection>(settings_.limits);
      peer->putData(kGateData, data);
    }
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
    auto refused = connection.framer.feed(std::string_view(buffer, len), sink);
    if (refused && !connection.answered) {
      connection.answered = true;
      answer(peer, *refused);
    }
  }

 private:
  void answer(const std::shared_ptr<Tcp::Peer>& peer, const Refusal& refusal) {
    spdlog::warn(
        "refused a malformed HTTP request from {}: {} (answered {} {} and closed the connection; "
        "the client must fix its request)",
        peer->address().host(), refusal.detail, refusal.status, refusal.code);
    if (settings_.metrics != nullptr) settings_.metrics->answered("", refusal.status, 0.0);
    const std::string body = errorBody(refusal);
    std::string response =
        "HTTP/1.1 " + std::to_string(refusal.status) + " " +
        std::string(reasonPhrase(refusal.status)) +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\nConnection: close\r\n\r\n" + body;
    const size_t size = response.size();
    std::weak_ptr<Tcp::Peer> weak = peer;
    auto shutdownWrite = [weak](auto&&...) {
      if (auto p = weak.lock()) ::shutdown(p->fd(), SHUT_WR);
    };
    peer->send(RawBuffer(std::move(response), size))
        .then([shutdownWrite](ssize_t) { shutdownWrite(); },
              [shutdownWrite](std::exception_ptr) { shutdownWrite(); });
  }

  GateSettings settings_;
};

}  // namespace

std::shared_ptr<Http::Handler> makeGateHandler(const Rest::Router& router, GateSettings settings) {
  return Http::make_handler<GateHandler>(router, settings);
}

}  // namespace zp::api
