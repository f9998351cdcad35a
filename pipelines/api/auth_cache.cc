#include "pipelines/api/auth_cache.h"

namespace zp::api {
AuthCache::AuthCache(std::chrono::milliseconds ttl, size_t maxEntries)
    : ttl_(ttl), maxEntries_(maxEntries) {}

std::shared_ptr<const Principal> AuthCache::find(const TokenHash& hash,
                                                 Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(hash);
  if (it == entries_.end() || it->second.expires <= now) return nullptr;
  return it->second.principal;
}

void AuthCache::insert(const TokenHash& hash, std::shared_ptr<const Principal> principal,
                       Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (entries_.size() >= maxEntries_) {
    std::erase_if(entries_, [now](const auto& kv) { return kv.second.expires <= now; });
    if (entries_.size() >= maxEntries_) entries_.clear();  // a flood of tokens: start over
  }
  entries_[hash] = Entry{std::move(principal), now + ttl_};
}

size_t AuthCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace zp::api
