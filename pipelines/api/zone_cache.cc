#include "pipelines/api/zone_cache.h"

#include <algorithm>

namespace zp::api {

ZoneCache::ZoneCache(size_t maxBytes) : maxBytes_(maxBytes) {}

std::optional<ZoneCache::Entry> ZoneCache::find(std::string_view uuid) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(uuid);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

std::shared_ptr<const std::string> ZoneCache::fresh(std::string_view uuid, uint64_t serial) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(uuid);
  if (it == entries_.end() || it->second.serial != serial) return nullptr;
  return it->second.json;
}

void ZoneCache::insert(const std::string& uuid, std::string domain, uint64_t serial,
                       std::shared_ptr<const std::string> json, Proof proof) {
  if (!json) return;
  const size_t size = json->size();
  if (size > maxBytes_) return;
  std::lock_guard lock(mutex_);
  auto it = entries_.find(uuid);
  if (it != entries_.end()) {
    if (it->second.serial > serial) return;
    bytes_ -= it->second.json->size();
    entries_.erase(it);
  }
  while (bytes_ + size > maxBytes_ && !entries_.empty()) {
    auto victim = entries_.begin();
    bytes_ -= victim->second.json->size();
    entries_.erase(victim);
  }
  entries_.emplace(uuid, Entry{std::move(domain), serial, std::move(json), std::move(proof)});
  bytes_ += size;
}

void ZoneCache::insert(const std::string& uuid, std::string domain, uint64_t serial,
                       std::shared_ptr<const std::string> json) {
  insert(uuid, std::move(domain), serial, std::move(json), Proof{});
}

void ZoneCache::confirm(std::string_view uuid, uint64_t serial, uint64_t epoch,
                        Clock::time_point at) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(uuid);
  if (it == entries_.end() || it->second.serial != serial) return;
  if (epoch >= it->second.proof.epoch) {
    it->second.proof.epoch = epoch;
    it->second.proof.at = std::max(it->second.proof.at, at);
  }
}

void ZoneCache::erase(std::string_view uuid) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(uuid);
  if (it == entries_.end()) return;
  bytes_ -= it->second.json->size();
  entries_.erase(it);
}

size_t ZoneCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

size_t ZoneCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace zp::api
