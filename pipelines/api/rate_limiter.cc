#include "pipelines/api/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace zp::api {

RateLimiter::RateLimiter(double rate, double burst)
    : rate_(rate > 0 ? rate : 0), burst_(burst > 0 ? burst : std::max(rate, 1.0)) {}

std::optional<int> RateLimiter::acquire(const std::string& key, Clock::time_point now) {
  if (!enabled()) return std::nullopt;
  std::lock_guard<std::mutex> lock(mutex_);
  if (now - lastPrune_ > std::chrono::seconds(60)) prune(now);
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!inserted) {
    const double elapsed = std::chrono::duration<double>(now - b.updated).count();
    if (elapsed > 0) b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
    b.updated = std::max(b.updated, now);
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return std::nullopt;
  }
  const double wait = (1.0 - b.tokens) / rate_;
  return std::max(1, static_cast<int>(std::ceil(wait)));
}

void RateLimiter::prune(Clock::time_point now) {
  lastPrune_ = now;
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const double elapsed = std::chrono::duration<double>(now - it->second.updated).count();
    // A bucket that would be full again carries no state worth keeping.
    if (it->second.tokens + elapsed * rate_ >= burst_) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace zp::api
