#include "pipelines/api/sessions.h"

#include "common/auth/token.h"

#include <openssl/crypto.h>

#include <stdexcept>
#include <vector>

namespace zp::api {

SessionStore::SessionStore(int64_t lifetimeS, size_t maxSessions)
    : lifetimeS_(lifetimeS), maxSessions_(maxSessions) {}

Session SessionStore::create(const std::string& userId, const std::string& credential,
                             int64_t now) {
  Session s{randomToken(), userId, randomToken(), now + lifetimeS_, credential};
  std::lock_guard lock(mutex_);
  if (sessions_.size() >= maxSessions_) {
    std::erase_if(sessions_, [now](const auto& kv) { return kv.second.expiresAt <= now; });
    if (sessions_.size() >= maxSessions_) sessions_.erase(sessions_.begin());
  }
  sessions_[s.id] = s;
  return s;
}

std::optional<Session> SessionStore::find(std::string_view id, int64_t now) const {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(std::string(id));
  if (it == sessions_.end() || it->second.expiresAt <= now) return std::nullopt;
  return it->second;
}

void SessionStore::erase(std::string_view id) {
  std::lock_guard lock(mutex_);
  sessions_.erase(std::string(id));
}

void SessionStore::eraseUser(std::string_view userId) {
  std::lock_guard lock(mutex_);
  std::erase_if(sessions_, [userId](const auto& kv) { return kv.second.userId == userId; });
}

std::string randomToken(size_t bytes) { return auth::randomHex(bytes); }

bool constantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.empty()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string cookieHeader(std::string_view name, std::string_view value, int64_t maxAgeS,
                         bool secure) {
  std::string out =
      std::string(name) + "=" + std::string(value) +
      "; Path=/account/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(maxAgeS);
  if (secure) out += "; Secure";
  return out;
}

}  // namespace zp::api
