#include "pipelines/push/notify_pacer.h"

#include <algorithm>

namespace zp::push {

bool NotifyPacer::changed(const std::string& domain, int64_t nowMs) {
  sweep(nowMs);
  Zone& z = zones_[domain];
  if (!z.sent || nowMs - z.lastSent >= intervalMs_) {
    z.sent = true;
    z.lastSent = nowMs;
    if (z.pending) {  // its trailing NOTIFY was due but not sent yet: this one is it
      z.pending = false;
      pending_.erase(domain);
    }
    return true;
  }
  if (!z.pending) {
    z.pending = true;
    const int64_t at = z.lastSent + intervalMs_;
    pending_[domain] = at;
    queue_.push({at, domain});
  }
  return false;
}

std::vector<std::string> NotifyPacer::due(int64_t nowMs) {
  std::vector<std::string> out;
  while (!queue_.empty() && queue_.top().first <= nowMs) {
    const Due d = queue_.top();
    queue_.pop();
    auto p = pending_.find(d.second);
    if (p == pending_.end() || p->second != d.first) continue;  // forgotten since
    pending_.erase(p);
    Zone& z = zones_[d.second];
    z.pending = false;
    z.sent = true;
    z.lastSent = nowMs;
    out.push_back(d.second);
  }
  return out;
}

int64_t NotifyPacer::nextDueIn(int64_t nowMs, int64_t atMost) const {
  if (queue_.empty()) return atMost;
  return std::clamp<int64_t>(queue_.top().first - nowMs, 0, atMost);
}

int64_t NotifyPacer::pendingAt(const std::string& domain) const {
  auto it = pending_.find(domain);
  return it == pending_.end() ? -1 : it->second;
}

void NotifyPacer::forget(const std::string& domain) {
  zones_.erase(domain);
  pending_.erase(domain);
}

void NotifyPacer::sweep(int64_t nowMs) {
  if (nowMs - lastSweep_ < std::max<int64_t>(intervalMs_, 1000) * 10) return;
  lastSweep_ = nowMs;
  for (auto it = zones_.begin(); it != zones_.end();) {
    if (!it->second.pending && nowMs - it->second.lastSent >= intervalMs_) {
      it = zones_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace zp::push
