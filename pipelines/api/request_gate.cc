#include "pipelines/api/request_gate.h"

#include <algorithm>
#include <stdexcept>

#include "common/schema/codec.h"
#include "common/util/ids.h"

namespace zp::api {

RequestGate::RequestGate(const config::Config& cfg, PipelineCalls& calls)
    : calls_(calls),
      rateLimit_(cfg.apiRateLimit),
      maxBody_(cfg.apiMaxBody),
      rateLimiter_{cfg.apiRateLimit, cfg.apiRateBurst},
      lastUsed_{std::chrono::seconds(std::max(cfg.apiLastUsedFlushS, 1))} {}

void RequestGate::authorize(const ExchangePtr& ex, const std::string& authorization, Next next) {
  if (!ex->needed) throw std::logic_error("authorize() called on a public route");
  const auth::Permission needed = *ex->needed;
  auto bearer = auth::bearerFromHeader(authorization);
  if (!bearer) return ex->fail(bearer.error());
  const TokenHash hash = auth::hashSecret(*bearer);
  if (auto cached = authCache_.find(hash, AuthCache::Clock::now())) {
    ex->principal = std::move(cached);
    return permit(ex, needed, next);
  }
  capnp::MallocMessageBuilder message;
  auto query = message.initRoot<schema::Query>();
  query.getBody().setAuthenticate(kj::arrayPtr(hash.data(), hash.size()));
  calls_.bus().submitQuery(message, [this, ex, hash, needed,
                                     next = std::move(next)](Result<schema::Reply::Reader> reply) {
    guarded(ex, [&] {
      if (!reply) return ex->fail(reply.error());
      if (!reply->getBody().isPrincipal()) {
        return ex->fail(internalError("the store answered authenticate with another body"));
      }
      auto p = reply->getBody().getPrincipal();
      auto principal = std::make_shared<Principal>();
      principal->userId = p.getUserId();
      principal->tokenId = p.getTokenId();
      for (auto perm : p.getPermissions()) principal->permissions.emplace_back(perm);
      if (p.hasScope()) principal->scope = schema::fromSchema(p.getScope());
      authCache_.insert(hash, principal, AuthCache::Clock::now());
      ex->principal = std::move(principal);
      permit(ex, needed, next);
    });
  });
}

void RequestGate::permit(const ExchangePtr& ex, auth::Permission needed, const Next& next) {
  const int64_t now = nowSeconds();
  if (auto refused = auth::checkRequest(ex->principal->scope, now, ex->peer)) {
    return ex->fail(*refused);
  }
  if (auto batch = lastUsed_.touch(ex->principal->tokenId, now)) {
    calls_.reportLastUses(*ex->principal, std::move(batch).value(), nullptr);
  }
  if (auto retryAfter = rateLimiter_.acquire(ex->principal->tokenId)) {
    return ex->fail({ErrorKind::kRateLimited, "",
                     "too many requests for this token (limit " +
                         std::to_string(static_cast<long>(rateLimit_)) + "/s); retry after " +
                         std::to_string(*retryAfter) + " s"},
                    {{"Retry-After", std::to_string(*retryAfter)}});
  }
  if (!auth::allows(ex->principal->permissions, needed)) {
    return ex->fail({ErrorKind::kPermission, "",
                     "token lacks the " + std::string(auth::toString(needed)) + " permission"});
  }
  guarded(ex, [&] { next(ex); });
}

bool RequestGate::bodyFits(const ExchangePtr& ex, const std::string& body) const {
  if (body.size() <= maxBody_) return true;
  ex->fail({ErrorKind::kPayloadTooLarge, "",
            "request body is larger than the limit of " + std::to_string(maxBody_) + " bytes"});
  return false;
}

void RequestGate::flushLastUses(const Principal& principal, std::function<void()> then) {
  calls_.reportLastUses(principal, lastUsed_.takeAll(nowSeconds()), std::move(then));
}

}  // namespace zp::api
