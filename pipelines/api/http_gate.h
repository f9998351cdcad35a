#pragma once
// The HTTP request gate in front of Pistache's parser: the Pistache handler
// the API's endpoint runs (server.cc installs it with endpoint.setHandler). It
// is Pistache's RouterHandler (routing unchanged) with its onInput overridden:
// every byte a connection sends goes first through a RequestFramer
// (request_framing.h, one per connection, kept in the Tcp::Peer's data), which
// hands good requests on to Pistache's own Http::Handler::onInput unchanged
// and refuses broken ones. A refused request is answered here with the
// documented JSON error body (errors.h: 400 parse_error, 413
// payload_too_large, 431 headers_too_large) and `Connection: close`, logged
// once as a warning with the peer's address, counted in the API's metrics
// (route `unmatched`), and the connection's sending side is shut down after
// the answer (the rest the client sends is read and dropped until it closes,
// so the answer is not lost to a reset).
//
// How the private Http::Handler::onInput is called: Pistache 0.0.5 declares
// it private (and virtual), so neither a qualified call nor a pointer to
// member works (the first does not compile, the second dispatches back to our
// override). http_gate.cc declares its exported symbol
// (_ZN8Pistache4Http7Handler7onInputEPKcmRKSt10shared_ptrINS_3Tcp4PeerEE)
// under an asm label as a free function taking `this` first, which is how the
// Itanium C++ ABI (every GCC/Clang Linux target) calls a member function.
// The symbol is resolved when the program is linked: a Pistache whose
// onInput has another signature fails the build (undefined reference), not a
// request. This is the least fragile of the ways: no dlsym string at run
// time, no compiler extension, no copy of Pistache's parser.
//
// 408: Pistache 0.0.5 sends its own empty 408 from the transport
// (TransportImpl::closePeer), not through Handler::onTimeout, so the gate
// times requests itself: a sweeper thread (one per handler, shared by its
// clones) answers 408 request_timeout in the same JSON shape to a request not
// complete settings.requestTimeout after its first byte, and each new
// connection is marked idle for Pistache so that it never sends its empty 408
// first (Pistache then only closes connections idle past keepaliveTimeout).
// Its onConnection is private too and is called the same way as onInput.
//
// Threads: Pistache clones the handler per reactor thread; a connection's
// reads stay on one thread. Each connection's state has a mutex shared with
// the sweeper thread (uncontended on the read path).

#include <chrono>
#include <memory>

#include "pipelines/api/request_framing.h"

namespace Pistache {
namespace Http {
class Handler;
}
namespace Rest {
class Router;
}
}  // namespace Pistache

namespace zp::api {

class HttpMetrics;

struct GateSettings {
  FramingLimits limits;
  // A request must arrive completely (headers and body) within this long of
  // its first byte, else 408 request_timeout. Keep it under the endpoint's
  // keepaliveTimeout, after which Pistache closes the connection silently.
  std::chrono::milliseconds requestTimeout{20'000};
  HttpMetrics* metrics = nullptr;  // null: refusals are not counted
};

// The handler to give Http::Endpoint::setHandler in place of
// router.handler(). Include Pistache's headers before calling it.
std::shared_ptr<Pistache::Http::Handler> makeGateHandler(const Pistache::Rest::Router& router,
                                                         GateSettings settings);

// Stops the timeout thread shared by `handler` (from makeGateHandler) and its
// clones: no 408 is sent after it returns. Call it before
// Endpoint::shutdown(), like stopping the BusClient (a Tcp::Peer must not be
// written to while its transport is torn down). Idempotent; any thread.
void stopGateTimeouts(Pistache::Http::Handler& handler);

}  // namespace zp::api
