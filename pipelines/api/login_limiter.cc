#include "pipelines/api/login_limiter.h"

#include <algorithm>

namespace zp::api {

std::optional<int64_t> LoginLimiter::over(Times& times, int limit, int64_t now) {
  while (!times.empty() && times.front() <= now - limits_.windowS) times.pop_front();
  if (static_cast<int>(times.size()) < limit) return std::nullopt;
  return std::max<int64_t>(1, times.front() + limits_.windowS - now);
}

std::optional<int64_t> LoginLimiter::blocked(const std::string& user, const std::string& address,
                                             int64_t now) {
  std::lock_guard lock(mutex_);
  auto byUser = over(users_[user], limits_.perUser, now);
  auto byAddress = over(addresses_[address], limits_.perAddress, now);
  if (users_[user].empty()) users_.erase(user);
  if (addresses_[address].empty()) addresses_.erase(address);
  if (byUser && byAddress) return std::max(*byUser, *byAddress);
  return byUser ? byUser : byAddress;
}

void LoginLimiter::failed(const std::string& user, const std::string& address, int64_t now) {
  std::lock_guard lock(mutex_);
  if (users_.size() > 100000) users_.clear();  // a flood of names: start over
  if (addresses_.size() > 100000) addresses_.clear();
  users_[user].push_back(now);
  addresses_[address].push_back(now);
}

void LoginLimiter::succeeded(const std::string& user) {
  std::lock_guard lock(mutex_);
  users_.erase(user);
}

}  // namespace zp::api
