#include "pipelines/api/exchange.h"

#include <spdlog/spdlog.h>

#include "pipelines/api/errors.h"

namespace zp::api {

Error internalError(std::string detail) { return {ErrorKind::kInternal, "", std::move(detail)}; }

Error notFound(std::string_view what) {
  return {ErrorKind::kNotFound, "", std::string(what) + " not found"};
}

Exchange::Exchange(std::unique_ptr<ResponseSink> sink, std::atomic<int>& inFlight, std::string what,
                   bool head, std::string peerAddress, HttpMetrics* metrics)
    : peer(std::move(peerAddress)),
      sink_(std::move(sink)),
      metrics_(metrics),
      inFlight_(inFlight),
      what_(std::move(what)),
      head_(head),
      started_(std::chrono::steady_clock::now()) {
  inFlight_.fetch_add(1);
}

Exchange::~Exchange() {
  if (!answered_) {
    spdlog::error("{} was left unanswered; answering 503", what_);
    fail(internalError("request left unanswered"));
  }
  inFlight_.fetch_sub(1);
}

void Exchange::send(int status, const std::string& body, const Headers& headers,
                    const std::string& contentType) {
  if (answered_) return;
  answered_ = true;
  try {
    if (replayed) {
      Headers withReplay = headers;
      withReplay.emplace_back(kReplayedHeader, "true");
      sink_->write(status, body, withReplay, contentType, head_);
    } else {
      sink_->write(status, body, headers, contentType, head_);
    }
  } catch (const std::exception& e) {
    spdlog::debug("{}: the client went away before the answer ({})", what_, e.what());
  }
  const auto elapsed = std::chrono::steady_clock::now() - started_;
  if (metrics_) metrics_->answered(what_, status, std::chrono::duration<double>(elapsed).count());
  if (spdlog::should_log(spdlog::level::debug)) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
    spdlog::debug("{} -> {} in {} us", what_, status, us);
  }
}

void Exchange::fail(const Error& error, const Headers& extra) {
  if (error.kind == ErrorKind::kInternal) {
    spdlog::error("{}: internal error: {}; answering 503", what_, error.detail);
  }
  HttpError http = toHttp(error);
  http.headers.insert(http.headers.end(), extra.begin(), extra.end());
  send(http.status, http.body, http.headers);
}

}  // namespace zp::api
