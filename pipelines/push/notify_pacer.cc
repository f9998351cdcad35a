#include "pipelines/push/notify_pacer.h"

#include <algorithm>

namespace zp::push {

bool NotifyPacer::changed(const std::string& domain, int64_t nowMs) {
  sweep(nowMs);
  auto [last, first] = lastSent_.try_emplace(domain, nowMs);
  if (first || nowMs - last->second >= intervalMs_) {
    last->second = nowMs;
    pending_.erase(domain);  // a trailing NOTIFY due but not sent yet: this one is it
    return true;
  }
  const int64_t at = last->second + intervalMs_;
  if (pending_.try_emplace(domain, at).second) queue_.push({at, domain});
  return false;
}

std::vector<std::string> NotifyPacer::due(int64_t nowMs) {
  std::vector<std::string> out;
  while (!queue_.empty() && queue_.top().first <= nowMs) {
    const Due d = queue_.top();
    queue_.pop();
    auto p = pending_.find(d.second);
    if (p == pending_.end() || p->second != d.first) continue;  // forgotten or sent since
    pending_.erase(p);
    lastSent_[d.second] = nowMs;
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
  lastSent_.erase(domain);
  pending_.erase(domain);
}

void NotifyPacer::sweep(int64_t nowMs) {
  if (nowMs - lastSweep_ < std::max<int64_t>(intervalMs_, 1000) * 10) return;
  lastSweep_ = nowMs;
  for (auto it = lastSent_.begin(); it != lastSent_.end();) {
    if (pending_.count(it->first) == 0 && nowMs - it->second >= intervalMs_) {
      it = lastSent_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace zp::push
