#pragma once
// Remembers when each token was last used, in memory, and hands the store
// one batch every `interval` (Command.tokensUsed) instead of a write per
// request (issue 9: last_used_at recorded cheaply). The caller sends the
// batch; a lost batch loses only telemetry. Thread-safe (one mutex).

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace zp::api {

class LastUsedTracker {
 public:
  using Batch = std::vector<std::pair<std::string, int64_t>>;  // token id, unix seconds

  explicit LastUsedTracker(std::chrono::seconds interval) : interval_(interval) {}

  // Notes a use at `now` (unix seconds); returns the pending batch when the
  // last one was handed out at least `interval` ago (nullopt otherwise).
  std::optional<Batch> touch(const std::string& tokenId, int64_t now);
  // Everything pending, now (before a listing, and at shutdown).
  Batch takeAll(int64_t now);

 private:
  std::chrono::seconds interval_;
  std::mutex mutex_;
  std::unordered_map<std::string, int64_t> pending_;
  int64_t lastFlush_ = 0;
};

}  // namespace zp::api
