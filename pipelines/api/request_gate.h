#pragma once
// What every served /api/v1 request passes before its handler runs:
// authentication of the bearer token (AuthCache, else one store query), the
// token's expiry and allowed addresses (401), its last use (batched to the
// store), the per-token rate limit (api.rate_limit, 429 with Retry-After),
// then the route's permission (403). The handler runs only when all pass;
// every refusal answers the exchange through errors.h. Also the body size
// limit (api.max_body, 413). Thread-safe.

#include <cstddef>
#include <functional>
#include <string>

#include "common/config/config.h"
#include "pipelines/api/auth_cache.h"
#include "pipelines/api/exchange.h"
#include "pipelines/api/last_used.h"
#include "pipelines/api/pipeline_calls.h"
#include "pipelines/api/rate_limiter.h"

namespace zp::api {

class RequestGate {
 public:
  RequestGate(const config::Config& cfg, PipelineCalls& calls);

  using Next = std::function<void(const ExchangePtr&)>;

  // `authorization`: the Authorization header as sent ("" when absent).
  // Needs ex->needed set (a public route never comes here). Sets
  // ex->principal, then runs `next` on this thread or the BusClient thread.
  void authorize(const ExchangePtr& ex, const std::string& authorization, Next next);

  // False when `body` is over api.max_body (the exchange was answered 413).
  bool bodyFits(const ExchangePtr& ex, const std::string& body) const;

  // Reports this API's pending token last uses now (before a token list),
  // then runs `then` (may be null).
  void flushLastUses(const Principal& principal, std::function<void()> then);

 private:
  void permit(const ExchangePtr& ex, auth::Permission needed, const Next& next);

  PipelineCalls& calls_;
  const double rateLimit_;
  const size_t maxBody_;
  AuthCache authCache_;
  RateLimiter rateLimiter_;
  LastUsedTracker lastUsed_;
};

}  // namespace zp::api
