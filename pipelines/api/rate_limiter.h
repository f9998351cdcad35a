#pragma once
// Per-token rate limiting for the API: a token bucket per token id that refills
// at `rate` requests per second up to `burst`. Thread-safe (Pistache handler
// threads call it concurrently); the clock is passed in so tests drive it.
// Memory: one small entry per token seen; idle full buckets are dropped.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace zp::api {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // rate <= 0 turns limiting off; burst <= 0 means one second's worth.
  RateLimiter(double rate, double burst);

  bool enabled() const { return rate_ > 0; }

  // Takes one request from `key`'s bucket. Returns nullopt when allowed, or
  // the whole seconds (>= 1) after which a retry will be allowed.
  std::optional<int> acquire(const std::string& key, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  void prune(Clock::time_point now);

  double rate_;
  double burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  Clock::time_point lastPrune_{};
};

}  // namespace zp::api
