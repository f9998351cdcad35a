#include "pipelines/api/last_used.h"

namespace zp::api {

std::optional<LastUsedTracker::Batch> LastUsedTracker::touch(const std::string& tokenId,
                                                             int64_t now) {
  std::lock_guard lock(mutex_);
  auto& t = pending_[tokenId];
  if (now > t) t = now;
  if (lastFlush_ == 0) lastFlush_ = now;  // the first batch waits one interval
  if (now - lastFlush_ < interval_.count()) return std::nullopt;
  lastFlush_ = now;
  Batch out(pending_.begin(), pending_.end());
  pending_.clear();
  return out;
}

LastUsedTracker::Batch LastUsedTracker::takeAll(int64_t now) {
  std::lock_guard lock(mutex_);
  lastFlush_ = now;
  Batch out(pending_.begin(), pending_.end());
  pending_.clear();
  return out;
}

}  // namespace zp::api
