#include "pipelines/api/zone_versions.h"

namespace zp::api {

void ZoneVersions::startEpoch(uint64_t seq) {
  ++epoch_;
  waitingForStart_ = false;
  lastChange_.clear();
  applied_ = seq - 1;
}

void ZoneVersions::applyEvent(uint64_t seq, std::string_view zoneUuid) {
  std::lock_guard lock(mutex_);
  if (seq == 0) return;  // not a logged event
  if (waitingForStart_ || seq != applied_ + 1) startEpoch(seq);
  applied_ = seq;
  lastEventAt_ = Clock::now();
  if (zoneUuid.empty()) return;
  auto it = lastChange_.find(zoneUuid);
  if (it == lastChange_.end()) {
    lastChange_.emplace(std::string(zoneUuid), seq);
  } else {
    it->second = seq;
  }
}

void ZoneVersions::acknowledged(uint64_t seq) {
  std::lock_guard lock(mutex_);
  if (seq > acknowledged_) acknowledged_ = seq;
}

void ZoneVersions::reset() {
  std::lock_guard lock(mutex_);
  waitingForStart_ = true;
  lastChange_.clear();
}

uint64_t ZoneVersions::epoch() const {
  std::lock_guard lock(mutex_);
  return waitingForStart_ ? 0 : epoch_;
}

bool ZoneVersions::current(std::string_view zoneUuid, uint64_t serial,
                           uint64_t fetchedEpoch) const {
  std::lock_guard lock(mutex_);
  if (waitingForStart_ || fetchedEpoch == 0 || fetchedEpoch != epoch_) return false;
  if (applied_ < acknowledged_) return false;  // an answered write has not arrived yet
  auto it = lastChange_.find(zoneUuid);
  return it == lastChange_.end() || it->second <= serial;
}

bool ZoneVersions::eventSince(Clock::time_point since) const {
  std::lock_guard lock(mutex_);
  return !waitingForStart_ && lastEventAt_ >= since;
}

uint64_t ZoneVersions::applied() const {
  std::lock_guard lock(mutex_);
  return applied_;
}

size_t ZoneVersions::zonesTracked() const {
  std::lock_guard lock(mutex_);
  return lastChange_.size();
}

}  // namespace zp::api
