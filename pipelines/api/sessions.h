#pragma once
// Dashboard sessions (issue 9): a random session id in a cookie, kept in this
// API process's memory with its user, its CSRF token and its expiry. Logout
// erases it, so a copied cookie stops working at once. Sessions are not shared
// between API instances (serve the pages from one, or pin a browser to one)
// and do not survive a restart (users log in again).
// Thread-safe (one mutex); the caller passes the clock.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace zp::api {

struct Session {
  std::string id;  // 64 hex characters (256 bits from the OS's CSPRNG)
  std::string userId;
  std::string csrf;       // 64 hex characters; every state-changing form carries it
  int64_t expiresAt = 0;  // unix seconds
  // A fingerprint of the account's password hash at login: when the account's
  // hash changes (`user passwd`), its sessions end (account_site.cc).
  std::string credential;
};

class SessionStore {
 public:
  // `lifetimeS`: how long a session lasts from login (account.session_lifetime_s).
  explicit SessionStore(int64_t lifetimeS, size_t maxSessions = 100000);

  Session create(const std::string& userId, const std::string& credential, int64_t now);
  // The live session `id` names, or nullopt (unknown, expired, logged out).
  std::optional<Session> find(std::string_view id, int64_t now) const;
  void erase(std::string_view id);
  // Ends every session of `userId` (a disabled account, a changed password).
  void eraseUser(std::string_view userId);
  int64_t lifetime() const { return lifetimeS_; }

 private:
  int64_t lifetimeS_;
  size_t maxSessions_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Session> sessions_;
};

// 2 * `bytes` lower-case hex characters from the OS's CSPRNG.
std::string randomToken(size_t bytes = 32);

// Compares in time independent of where the inputs differ (CSRF tokens).
bool constantTimeEquals(std::string_view a, std::string_view b);

// The Set-Cookie value for a cookie valid below /account/: HttpOnly,
// SameSite=Strict, Secure when `secure` (the pages are served over TLS),
// Max-Age `maxAgeS` (0: delete it).
std::string cookieHeader(std::string_view name, std::string_view value, int64_t maxAgeS,
                         bool secure);

inline constexpr std::string_view kSessionCookie = "zp_session";
inline constexpr std::string_view kLoginCookie = "zp_login";  // the login form's CSRF pair

}  // namespace zp::api
