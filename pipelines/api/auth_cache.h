#pragma once
// Remembers successful token lookups for a short time (500 ms by default) so
// that most requests need one round trip to the pipeline, while a revoked
// token stops working within a second. Failures are never cached.
// Thread-safe (one mutex); the caller passes the clock's `now`.

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/auth/scope.h"

namespace zp::api {

// Who a token belongs to and what it may do.
struct Principal {
  std::string userId;
  std::string tokenId;
  std::vector<std::string> permissions;  // canonical, e.g. "dns:list" or "dns:*"
  auth::Scope scope;                     // the token's limits (issue 9); empty: none
};

using TokenHash = std::array<uint8_t, 32>;

class AuthCache {
 public:
  using Clock = std::chrono::steady_clock;

  explicit AuthCache(std::chrono::milliseconds ttl = std::chrono::milliseconds(500),
                     size_t maxEntries = 100000);

  // The principal cached for `hash`, or nullptr when unknown or expired.
  std::shared_ptr<const Principal> find(const TokenHash& hash, Clock::time_point now) const;
  void insert(const TokenHash& hash, std::shared_ptr<const Principal> principal,
              Clock::time_point now);
  size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<const Principal> principal;
    Clock::time_point expires;
  };
  // The key is already a SHA-256: its first 8 bytes are a good hash, and a
  // lookup allocates nothing.
  struct KeyHash {
    size_t operator()(const TokenHash& hash) const {
      size_t h = 0;
      std::memcpy(&h, hash.data(), sizeof(h));
      return h;
    }
  };

  std::chrono::milliseconds ttl_;
  size_t maxEntries_;
  mutable std::mutex mutex_;
  std::unordered_map<TokenHash, Entry, KeyHash> entries_;
};

}  // namespace zp::api
