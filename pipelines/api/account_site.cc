#include "pipelines/api/account_site.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "common/auth/password.h"
#include "common/auth/token.h"
#include "common/dns/record_type.h"
#include "common/dns/serial.h"
#include "common/schema/codec.h"
#include "common/util/ids.h"
#include "pipelines/api/account_assets.h"
#include "pipelines/api/account_pages.h"
#include "pipelines/api/change_json.h"
#include "pipelines/api/form.h"
#include "pipelines/api/html.h"
#include "pipelines/api/tokens_handler.h"

namespace zp::api {
namespace {

constexpr const char* kHtml = "text/html; charset=utf-8";
constexpr const char* kLoginPath = "/account/login/";
constexpr const char* kWrongLogin = "Wrong user name or password.";
constexpr uint32_t kMaxZonesShown = 1000;
constexpr uint32_t kChangesShown = 20;
constexpr int kMaxChecks = 4;

WebHeaders pageHeaders() {
  return {{"Content-Security-Policy", std::string(kContentSecurityPolicy)},
          {"X-Content-Type-Options", "nosniff"},
          {"X-Frame-Options", "DENY"},
          {"Referrer-Policy", "no-referrer"},
          {"Cache-Control", "no-store"}};
}

void sendPage(const WebReplyPtr& reply, int status, const PageFrame& frame, WebHeaders extra = {}) {
  WebHeaders headers = pageHeaders();
  headers.insert(headers.end(), extra.begin(), extra.end());
  reply->send(status, renderPage(frame), headers, kHtml);
}

void redirect(const WebReplyPtr& reply, const std::string& to, WebHeaders extra = {}) {
  WebHeaders headers = pageHeaders();
  headers.emplace_back("Location", to);
  headers.insert(headers.end(), extra.begin(), extra.end());
  reply->send(303, "", headers, kHtml);
}

void errorPage(const WebReplyPtr& reply, int status, const std::string& message,
               const Session* session = nullptr) {
  PageFrame frame{status == 403 ? "Refused" : "Something went wrong",
                  session ? session->userId : "", session ? session->csrf : "", errorBody(message)};
  sendPage(reply, status, frame);
}

std::string describe(schema::Record::Reader r) {
  return std::string(dns::toString(schema::fromSchema(r.getType()))) + " " + r.getName().cStr() +
         " " + r.getValue().cStr();
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::string line;
  for (char c : text + "\n") {
    if (c == '\n' || c == '\r' || c == ',') {
      while (!line.empty() && line.back() == ' ') line.pop_back();
      size_t start = line.find_first_not_of(' ');
      if (start != std::string::npos) out.push_back(line.substr(start));
      line.clear();
    } else {
      line += c;
    }
  }
  return out;
}

// A fingerprint of a password hash (sessions end when it changes).
std::string credentialOf(const std::string& passwordHash) {
  const auto digest = auth::hashSecret(passwordHash);
  return auth::toHex(std::span<const uint8_t>(digest.data(), 16));
}

// The principal the dashboard acts as: the user, every permission, no scope.
Principal dashboardPrincipal(const std::string& userId) {
  return Principal{userId, "dashboard", {"dns:*", "tokens:manage"}, {}};
}

ZoneRow zoneRow(schema::Zone::Reader z) {
  ZoneRow row;
  row.uuid = z.getUuid();
  row.domain = z.getDomain();
  row.recordCount = z.getRecordCount();
  row.soaSerial = dns::storedOrDerivedSerial(z.getSoaSerial(), z.getSerial());
  return row;
}

// Every nameserver serves the zone's current SOA serial.
void applyStatus(ZoneRow& row, const Result<deploy::PushStatus>& status) {
  if (!status) return;  // unknown
  bool ok = status->known && !status->nameservers.empty();
  for (const auto& ns : status->nameservers) {
    if (!(ns.answered && ns.inSync && ns.serial == row.soaSerial)) {
      ok = false;
      if (row.statusDetail.empty()) row.statusDetail = ns.name + ": " + ns.detail;
    }
  }
  if (!status->known) row.statusDetail = "not deployed yet";
  row.inSync = ok;
}

}  // namespace

struct AccountSite::Impl : std::enable_shared_from_this<AccountSite::Impl> {
  Impl(BusClient& b, AccountSettings s)
      : bus(b),
        settings(std::move(s)),
        sessions(settings.sessionLifetimeS),
        limiter(settings.loginLimits) {}

