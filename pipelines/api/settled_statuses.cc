#include "pipelines/api/settled_statuses.h"

namespace zp::api {

bool SettledStatuses::settledAt(const deploy::PushStatus& status, uint32_t soaSerial) {
  if (!status.known || !status.lastError.empty() || status.nameservers.empty()) return false;
  for (const auto& ns : status.nameservers) {
    if (!ns.answered || ns.serial != soaSerial) return false;
  }
  return true;
}

void SettledStatuses::remember(const std::string& domain, const deploy::PushStatus& status,
                               Clock::time_point askedAt) {
  std::lock_guard lock(mutex_);
  if (status.nameservers.empty() || !settledAt(status, status.nameservers.front().serial)) {
    entries_.erase(domain);
    return;
  }
  if (entries_.size() >= kMaxEntries && !entries_.contains(domain)) entries_.clear();
  auto& entry = entries_[domain];
  if (entry.askedAt > askedAt) return;  // a later answer is already here
  entry = Entry{status, askedAt};
}

std::optional<deploy::PushStatus> SettledStatuses::find(std::string_view domain, uint32_t soaSerial,
                                                        Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(domain);
  if (it == entries_.end() || now - it->second.askedAt >= kReuseWindow) return std::nullopt;
  if (!settledAt(it->second.status, soaSerial)) return std::nullopt;
  return it->second.status;
}

}  // namespace zp::api
