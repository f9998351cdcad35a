#pragma once
// Login attempt limits (issue 9): failed logins are counted per user name
// (whether or not the account exists, so the limit tells nothing about which
// names exist) and per client address, in a sliding window. Over either
// limit, logins are refused for the rest of the window with the same answer
// for every name. A success clears the name's count (not the address's).
// Thread-safe (one mutex); the caller passes the clock.

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace zp::api {

struct LoginLimits {
  int perUser = 5;        // failures of one name per window
  int perAddress = 20;    // failures from one address per window
  int64_t windowS = 900;  // 15 minutes
};

class LoginLimiter {
 public:
  explicit LoginLimiter(LoginLimits limits = {}) : limits_(limits) {}

  // Seconds until `user` from `address` may try again, or nullopt when it may now.
  std::optional<int64_t> blocked(const std::string& user, const std::string& address, int64_t now);
  void failed(const std::string& user, const std::string& address, int64_t now);
  void succeeded(const std::string& user);

 private:
  using Times = std::deque<int64_t>;
  std::optional<int64_t> over(Times& times, int limit, int64_t now);

  LoginLimits limits_;
  std::mutex mutex_;
  std::unordered_map<std::string, Times> users_, addresses_;
};

}  // namespace zp::api