  BusClient& bus;
  AccountSettings settings;
  SessionStore sessions;
  LoginLimiter limiter;
  // Password checks running now: each holds a thread and 64 MiB, so at most
  // kMaxChecks at once; more logins at the same moment are asked to retry.
  std::atomic<int> checking{0};

  // Runs `f`; an exception becomes a 503 page (and a log line).
  template <typename F>
  static void guarded(const WebReplyPtr& reply, F&& f) {
    try {
      f();
    } catch (const std::exception& e) {
      spdlog::error("account page failed: {}", e.what());
      errorPage(reply, 503, "The service is busy or a part of it is down; try again shortly.");
    }
  }

  std::optional<Session> session(const WebRequest& req) {
    if (req.sessionCookie.empty()) return std::nullopt;
    return sessions.find(req.sessionCookie, nowSeconds());
  }

  // Runs `then` with the request's live session whose account still exists,
  // is not disabled and has the password it logged in with; otherwise the
  // session ends and the request is answered 303 to the login page.
  void withSession(const WebRequest& req, const WebReplyPtr& reply,
                   std::function<void(const Session&)> then) {
    auto s = session(req);
    if (!s) return redirect(reply, kLoginPath);
    auto self = shared_from_this();
    capnp::MallocMessageBuilder message;
    message.initRoot<schema::Query>().getBody().setGetUser(s->userId);
    bus.submitQuery(message, [self, reply, s = *s,
                              then = std::move(then)](Result<schema::Reply::Reader> r) {
      guarded(reply, [&] {
        if (!r && r.error().kind != ErrorKind::kNotFound) {
          return errorPage(reply, 503, "The service did not answer; try again.");
        }
        const bool valid = r && r->getBody().isUser() && !r->getBody().getUser().getDisabled() &&
                           credentialOf(r->getBody().getUser().getPasswordHash()) == s.credential;
        if (!valid) {
          self->sessions.erase(s.id);
          return redirect(reply, kLoginPath);
        }
        then(s);
      });
    });
  }

  // withSession for a POST whose form carries the session's CSRF token;
  // without it the answer is 403 and nothing happens.
  void checkedPost(const WebRequest& req, const WebReplyPtr& reply,
                   std::function<void(const Session&, const Form&)> then) {
    withSession(req, reply, [reply, body = req.body, then = std::move(then)](const Session& s) {
      auto form = parseForm(body);
      if (!form || !constantTimeEquals(formValue(*form, "csrf"), s.csrf)) {
        return errorPage(reply, 403,
                         "This form was not sent by this page (missing or wrong CSRF token). "
                         "Reload the page and try again.",
                         &s);
      }
      then(s, *form);
    });
  }

  void showZones(const Session& session, const WebReplyPtr& reply);
  void showZone(const Session& session, const std::string& uuid, const WebReplyPtr& reply);
  void createTokenFrom(const Session& s, const Form& form, const WebReplyPtr& reply);
  void revoke(const Session& s, const std::string& id, const WebReplyPtr& reply);

  void query(const std::string& userId, const WebReplyPtr& reply,
             const std::function<void(schema::Query::Builder)>& fill,
             std::function<void(schema::Reply::Reader)> then) {
    capnp::MallocMessageBuilder message;
    auto q = message.initRoot<schema::Query>();
    q.setUserId(userId);
    fill(q);
    bus.submitQuery(message, [reply, then = std::move(then)](Result<schema::Reply::Reader> r) {
      guarded(reply, [&] {
        if (!r) {
          const bool missing = r.error().kind == ErrorKind::kNotFound;
          return errorPage(reply, missing ? 404 : 503,
                           missing ? "Not found." : "The service did not answer; try again.");
        }
        then(*r);
      });
    });
  }

  void command(const std::string& userId, const WebReplyPtr& reply,
               const std::function<void(schema::Command::Builder)>& fill,
               std::function<void(Result<schema::Reply::Reader>)> then) {
    capnp::MallocMessageBuilder message;
    auto c = message.initRoot<schema::Command>();
    c.initActor().setUserId(userId);
    c.getActor().setTokenId("dashboard");
    fill(c);
    bus.submitCommand(message, [reply, then = std::move(then)](Result<schema::Reply::Reader> r) {
      guarded(reply, [&] { then(std::move(r)); });
    });
  }

