#pragma once
// The account pages served by the API process (issue 9): login, logout, the
// user's zones, a zone's records and history, and /account/developers/ (the
// token dashboard). No HTTP library types here: server.cc turns each Pistache
// request into a WebRequest and answers through a WebReply; everything else
// (sessions, CSRF, login limits, store queries, pages) happens here.
//
// Rules: a GET without a live session answers 303 to /account/login/; every
// POST needs the session's CSRF token (the login form: the token of its
// zp_login cookie), else 403; failed logins are limited per user name and
// per address (login_limiter.h) and answer the same sentence, after the same
// Argon2id work, for an unknown user, a disabled one and a wrong password.
// Tokens are created with tokens_handler.h's functions, like POST /tokens/.
// Every page carries html.h's Content-Security-Policy.
//
// Thread-safe: handlers run on Pistache threads, continuations on the
// BusClient thread; password checks run on a short-lived thread of their own
// (Argon2id takes ~0.3 s and 64 MiB here) so neither stalls; at most 4 run at
// once (more logins at that moment get 503 and a sentence asking to retry).
// Borrows the BusClient, which must outlive it.

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pipelines/api/bus_client.h"
#include "pipelines/api/login_limiter.h"
#include "pipelines/api/sessions.h"

namespace zp::api {

using WebHeaders = std::vector<std::pair<std::string, std::string>>;

struct WebRequest {
  std::string body;
  std::string peer;           // client address
  std::string sessionCookie;  // value of zp_session, "" when absent
  std::string loginCookie;    // value of zp_login
  std::string param;          // the path's {uuid} or {id}, "" when none
};

// Where an answer goes (one per request; send() at most once).
class WebReply {
 public:
  virtual ~WebReply() = default;
  virtual void send(int status, const std::string& body, const WebHeaders& headers,
                    const std::string& contentType) = 0;
};
using WebReplyPtr = std::shared_ptr<WebReply>;

struct AccountSettings {
  int64_t sessionLifetimeS = 8 * 3600;  // account.session_lifetime_s
  bool secureCookies = false;           // account.secure_cookies: served over TLS
  LoginLimits loginLimits;
  // Writes the API's pending token last uses before the dashboard lists
  // tokens; runs `then` afterwards (may be empty).
  std::function<void(const std::string& userId, std::function<void()> then)> flushLastUses;
};

class AccountSite {
 public:
  AccountSite(BusClient& bus, AccountSettings settings);

  void loginForm(const WebRequest& req, WebReplyPtr reply);
  void login(const WebRequest& req, WebReplyPtr reply);
  void logout(const WebRequest& req, WebReplyPtr reply);
  void zones(const WebRequest& req, WebReplyPtr reply);
  void zone(const WebRequest& req, WebReplyPtr reply);
  void developers(const WebRequest& req, WebReplyPtr reply);
  void createToken(const WebRequest& req, WebReplyPtr reply);
  void revokeToken(const WebRequest& req, WebReplyPtr reply);
  // /account/static/app.js and app.css ("" for anything else: 404).
  static void asset(const std::string& name, const WebReplyPtr& reply);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace zp::api
