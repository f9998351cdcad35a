#pragma once
// One HTTP request in progress, without HTTP library types: the handlers
// (zones_handler.h, records_handler.h, tokens_handler.h) answer through it,
// server.cc plugs Pistache's ResponseWriter in as a ResponseSink.
//
// An Exchange is answered at most once (later sends are ignored) and counts
// itself in the server's in-flight gauge while alive. It is handed from the
// Pistache thread to the BusClient thread, never used by two threads at once.
// Destroyed unanswered (a bug), it still answers 503. Errors always go
// through errors.h (fail()): handlers never build error bodies.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/auth/token.h"
#include "common/util/result.h"
#include "pipelines/api/auth_cache.h"
#include "pipelines/api/http_metrics.h"
#include "pipelines/api/idempotency.h"

namespace zp::api {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Writes one answer to the client (server.cc: Pistache's ResponseWriter).
// `contentType` empty: application/json. `head`: send no body. Throws when
// the client went away (the Exchange logs and swallows it).
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  virtual void write(int status, const std::string& body, const Headers& headers,
                     const std::string& contentType, bool head) = 0;
};

class Exchange {
 public:
  // `what`: "GET /api/v1/..." for logs; `head`: a HEAD request (no body).
  // `metrics` (may be null: not counted) counts the answer (http_metrics.h).
  Exchange(std::unique_ptr<ResponseSink> sink, std::atomic<int>& inFlight, std::string what,
           bool head, std::string peerAddress, HttpMetrics* metrics = nullptr);
  ~Exchange();
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  // `contentType` empty: application/json.
  void send(int status, const std::string& body, const Headers& headers = {},
            const std::string& contentType = {});
  // The documented error body and status of `error` (errors.h), plus `extra`
  // headers. kInternal is logged with its detail and answered 503.
  void fail(const Error& error, const Headers& extra = {});

  bool answered() const { return answered_; }
  const std::string& what() const { return what_; }

  const std::string peer;                      // the client's address ("192.0.2.1", "2001:db8::1")
  std::shared_ptr<const Principal> principal;  // set once authenticated
  std::optional<auth::Permission> needed;      // of the route; nullopt: public
  // A POST's Idempotency-Key (idempotency.h); PipelineCalls puts it on the
  // request's command, with `idempotencyNote`.
  std::optional<IdempotencyRequest> idempotency;
  std::string idempotencyNote;
  // The store answered a stored reply: send() adds `Idempotent-Replayed: true`.
  bool replayed = false;

 private:
  std::unique_ptr<ResponseSink> sink_;
  HttpMetrics* metrics_;
  std::atomic<int>& inFlight_;
  std::string what_;
  bool head_;
  std::chrono::steady_clock::time_point started_;
  bool answered_ = false;
};

using ExchangePtr = std::shared_ptr<Exchange>;

// kInternal with `detail` (logged, never shown to the client).
Error internalError(std::string detail);
// kNotFound: "<what> not found".
Error notFound(std::string_view what);

// Runs `f`; any exception becomes a 503 for the client and an error log.
template <typename F>
void guarded(const ExchangePtr& ex, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    ex->fail(internalError(e.what()));
  } catch (...) {
    ex->fail(internalError("unknown exception"));
  }
}

}  // namespace zp::api