  // The developers page: tokens and zones from the store, then `view` filled in.
  void showDevelopers(const Session& s, const WebReplyPtr& reply, int status,
                      std::shared_ptr<DevelopersView> view) {
    view->csrf = s.csrf;
    auto self = shared_from_this();
    auto list = [self, s, reply, status, view] {
      self->query(
          s.userId, reply, [](schema::Query::Builder q) { q.getBody().setListTokens(); },
          [self, s, reply, status, view](schema::Reply::Reader tokens) {
            for (auto t : tokens.getBody().getTokens()) view->tokens.push_back(tokenView(t));
            self->query(
                s.userId, reply,
                [](schema::Query::Builder q) {
                  q.getBody().initListZones().setLimit(kMaxZonesShown);
                },
                [s, reply, status, view](schema::Reply::Reader zones) {
                  for (auto z : zones.getBody().getZones().getItems()) {
                    view->zones.push_back(zoneRow(z));
                  }
                  sendPage(reply, status,
                           PageFrame{"Developers", s.userId, s.csrf, developersBody(*view)});
                });
          });
    };
    if (settings.flushLastUses) {
      settings.flushLastUses(s.userId, [reply, list] { guarded(reply, list); });
    } else {
      list();
    }
  }
};

AccountSite::AccountSite(BusClient& bus, AccountSettings settings)
    : impl_(std::make_shared<Impl>(bus, std::move(settings))) {}

void AccountSite::loginForm(const WebRequest& req, WebReplyPtr reply) {
  if (impl_->session(req)) return redirect(reply, "/account/");
  const std::string csrf = randomToken();
  sendPage(reply, 200, PageFrame{"Log in", "", "", loginBody(csrf, "", "")},
           {{"Set-Cookie", cookieHeader(kLoginCookie, csrf, 3600, impl_->settings.secureCookies)}});
}

void AccountSite::login(const WebRequest& req, WebReplyPtr reply) {
  auto form = parseForm(req.body);
  const std::string user = form ? formValue(*form, "user") : "";
  const std::string password = form ? formValue(*form, "password") : "";
  const std::string csrf = form ? formValue(*form, "csrf") : "";
  auto again = [reply, user, secure = impl_->settings.secureCookies](int status,
                                                                     const std::string& error) {
    // A fresh CSRF pair for the next try.
    const std::string fresh = randomToken();
    sendPage(reply, status, PageFrame{"Log in", "", "", loginBody(fresh, error, user)},
             {{"Set-Cookie", cookieHeader(kLoginCookie, fresh, 3600, secure)}});
  };
  if (!constantTimeEquals(csrf, req.loginCookie)) {
    return again(403, "This login form expired or was not sent by this site; try again.");
  }
  const int64_t now = nowSeconds();
  if (auto wait = impl_->limiter.blocked(user, req.peer, now)) {
    return again(429,
                 "Too many failed logins for this account or from this address; try again in " +
                     std::to_string((*wait + 59) / 60) + " minute(s).");
  }
  if (user.empty() || password.empty() || auth::checkUserName(user)) {
    auth::verifyDummy(password);
    impl_->limiter.failed(user, req.peer, now);
    return again(401, kWrongLogin);
  }
  auto self = impl_;
  capnp::MallocMessageBuilder message;
  message.initRoot<schema::Query>().getBody().setGetUser(user);
  impl_->bus.submitQuery(message, [self, reply, user, password, peer = req.peer,
                                   again](Result<schema::Reply::Reader> r) {
    if (!r && r.error().kind != ErrorKind::kNotFound) {
      return errorPage(reply, 503, "The service did not answer; try again.");
    }
    std::string hash;
    bool disabled = false;
    if (r && r->getBody().isUser()) {
      hash = r->getBody().getUser().getPasswordHash();
      disabled = r->getBody().getUser().getDisabled();
    }
    // Argon2id off the bus thread: the same work whether or not the user exists.
    if (self->checking.fetch_add(1) >= kMaxChecks) {
      self->checking.fetch_sub(1);
      return again(503, "Too many logins at this moment; try again in a few seconds.");
    }
    std::thread([self, reply, user, password, peer, hash, disabled, again] {
      struct Done {
        std::atomic<int>& n;
        ~Done() { n.fetch_sub(1); }
      } done{self->checking};
      Impl::guarded(reply, [&] {
        bool ok = false;
        if (hash.empty()) {
          auth::verifyDummy(password);
        } else {
          ok = auth::verifyPassword(hash, password) && !disabled;
        }
        const int64_t when = nowSeconds();
        if (!ok) {
          self->limiter.failed(user, peer, when);
          spdlog::info("failed login for user name {} from {}", sanitizeUtf8(user), peer);
          return again(401, kWrongLogin);
        }
        self->limiter.succeeded(user);
        const Session s = self->sessions.create(user, credentialOf(hash), when);
        redirect(reply, "/account/",
                 {{"Set-Cookie", cookieHeader(kSessionCookie, s.id, self->sessions.lifetime(),
                                              self->settings.secureCookies)}});
      });
    }).detach();
  });
}

void AccountSite::logout(const WebRequest& req, WebReplyPtr reply) {
  auto self = impl_;
  impl_->checkedPost(req, reply, [self, reply](const Session& s, const Form&) {
    self->sessions.erase(s.id);
    redirect(reply, kLoginPath,
             {{"Set-Cookie", cookieHeader(kSessionCookie, "", 0, self->settings.secureCookies)}});
  });
}

void AccountSite::zones(const WebRequest& req, WebReplyPtr reply) {
  auto self = impl_;
  impl_->withSession(req, reply, [self, reply](const Session& s) { self->showZones(s, reply); });
}

void AccountSite::zone(const WebRequest& req, WebReplyPtr reply) {
  auto self = impl_;
  impl_->withSession(req, reply, [self, reply, uuid = req.param](const Session& s) {
    self->showZone(s, uuid, reply);
  });
}

void AccountSite::developers(const WebRequest& req, WebReplyPtr reply) {
  auto self = impl_;
  impl_->withSession(req, reply, [self, reply](const Session& s) {
    self->showDevelopers(s, reply, 200, std::make_shared<DevelopersView>());
  });
}

void AccountSite::createToken(const WebRequest& req, WebReplyPtr reply) {
  auto self = impl_;
  impl_->checkedPost(req, reply, [self, reply](const Session& s, const Form& form) {
    self->createTokenFrom(s, form, reply);
  });
}

void AccountSite::revokeToken(const WebRequest& req, WebReplyPtr reply) {
  auto self = impl_;
  impl_->checkedPost(req, reply, [self, reply, id = req.param](const Session& s, const Form&) {
    self->revoke(s, id, reply);
  });
}

void AccountSite::Impl::showZones(const Session& session, const WebReplyPtr& reply) {
  const Session* s = &session;
  auto self = shared_from_this();
  query(
      s->userId, reply,
      [](schema::Query::Builder q) { q.getBody().initListZones().setLimit(kMaxZonesShown); },
      [self, s = *s, reply](schema::Reply::Reader r) {
        auto rows = std::make_shared<std::vector<ZoneRow>>();
        for (auto z : r.getBody().getZones().getItems()) rows->push_back(zoneRow(z));
        auto done = [s, reply, rows] {
          sendPage(reply, 200, PageFrame{"Your zones", s.userId, s.csrf, zonesBody(*rows)});
        };
        if (rows->empty()) return done();
        // One status question per zone, answered in any order; the last one renders.
        auto left = std::make_shared<std::atomic<size_t>>(rows->size());
        for (size_t i = 0; i < rows->size(); ++i) {
          self->bus.submitStatus((*rows)[i].domain,
                                 [reply, rows, i, left, done](Result<deploy::PushStatus> status) {
                                   Impl::guarded(reply, [&] {
                                     applyStatus((*rows)[i], status);
                                     if (left->fetch_sub(1) == 1) done();
                                   });
                                 });
        }
      });
}

void AccountSite::Impl::showZone(const Session& session, const std::string& uuid,
                                 const WebReplyPtr& reply) {
  const Session* s = &session;
  if (!looksLikeUuid(uuid)) return errorPage(reply, 404, "No such zone.", s);
  auto self = shared_from_this();
  query(
      s->userId, reply, [&](schema::Query::Builder q) { q.getBody().setGetZone(uuid); },
      [self, s = *s, reply, uuid](schema::Reply::Reader r) {
        auto detail = r.getBody().getZone();
        auto row = std::make_shared<ZoneRow>(zoneRow(detail.getZone()));
        auto records = std::make_shared<std::vector<dns::Record>>();
        for (auto rec : detail.getRecords()) records->push_back(schema::fromSchema(rec));
        self->query(
            s.userId, reply,
            [&](schema::Query::Builder q) {
              auto g = q.getBody().initZoneChanges();
              g.setZoneUuid(uuid);
              g.setLimit(kChangesShown);
            },
            [self, s, reply, row, records](schema::Reply::Reader events) {
              auto changes = std::make_shared<std::vector<ChangeRow>>();
              for (auto ev : events.getBody().getEvents().getItems()) {
                ChangeRow c;
                c.time = ev.getTime();
                c.serial = dns::storedOrDerivedSerial(ev.getSoaSerial(), ev.getSeq());
                auto ch = ev.getChange();
                c.action = changeAction(ch.which());
                if (ch.isRecordCreated()) c.what = describe(ch.getRecordCreated());
                if (ch.isRecordDeleted()) c.what = describe(ch.getRecordDeleted());
                if (ch.isRecordUpdated()) c.what = describe(ch.getRecordUpdated().getAfter());
                changes->push_back(std::move(c));
              }
              self->bus.submitStatus(row->domain, [s, reply, row, records,
                                                   changes](Result<deploy::PushStatus> status) {
                Impl::guarded(reply, [&] {
                  applyStatus(*row, status);
                  sendPage(
                      reply, 200,
                      PageFrame{row->domain, s.userId, s.csrf, zoneBody(*row, *records, *changes)});
                });
              });
            });
      });
}

void AccountSite::Impl::createTokenFrom(const Session& s, const Form& form,
                                        const WebReplyPtr& reply) {
  TokenRequest request;
  request.name = formValue(form, "name");
  request.permissions = formValues(form, "permissions");
  request.scope.zones = formValues(form, "zones");
  request.scope.recordTypes = formValues(form, "record_types");
  request.scope.names = lines(formValue(form, "names"));
  request.scope.allowedIps = lines(formValue(form, "allowed_ips"));
  auto view = std::make_shared<DevelopersView>();
  const std::string expires = formValue(form, "expires_at");
  if (!expires.empty()) {
    auto at = parseIsoTime(expires);
    if (!at) {
      view->error = "expires_at must be an ISO 8601 time with a zone, such as 2027-01-01T00:00:00Z";
      return showDevelopers(s, reply, 400, view);
    }
    request.scope.expiresAt = *at;
  }
  auto token = prepareToken(std::move(request), dashboardPrincipal(s.userId), nowSeconds());
  if (!token) {
    view->error = token.error().detail;
    return showDevelopers(s, reply, 400, view);
  }
  auto self = shared_from_this();
  auto secret = std::make_shared<const std::string>(token->secret);
  command(
      s.userId, reply, [&](schema::Command::Builder c) { fillCreateToken(*token, c); },
      [self, s = s, reply, view, secret](Result<schema::Reply::Reader> r) {
        if (!r || !r->getBody().isTokenCreated()) {
          view->error = r ? "the store answered with something else" : r.error().detail;
          return self->showDevelopers(s, reply, r ? 503 : 400, view);
        }
        view->created = tokenView(r->getBody().getTokenCreated());
        view->secret = *secret;
        self->showDevelopers(s, reply, 201, view);
      });
}

void AccountSite::Impl::revoke(const Session& s, const std::string& id, const WebReplyPtr& reply) {
  if (!looksLikeTokenId(id)) return errorPage(reply, 404, "No such token.", &s);
  command(
      s.userId, reply, [&](schema::Command::Builder c) { c.getBody().setRevokeOwnToken(id); },
      [reply, s](Result<schema::Reply::Reader> r) {
        if (!r) return errorPage(reply, 404, "No such token: " + r.error().detail, &s);
        redirect(reply, "/account/developers/");
      });
}

void AccountSite::asset(const std::string& name, const WebReplyPtr& reply) {
  WebHeaders headers = {{"X-Content-Type-Options", "nosniff"}, {"Cache-Control", "max-age=300"}};
  if (name == "app.js") {
    return reply->send(200, std::string(kAppJs), headers, "text/javascript; charset=utf-8");
  }
  if (name == "app.css")
    return reply->send(200, std::string(kAppCss), headers, "text/css; charset=utf-8");
  errorPage(reply, 404, "No such file.");
}

}  // namespace zp::api
