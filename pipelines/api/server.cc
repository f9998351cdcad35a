#include "pipelines/api/server.h"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/router.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/auth/token.h"
#include "common/dns/record_type.h"
#include "common/dns/serial.h"
#include "common/dns/zone_text.h"
#include "common/schema/codec.h"
#include "common/util/ids.h"
#include "pipelines/api/account_site.h"
#include "pipelines/api/auth_cache.h"
#include "pipelines/api/change_json.h"
#include "pipelines/api/deployment_json.h"
#include "pipelines/api/errors.h"
#include "pipelines/api/http_metrics.h"
#include "pipelines/api/last_used.h"
#include "pipelines/api/openapi.h"
#include "pipelines/api/pagination.h"
#include "pipelines/api/query_string.h"
#include "pipelines/api/rate_limiter.h"
#include "pipelines/api/record_merge.h"
#include "pipelines/api/request_body.h"
#include "pipelines/api/resource_json.h"
#include "pipelines/api/routes.h"
#include "pipelines/api/tokens_handler.h"
#include "pipelines/api/zone_cache.h"

namespace zp::api {
namespace {

using namespace Pistache;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kBase = "/api/v1";
// Pistache answers requests over its maxRequestSize itself, with a text/plain
// 413 our handlers never see. So its buffer limit sits well above our body
// limit (it grows on demand, it is not preallocated) and every oversized body a
// real client sends gets our JSON 413; only absurd ones hit Pistache's.
size_t pistacheRequestLimit(size_t bodyLimit) {
  return std::max<size_t>(bodyLimit * 16, size_t{16} << 20) + 64 * 1024;
}

// A response header by name. Pistache 0.0.5 never writes headers added with
// addRaw(), only typed ones, so every extra header goes out as this type.
class NamedHeader : public Http::Header::Header {
 public:
  NamedHeader(std::string name, std::string value)
      : name_(std::move(name)), value_(std::move(value)) {}
  const char* name() const override { return name_.c_str(); }
  void parse(const std::string& data) override { value_ = data; }
  void write(std::ostream& stream) const override { stream << value_; }
  uint64_t hash() const override { return Http::Header::detail::hash(name_.c_str()); }

 private:
  std::string name_;
  std::string value_;
};

Error internalError(std::string detail) { return {ErrorKind::kInternal, "", std::move(detail)}; }

// One HTTP request in progress: owns the ResponseWriter until it is answered,
// and counts itself in the server's in-flight gauge. Handed from the handler
// thread to the BusClient thread (never used by two threads at once). If it
// is destroyed unanswered (a bug), the client still gets a 503.
class Exchange {
 public:
  Exchange(Http::ResponseWriter writer, std::atomic<int>& inFlight, std::string what, bool head,
           std::string peerAddress, HttpMetrics* metrics)
      : peer(std::move(peerAddress)),
        metrics_(metrics),
        writer_(std::move(writer)),
        inFlight_(inFlight),
        what_(std::move(what)),
        head_(head),
        started_(std::chrono::steady_clock::now()) {
    inFlight_.fetch_add(1);
  }
  ~Exchange() {
    if (!answered_) {
      spdlog::error("{} was left unanswered; answering 503", what_);
      fail(internalError("request left unanswered"));
    }
    inFlight_.fetch_sub(1);
  }
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  // `contentType` empty: application/json.
  void send(int status, const std::string& body, const Headers& headers = {},
            const std::string& contentType = {}) {
    if (answered_) return;
    answered_ = true;
    try {
      for (const auto& [name, value] : headers) {
        if (name == "Location") {
          writer_.headers().add<Http::Header::Location>(value);
        } else {
          writer_.headers().add(std::make_shared<NamedHeader>(name, value));
        }
      }
      if (head_ || (body.empty() && status == 204)) {  // HEAD answers carry no body
        writer_.send(static_cast<Http::Code>(status));
      } else if (!contentType.empty()) {
        writer_.send(static_cast<Http::Code>(status), body,
                     Http::Mime::MediaType::fromString(contentType));
      } else {
        writer_.send(static_cast<Http::Code>(status), body, MIME(Application, Json));
      }
    } catch (const std::exception& e) {
      spdlog::debug("{}: the client went away before the answer ({})", what_, e.what());
    }
    const auto elapsed = std::chrono::steady_clock::now() - started_;
    if (metrics_) metrics_->answered(what_, status, std::chrono::duration<double>(elapsed).count());
    if (spdlog::should_log(spdlog::level::debug)) {
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
      spdlog::debug("{} -> {} in {} us", what_, status, us);
    }
  }

  void fail(const Error& error, const Headers& extra = {}) {
    if (error.kind == ErrorKind::kInternal) {
      spdlog::error("{}: internal error: {}; answering 503", what_, error.detail);
    }
    HttpError http = toHttp(error);
    http.headers.insert(http.headers.end(), extra.begin(), extra.end());
    send(http.status, http.body, http.headers);
  }

  bool answered() const { return answered_; }
  const std::string& what() const { return what_; }

  const std::string peer;  // the client's address ("192.0.2.1", "2001:db8::1")
  std::shared_ptr<const Principal> principal;
  std::optional<auth::Permission> needed;  // of the route; nullopt: public

 private:
  HttpMetrics* metrics_;  // null: not counted
  Http::ResponseWriter writer_;
  std::atomic<int>& inFlight_;
  std::string what_;  // "GET /api/v1/..." for logs
  bool head_;         // a HEAD request: never send a body
  std::chrono::steady_clock::time_point started_;
  bool answered_ = false;
};

using ExchangePtr = std::shared_ptr<Exchange>;
using Next = std::function<void(const ExchangePtr&)>;

// Runs `f`; any exception becomes a 503 for the client and an error log.
template <typename F>
void guarded(const ExchangePtr& ex, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    ex->fail(internalError(e.what()));
  } catch (...) {
    ex->fail(internalError("unknown exception"));
  }
}

std::string lowerAscii(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

std::string upperAscii(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

// A path uuid, lower-cased, or nullopt when it cannot be one (answer 404
// without asking the store).
std::optional<std::string> pathUuid(const Rest::Request& req) {
  std::string raw = req.param(":uuid").as<std::string>();
  if (!looksLikeUuid(raw)) return std::nullopt;
  return lowerAscii(std::move(raw));
}

Error notFound(std::string_view what) {
  return {ErrorKind::kNotFound, "", std::string(what) + " not found"};
}

std::string zonePath(std::string_view uuid) {
  return std::string(kBase) + "/dns-zones/" + std::string(uuid) + "/";
}
std::string recordPath(std::string_view uuid) {
  return std::string(kBase) + "/dns-records/" + std::string(uuid) + "/";
}

Headers listHeaders(std::string_view path, std::span<const QueryParam> filters, const Page& page,
                    uint64_t total) {
  Headers headers = {{"X-Total-Count", std::to_string(total)}};
  std::string link = linkHeader(path, filters, page, total);
  if (!link.empty()) headers.emplace_back("Link", std::move(link));
  return headers;
}

// The zone detail's two halves, from the store (cached zone JSON) and from the
// pusher (deployment status), arriving in either order, on the BusClient
// thread (or the caller's while the bus stops): the second one answers.
class ZoneDetailJoin {
 public:
  explicit ZoneDetailJoin(ExchangePtr ex) : ex_(std::move(ex)) {}

  // `soaSerial`: the SOA serial of the zone version `json` shows.
  void setZone(std::shared_ptr<const std::string> json, uint32_t soaSerial) {
    std::lock_guard lock(mutex_);
    json_ = std::move(json);
    soaSerial_ = soaSerial;
    answerIfComplete();
  }
  // An unavailable pusher is an unknown status, never an error of the read.
  void setStatus(Result<deploy::PushStatus> status) {
    std::lock_guard lock(mutex_);
    haveStatus_ = true;
    if (status) status_ = std::move(status).value();
    answerIfComplete();
  }

 private:
  void answerIfComplete() {
    if (!json_ || !haveStatus_ || ex_->answered()) return;
    ex_->send(200, withDeployment(*json_, soaSerial_, status_));
  }

  ExchangePtr ex_;
  std::mutex mutex_;
  std::shared_ptr<const std::string> json_;
  uint32_t soaSerial_ = 0;
  bool haveStatus_ = false;
  std::optional<deploy::PushStatus> status_;
};

constexpr const char* kZoneFileType = "text/dns";

std::vector<dns::Record> recordsFrom(capnp::List<schema::Record>::Reader list) {
  std::vector<dns::Record> out;
  out.reserve(list.size());
  for (auto r : list) out.push_back(schema::fromSchema(r));
  return out;
}

}  // namespace

struct ApiServer::Impl {
  Impl(const config::Config& config, BusClient& busClient, HttpMetrics* httpMetrics)
      : cfg(config),
        bus(busClient),
        metrics(httpMetrics),
        endpoint(Address(cfg.apiAddress, Port(cfg.apiPort))) {}

  const config::Config cfg;
  BusClient& bus;
  HttpMetrics* metrics;
  const dns::ZoneFileSettings zoneFileSettings = dns::settingsFrom(cfg);
  AuthCache authCache;
  RateLimiter rateLimiter{cfg.apiRateLimit, cfg.apiRateBurst};
  LastUsedTracker lastUsed{std::chrono::seconds(std::max(cfg.apiLastUsedFlushS, 1))};
  AccountSite account{bus, accountSettings()};
  ZoneCache zoneCache;
  std::atomic<int> inFlight{0};
  std::atomic<bool> draining{false};
  Rest::Router router;
  Http::Endpoint endpoint;
  bool started = false;

  // --- plumbing -----------------------------------------------------------

  AccountSettings accountSettings() {
    AccountSettings s;
    s.sessionLifetimeS = std::max<int64_t>(cfg.accountSessionLifetimeS, 60);
    s.secureCookies = cfg.accountSecureCookies != 0;
    s.flushLastUses = [this](const std::string& userId, std::function<void()> then) {
      reportLastUses(Principal{userId, "dashboard", {}, {}}, lastUsed.takeAll(nowSeconds()),
                     std::move(then));
    };
    return s;
  }

  // Starts an exchange; nullptr when the request was already answered
  // (the server is draining).
  ExchangePtr open(const Rest::Request& req, Http::ResponseWriter rw) {
    std::string what = std::string(Http::methodString(req.method())) + " " +
                       sanitizeUtf8(req.resource().substr(0, 300));
    auto ex = std::make_shared<Exchange>(std::move(rw), inFlight, std::move(what),
                                         req.method() == Http::Method::Head, req.address().host(),
                                         metrics);
    if (draining.load()) {
      ex->fail({ErrorKind::kUnavailable, "", "the API is shutting down; try again shortly"});
      return nullptr;
    }
    return ex;
  }

  // Authenticates the request's bearer token (cache, else one store query),
  // checks the route's permission (ex->needed, from kRoutes), then runs `next`
  // with ex->principal set. Errors answer the request. `next` runs on this
  // thread or on the BusClient thread.
  void authorize(const ExchangePtr& ex, const Rest::Request& req, Next next) {
    if (!ex->needed) throw std::logic_error("authorize() called on a public route");
    const auth::Permission needed = *ex->needed;
    const auto header = req.headers().tryGetRaw("Authorization");
    auto bearer = auth::bearerFromHeader(header ? std::string_view(header->value()) : "");
    if (!bearer) return ex->fail(bearer.error());
    const TokenHash hash = auth::hashSecret(*bearer);
    if (auto cached = authCache.find(hash, AuthCache::Clock::now())) {
      ex->principal = std::move(cached);
      return permit(ex, needed, next);
    }
    capnp::MallocMessageBuilder message;
    auto query = message.initRoot<schema::Query>();
    query.getBody().setAuthenticate(kj::arrayPtr(hash.data(), hash.size()));
    bus.submitQuery(message, [this, ex, hash, needed,
                              next = std::move(next)](Result<schema::Reply::Reader> reply) {
      guarded(ex, [&] {
        if (!reply) return ex->fail(reply.error());
        if (!reply->getBody().isPrincipal()) {
          return ex->fail(internalError("the store answered authenticate with another body"));
        }
        auto p = reply->getBody().getPrincipal();
        auto principal = std::make_shared<Principal>();
        principal->userId = p.getUserId();
        principal->tokenId = p.getTokenId();
        for (auto perm : p.getPermissions()) principal->permissions.emplace_back(perm);
        if (p.hasScope()) principal->scope = schema::fromSchema(p.getScope());
        authCache.insert(hash, principal, AuthCache::Clock::now());
        ex->principal = std::move(principal);
        permit(ex, needed, next);
      });
    });
  }

  // The token's expiry and addresses (401), its last use, the per-token rate
  // limit (api.rate_limit), then the route's permission.
  void permit(const ExchangePtr& ex, auth::Permission needed, const Next& next) {
    const int64_t now = nowSeconds();
    if (auto refused = auth::checkRequest(ex->principal->scope, now, ex->peer)) {
      return ex->fail(*refused);
    }
    if (auto batch = lastUsed.touch(ex->principal->tokenId, now)) {
      reportLastUses(*ex->principal, std::move(batch).value(), nullptr);
    }
    if (auto retryAfter = rateLimiter.acquire(ex->principal->tokenId)) {
      return ex->fail({ErrorKind::kRateLimited, "",
                       "too many requests for this token (limit " +
                           std::to_string(static_cast<long>(cfg.apiRateLimit)) +
                           "/s); retry after " + std::to_string(*retryAfter) + " s"},
                      {{"Retry-After", std::to_string(*retryAfter)}});
    }
    if (!auth::allows(ex->principal->permissions, needed)) {
      return ex->fail({ErrorKind::kPermission, "",
                       "token lacks the " + std::string(auth::toString(needed)) + " permission"});
    }
    guarded(ex, [&] { next(ex); });
  }

  // Checks the body size limit; false when the request was answered 413.
  bool bodyFits(const ExchangePtr& ex, const std::string& body) {
    if (body.size() <= cfg.apiMaxBody) return true;
    ex->fail(
        {ErrorKind::kPayloadTooLarge, "",
         "request body is larger than the limit of " + std::to_string(cfg.apiMaxBody) + " bytes"});
    return false;
  }

  void setActor(schema::Command::Builder command, const Principal& principal) {
    auto actor = command.initActor();
    actor.setUserId(principal.userId);
    actor.setTokenId(principal.tokenId);
    // The store enforces the token's zones, record types and names.
    if (!principal.scope.unlimited()) schema::toSchema(principal.scope, command.initScope());
  }

  // Sends the tokens' last uses to the store (Command.tokensUsed); `then`
  // (may be null) runs when it answered, whatever the outcome: a lost report
  // loses only telemetry.
  void reportLastUses(const Principal& principal, const LastUsedTracker::Batch& batch,
                      std::function<void()> then) {
    if (batch.empty()) {
      if (then) then();
      return;
    }
    capnp::MallocMessageBuilder message;
    auto c = message.initRoot<schema::Command>();
    setActor(c, principal);
    auto list = c.getBody().initTokensUsed(static_cast<unsigned>(batch.size()));
    for (unsigned i = 0; i < batch.size(); ++i) {
      list[i].setId(batch[i].first);
      list[i].setTime(batch[i].second);
    }
    bus.submitCommand(message, [then = std::move(then)](Result<schema::Reply::Reader> r) {
      if (!r) spdlog::warn("could not record tokens' last use: {}", r.error().detail);
      if (then) then();
    });
  }

  // Sends a query for this exchange's user; `onReply` runs guarded, only for
  // successful replies (errors answer the request).
  void query(const ExchangePtr& ex, const std::function<void(schema::Query::Builder)>& fill,
             std::function<void(schema::Reply::Reader)> onReply) {
    capnp::MallocMessageBuilder message;
    auto q = message.initRoot<schema::Query>();
    q.setUserId(ex->principal->userId);
    if (!ex->principal->scope.unlimited()) schema::toSchema(ex->principal->scope, q.initScope());
    fill(q);
    bus.submitQuery(message, [ex, onReply = std::move(onReply)](Result<schema::Reply::Reader> r) {
      guarded(ex, [&] {
        if (!r) return ex->fail(r.error());
        onReply(*r);
      });
    });
  }

  void command(const ExchangePtr& ex, const std::function<void(schema::Command::Builder)>& fill,
               std::function<void(schema::Reply::Reader)> onReply) {
    capnp::MallocMessageBuilder message;
    auto c = message.initRoot<schema::Command>();
    setActor(c, *ex->principal);
    fill(c);
    bus.submitCommand(message, [ex, onReply = std::move(onReply)](Result<schema::Reply::Reader> r) {
      guarded(ex, [&] {
        if (!r) return ex->fail(r.error());
        onReply(*r);
      });
    });
  }

  // Wraps a member handler: exchange, the route's permission, try/catch,
  // never a Pistache 500.
  template <typename Handler>
  Rest::Route::Handler bind(Handler handler, std::optional<auth::Permission> needed,
                            QueryKind query = QueryKind::kNone) {
    return [this, handler, needed, query](const Rest::Request& req, Http::ResponseWriter rw) {
      ExchangePtr ex;
      try {
        ex = open(req, std::move(rw));
        if (!ex) return Rest::Route::Result::Ok;
        ex->needed = needed;
        std::vector<std::string> given;
        for (auto p = req.query().parameters_begin(); p != req.query().parameters_end(); ++p) {
          given.push_back(p->first);
        }
        if (auto unknown = unknownQueryParameter(query, given)) {
          const Error refused = Error::validation(
              sanitizeUtf8(unknown->substr(0, 100)),
              "this endpoint takes no query parameter `" + sanitizeUtf8(unknown->substr(0, 100)) +
                  "`; unknown parameters are refused rather than ignored (see the OpenAPI "
                  "document for the ones each endpoint takes)");
          if (!needed) {
            ex->fail(refused);
          } else {
            authorize(ex, req, [refused](const ExchangePtr& x) { x->fail(refused); });
          }
          return Rest::Route::Result::Ok;
        }
        (this->*handler)(ex, req);
      } catch (const std::exception& e) {
        if (ex)
          ex->fail(internalError(e.what()));
        else
          spdlog::error("a request failed before it could be answered: {}", e.what());
      }
      return Rest::Route::Result::Ok;
    };
  }

  // --- zones ----------------------------------------------------------------

  void listZones(const ExchangePtr& ex, const Rest::Request& req) {
    auto page = parsePage(req.query().get("page"), req.query().get("page_size"));
    auto domainRaw = req.query().get("domain");
    authorize(ex, req, [this, page, domainRaw](const ExchangePtr& x) {
      if (!page) return x->fail(page.error());
      std::string domain;
      if (domainRaw) {
        auto filter = domainFilter(*domainRaw);
        if (!filter) return x->fail(filter.error());
        domain = std::move(filter).value();
      }
      const Page p = *page;
      query(
          x,
          [&](schema::Query::Builder q) {
            auto body = q.getBody().initListZones();
            body.setDomain(domain);
            body.setOffset(p.offset());
            body.setLimit(p.size);
          },
          [x, p, domain](schema::Reply::Reader reply) {
            if (!reply.getBody().isZones()) {
              return x->fail(internalError("the store answered listZones with another body"));
            }
            auto zones = reply.getBody().getZones();
            std::vector<dns::Zone> items;
            items.reserve(zones.getItems().size());
            for (auto z : zones.getItems()) items.push_back(schema::fromSchema(z));
            const QueryParam filters[] = {{"domain", domain}};
            x->send(200, renderZoneList(items),
                    listHeaders(std::string(kZonesPath), filters, p, zones.getTotal()));
          });
    });
  }

  void createZone(const ExchangePtr& ex, const Rest::Request& req) {
    std::string body = req.body();
    authorize(ex, req, [this, body = std::move(body)](const ExchangePtr& x) {
      if (!bodyFits(x, body)) return;
      auto domain = decodeZoneBody(body);
      if (!domain) return x->fail(domain.error());
      command(
          x, [&](schema::Command::Builder c) { c.getBody().setCreateZone(*domain); },
          [x](schema::Reply::Reader reply) {
            if (!reply.getBody().isZone()) {
              return x->fail(internalError("the pipeline answered createZone with another body"));
            }
            const dns::Zone zone = schema::fromSchema(reply.getBody().getZone().getZone());
            const auto records = recordsFrom(reply.getBody().getZone().getRecords());
            x->send(201,
                    withDeployment(renderZoneDetail(zone, records), dns::soaSerialOf(zone),
                                   std::nullopt),
                    {{"Location", zonePath(zone.uuid)}});
          });
    });
  }

  // The zone part of the detail is rendered once per zone version and then
  // served from zoneCache: a hit costs one small query (the user's zone with
  // the cached domain, for its current serial), so ownership and
  // read-your-writes are decided by the store every time. Anything but an
  // exact hit falls back to the full getZone query, which also answers 404s.
  // The deployment status is asked of the pusher on every read, in parallel
  // with the store when the domain is known from the cache, and spliced in
  // (ZoneDetailJoin); it is never cached.
  void getZone(const ExchangePtr& ex, const Rest::Request& req) {
    auto uuid = pathUuid(req);
    authorize(ex, req, [this, uuid](const ExchangePtr& x) {
      if (!uuid) return x->fail(notFound("zone"));
      auto cached = zoneCache.find(*uuid);
      if (!cached) return fetchZone(x, *uuid, nullptr);
      auto join = std::make_shared<ZoneDetailJoin>(x);
      bus.submitStatus(cached->domain, [x, join](Result<deploy::PushStatus> status) {
        guarded(x, [&] { join->setStatus(std::move(status)); });
      });
      const std::string zoneUuid = *uuid;
      query(
          x,
          [&](schema::Query::Builder q) {
            auto body = q.getBody().initListZones();
            body.setDomain(cached->domain);
            body.setLimit(1);
          },
          [this, x, zoneUuid, join](schema::Reply::Reader reply) {
            if (reply.getBody().isZones()) {
              auto items = reply.getBody().getZones().getItems();
              if (items.size() == 1 && std::string_view(items[0].getUuid().cStr()) == zoneUuid) {
                const uint64_t serial = items[0].getSerial();
                if (auto json = zoneCache.fresh(zoneUuid, serial)) {
                  return join->setZone(std::move(json),
                                       dns::storedOrDerivedSerial(items[0].getSoaSerial(), serial));
                }
              }
            }
            fetchZone(x, zoneUuid, join);  // a uuid's domain never changes: the status stands
          });
    });
  }

  // The full getZone query: renders the zone part, remembers it, then
  // answers through `join`, or asks the pusher first when there is none.
  void fetchZone(const ExchangePtr& x, const std::string& uuid,
                 std::shared_ptr<ZoneDetailJoin> join) {
    query(
        x, [&](schema::Query::Builder q) { q.getBody().setGetZone(uuid); },
        [this, x, join](schema::Reply::Reader reply) {
          if (!reply.getBody().isZone()) {
            return x->fail(internalError("the store answered getZone with another body"));
          }
          const dns::Zone zone = schema::fromSchema(reply.getBody().getZone().getZone());
          const auto records = recordsFrom(reply.getBody().getZone().getRecords());
          auto json = std::make_shared<const std::string>(renderZoneDetail(zone, records));
          zoneCache.insert(zone.uuid, zone.domain, zone.serial, json);
          if (join) return join->setZone(std::move(json), dns::soaSerialOf(zone));
          auto fresh = std::make_shared<ZoneDetailJoin>(x);
          fresh->setZone(std::move(json), dns::soaSerialOf(zone));
          bus.submitStatus(zone.domain, [x, fresh](Result<deploy::PushStatus> status) {
            guarded(x, [&] { fresh->setStatus(std::move(status)); });
          });
        });
  }

  // GET .../export: the zone file of the current version, or with
  // ?serial=N the zone as it was at N,
  // rebuilt by the store from the log and rendered by the renderer's own
  // function and settings, so it is byte-identical to what was deployed then.
  void exportZone(const ExchangePtr& ex, const Rest::Request& req) {
    auto uuid = pathUuid(req);
    auto serial = serialParam(req.query().get("serial"));
    authorize(ex, req, [this, uuid, serial](const ExchangePtr& x) {
      if (!uuid) return x->fail(notFound("zone"));
      if (!serial) return x->fail(serial.error());
      const std::string zoneUuid = *uuid;
      if (const auto at = serial.value()) {
        return query(
            x,
            [&](schema::Query::Builder q) {
              auto body = q.getBody().initZoneAt();
              body.setZoneUuid(zoneUuid);
              body.setSerial(*at);
            },
            [this, x](schema::Reply::Reader reply) {
              if (!reply.getBody().isZone()) {
                return x->fail(internalError("the store answered zoneAt with another body"));
              }
              dns::ZoneSnapshot snapshot;
              snapshot.zone = schema::fromSchema(reply.getBody().getZone().getZone());
              snapshot.records = recordsFrom(reply.getBody().getZone().getRecords());
              x->send(200, dns::renderZoneFile(snapshot, zoneFileSettings), {}, kZoneFileType);
            });
      }
      query(
          x, [&](schema::Query::Builder q) { q.getBody().setGetZone(zoneUuid); },
          [this, x](schema::Reply::Reader reply) { sendCurrentFile(x, reply); });
    });
  }

  // The current version, rendered from the store with the same function and
  // settings as every deployed version: what the nameservers serve once the
  // zone's deployment status says they are in sync.
  void sendCurrentFile(const ExchangePtr& x, schema::Reply::Reader reply) {
    if (!reply.getBody().isZone()) {
      return x->fail(internalError("the store answered getZone with another body"));
    }
    dns::ZoneSnapshot snapshot;
    snapshot.zone = schema::fromSchema(reply.getBody().getZone().getZone());
    snapshot.records = recordsFrom(reply.getBody().getZone().getRecords());
    x->send(200, dns::renderZoneFile(snapshot, zoneFileSettings), {}, kZoneFileType);
  }

  // GET .../changes/: the zone's events, newest first, paged like every list.
  void listZoneChanges(const ExchangePtr& ex, const Rest::Request& req) {
    auto uuid = pathUuid(req);
    auto page = parsePage(req.query().get("page"), req.query().get("page_size"));
    authorize(ex, req, [this, uuid, page](const ExchangePtr& x) {
      if (!uuid) return x->fail(notFound("zone"));
      if (!page) return x->fail(page.error());
      const Page p = *page;
      const std::string zoneUuid = *uuid;
      query(
          x,
          [&](schema::Query::Builder q) {
            auto body = q.getBody().initZoneChanges();
            body.setZoneUuid(zoneUuid);
            body.setOffset(p.offset());
            body.setLimit(p.size);
          },
          [x, p, zoneUuid](schema::Reply::Reader reply) {
            if (!reply.getBody().isEvents()) {
              return x->fail(internalError("the store answered zoneChanges with another body"));
            }
            auto events = reply.getBody().getEvents();
            x->send(200, renderChangeList(events.getItems()),
                    listHeaders(zonePath(zoneUuid) + "changes/", {}, p, events.getTotal()));
          });
    });
  }

  void deleteZone(const ExchangePtr& ex, const Rest::Request& req) {
    auto uuid = pathUuid(req);
    authorize(ex, req, [this, uuid](const ExchangePtr& x) {
      if (!uuid) return x->fail(notFound("zone"));
      command(
          x, [&](schema::Command::Builder c) { c.getBody().setDeleteZone(*uuid); },
          [this, x, zoneUuid = *uuid](schema::Reply::Reader) {
            zoneCache.erase(zoneUuid);
            x->send(204, "");
          });
    });
  }

  // --- records --------------------------------------------------------------

  void sendRecordList(const ExchangePtr& x, schema::Reply::Reader reply, const std::string& path,
                      std::span<const QueryParam> filters, const Page& p) {
    if (!reply.getBody().isRecords()) {
      return x->fail(internalError("the store answered listRecords with another body"));
    }
    auto records = reply.getBody().getRecords();
    const auto items = recordsFrom(records.getItems());
    x->send(200, renderRecordList(items), listHeaders(path, filters, p, records.getTotal()));
  }

  void listZoneRecords(const ExchangePtr& ex, const Rest::Request& req) {
    auto uuid = pathUuid(req);
    auto page = parsePage(req.query().get("page"), req.query().get("page_size"));
    authorize(ex, req, [this, uuid, page](const ExchangePtr& x) {
      if (!uuid) return x->fail(notFound("zone"));
      if (!page) return x->fail(page.error());
      const Page p = *page;
      const std::string zoneUuid = *uuid;
      query(
          x,
          [&](schema::Query::Builder q) {
            auto body = q.getBody().initListRecords();
            body.setZoneUuid(zoneUuid);
            body.setOffset(p.offset());
            body.setLimit(p.size);
          },
          [this, x, p, zoneUuid](schema::Reply::Reader reply) {
            sendRecordList(x, reply, zonePath(zoneUuid) + "records/", {}, p);
          });
    });
  }

  void createRecord(const ExchangePtr& ex, const Rest::Request& req) {
    auto uuid = pathUuid(req);
    std::string body = req.body();
    authorize(ex, req, [this, uuid, body = std::move(body)](const ExchangePtr& x) {
      if (!uuid) return x->fail(notFound("zone"));
      if (!bodyFits(x, body)) return;
      auto input = decodeRecordBody(body);
      if (!input) return x->fail(input.error());
      command(
          x,
          [&](schema::Command::Builder c) {
            auto group = c.getBody().initCreateRecord();
            group.setZoneUuid(*uuid);
            schema::toSchema(*input, group.initInput());
          },
          [x](schema::Reply::Reader reply) {
            if (!reply.getBody().isRecord()) {
              return x->fail(internalError("the pipeline answered createRecord with another body"));
            }
            const dns::Record record = schema::fromSchema(reply.getBody().getRecord());
            x->send(201, renderRecord(record), {{"Location", recordPath(record.uuid)}});
          });
    });
  }

  void listRecords(const ExchangePtr& ex, const Rest::Request& req) {
    auto page = parsePage(req.query().get("page"), req.query().get("page_size"));
    auto zoneRaw = req.query().get("zone");
    auto typeRaw = req.query().get("record_type");
    authorize(ex, req, [this, page, zoneRaw, typeRaw](const ExchangePtr& x) {
      if (!page) return x->fail(page.error());
      std::string zoneUuid, type;
      if (zoneRaw) {
        auto decoded = percentDecode(*zoneRaw, "zone");
        if (!decoded) return x->fail(decoded.error());
        if (!decoded->empty() && !looksLikeUuid(*decoded)) {
          return x->fail(Error::validation("zone", "zone must be the uuid of a zone"));
        }
        zoneUuid = lowerAscii(std::move(decoded).value());
      }
      if (typeRaw) {
        auto decoded = percentDecode(*typeRaw, "record_type");
        if (!decoded) return x->fail(decoded.error());
        type = upperAscii(std::move(decoded).value());
        if (!type.empty() && !dns::recordTypeFromString(type)) {
          return x->fail(Error::validation(
              "record_type", "record_type must be one of A, AAAA, CNAME, MX, TXT, NS, SRV, CAA"));
        }
      }
      const Page p = *page;
      query(
          x,
          [&](schema::Query::Builder q) {
            auto body = q.getBody().initListRecords();
            body.setZoneUuid(zoneUuid);
            body.setRecordType(type);
            body.setOffset(p.offset());
            body.setLimit(p.size);
          },
          [this, x, p, zoneUuid, type](schema::Reply::Reader reply) {
            const QueryParam filters[] = {{"zone", zoneUuid}, {"record_type", type}};
            sendRecordList(x, reply, std::string(kRecordsPath), filters, p);
          });
    });
  }

  void getRecord(const ExchangePtr& ex, const Rest::Request& req) {
    auto uuid = pathUuid(req);
    authorize(ex, req, [this, uuid](const ExchangePtr& x) {
      if (!uuid) return x->fail(notFound("record"));
      query(
          x, [&](schema::Query::Builder q) { q.getBody().setGetRecord(*uuid); },
          [x](schema::Reply::Reader reply) {
            if (!reply.getBody().isRecord()) {
              return x->fail(internalError("the store answered getRecord with another body"));
            }
            x->send(200, renderRecord(schema::fromSchema(reply.getBody().getRecord())));
          });
    });
  }

  void deleteRecord(const ExchangePtr& ex, const Rest::Request& req) {
    auto uuid = pathUuid(req);
    authorize(ex, req, [this, uuid](const ExchangePtr& x) {
      if (!uuid) return x->fail(notFound("record"));
      command(
          x, [&](schema::Command::Builder c) { c.getBody().setDeleteRecord(*uuid); },
          [x](schema::Reply::Reader) { x->send(204, ""); });
    });
  }

  // Sends the whole record as Command.updateRecord and answers 200 with the
  // stored result (PUT, and PATCH after the merge).
  void sendUpdate(const ExchangePtr& x, const std::string& recordUuid,
                  const dns::RecordInput& input) {
    command(
        x,
        [&](schema::Command::Builder c) {
          auto group = c.getBody().initUpdateRecord();
          group.setRecordUuid(recordUuid);
          schema::toSchema(input, group.initInput());
        },
        [x](schema::Reply::Reader reply) {
          if (!reply.getBody().isRecord()) {
            return x->fail(internalError("the pipeline answered updateRecord with another body"));
          }
          x->send(200, renderRecord(schema::fromSchema(reply.getBody().getRecord())));
        });
  }

  void replaceRecord(const ExchangePtr& ex, const Rest::Request& req) {
    auto uuid = pathUuid(req);
    std::string body = req.body();
    authorize(ex, req, [this, uuid, body = std::move(body)](const ExchangePtr& x) {
      if (!uuid) return x->fail(notFound("record"));
      if (!bodyFits(x, body)) return;
      auto input = decodeRecordBody(body);
      if (!input) return x->fail(input.error());
      sendUpdate(x, *uuid, *input);
    });
  }

  // PATCH: read the record (ownership is checked by the store: another user's
  // record is not found), merge, then update it as a whole (record_merge.h).
  void patchRecord(const ExchangePtr& ex, const Rest::Request& req) {
    auto uuid = pathUuid(req);
    std::string body = req.body();
    authorize(ex, req, [this, uuid, body = std::move(body)](const ExchangePtr& x) {
      if (!uuid) return x->fail(notFound("record"));
      if (!bodyFits(x, body)) return;
      auto decoded = decodeRecordPatch(body);
      if (!decoded) return x->fail(decoded.error());
      const std::string recordUuid = *uuid;
      auto patch = std::make_shared<const RecordPatch>(std::move(decoded).value());
      query(
          x, [&](schema::Query::Builder q) { q.getBody().setGetRecord(recordUuid); },
          [this, x, recordUuid, patch](schema::Reply::Reader reply) {
            if (!reply.getBody().isRecord()) {
              return x->fail(internalError("the store answered getRecord with another body"));
            }
            auto stored = std::make_shared<const dns::Record>(
                schema::fromSchema(reply.getBody().getRecord()));
            if (!mergeNeedsZoneDomain(*stored, *patch)) {
              return sendUpdate(x, recordUuid, mergePatch(*stored, *patch));
            }
            query(
                x, [&](schema::Query::Builder q) { q.getBody().setGetZone(stored->zoneUuid); },
                [this, x, recordUuid, patch, stored](schema::Reply::Reader zoneReply) {
                  if (!zoneReply.getBody().isZone()) {
                    return x->fail(internalError("the store answered getZone with another body"));
                  }
                  const std::string domain = zoneReply.getBody().getZone().getZone().getDomain();
                  sendUpdate(x, recordUuid, mergePatch(*stored, *patch, domain));
                });
          });
    });
  }

  // --- tokens (issue 9; the logic is in tokens_handler.h) ----------------------

  void listTokens(const ExchangePtr& ex, const Rest::Request& req) {
    authorize(ex, req, [this](const ExchangePtr& x) {
      // Report this API's pending last uses first, so the list shows them.
      reportLastUses(*x->principal, lastUsed.takeAll(nowSeconds()), [this, x] {
        guarded(x, [&] {
          query(
              x, [](schema::Query::Builder q) { q.getBody().setListTokens(); },
              [x](schema::Reply::Reader reply) {
                auto body = listBody(reply);
                if (!body) return x->fail(body.error());
                x->send(200, *body);
              });
        });
      });
    });
  }

  void createToken(const ExchangePtr& ex, const Rest::Request& req) {
    std::string body = req.body();
    authorize(ex, req, [this, body = std::move(body)](const ExchangePtr& x) {
      if (!bodyFits(x, body)) return;
      auto token = prepareToken(body, *x->principal, nowSeconds());
      if (!token) return x->fail(token.error());
      auto secret = std::make_shared<const std::string>(token->secret);
      command(
          x, [&](schema::Command::Builder c) { fillCreateToken(*token, c); },
          [x, secret](schema::Reply::Reader reply) {
            auto answer = createdBody(reply, *secret);
            if (!answer) return x->fail(answer.error());
            const std::string id = reply.getBody().getTokenCreated().getId();
            x->send(201, *answer, {{"Location", std::string(kBase) + "/tokens/" + id + "/"}});
          });
    });
  }

  void revokeToken(const ExchangePtr& ex, const Rest::Request& req) {
    const std::string id = req.param(":id").as<std::string>();
    authorize(ex, req, [this, id](const ExchangePtr& x) {
      if (!looksLikeTokenId(id)) return x->fail(notFound("token"));
      command(
          x, [&](schema::Command::Builder c) { c.getBody().setRevokeOwnToken(id); },
          [x](schema::Reply::Reader) { x->send(204, ""); });
    });
  }

  void openApi(const ExchangePtr& ex, const Rest::Request&) { ex->send(200, openApiJson); }

  void unknownPath(const ExchangePtr& ex, const Rest::Request& req) {
    ex->fail({ErrorKind::kNotFound, "",
              "no such endpoint: " + sanitizeUtf8(req.resource().substr(0, 200)) +
                  "; the API lives under /api/v1/dns-zones/ and /api/v1/dns-records/"});
  }

  // --- routing (from the table in routes.h) ---------------------------------

  using Member = void (Impl::*)(const ExchangePtr&, const Rest::Request&);

  static Member handlerOf(Operation operation) {
    switch (operation) {
      case Operation::kListZones:
        return &Impl::listZones;
      case Operation::kCreateZone:
        return &Impl::createZone;
      case Operation::kGetZone:
        return &Impl::getZone;
      case Operation::kDeleteZone:
        return &Impl::deleteZone;
      case Operation::kListZoneRecords:
        return &Impl::listZoneRecords;
      case Operation::kCreateRecord:
        return &Impl::createRecord;
      case Operation::kListRecords:
        return &Impl::listRecords;
      case Operation::kGetRecord:
        return &Impl::getRecord;
      case Operation::kReplaceRecord:
        return &Impl::replaceRecord;
      case Operation::kPatchRecord:
        return &Impl::patchRecord;
      case Operation::kDeleteRecord:
        return &Impl::deleteRecord;
      case Operation::kOpenApi:
        return &Impl::openApi;
      case Operation::kExportZone:
        return &Impl::exportZone;
      case Operation::kListZoneChanges:
        return &Impl::listZoneChanges;
      case Operation::kListTokens:
        return &Impl::listTokens;
      case Operation::kCreateToken:
        return &Impl::createToken;
      case Operation::kRevokeToken:
        return &Impl::revokeToken;
    }
    throw std::logic_error("handlerOf: Operation out of range");
  }

  static Http::Method pistacheMethod(Method method) {
    switch (method) {
      case Method::kGet:
        return Http::Method::Get;
      case Method::kPost:
        return Http::Method::Post;
      case Method::kPut:
        return Http::Method::Put;
      case Method::kPatch:
        return Http::Method::Patch;
      case Method::kDelete:
        return Http::Method::Delete;
      case Method::kHead:
        return Http::Method::Head;
      case Method::kOptions:
        return Http::Method::Options;
      case Method::kTrace:
        return Http::Method::Trace;
      case Method::kConnect:
        return Http::Method::Connect;
    }
    throw std::logic_error("pistacheMethod: Method out of range");
  }

  // Answers 405 with the path's `Allow` header (before authentication: what a
  // path offers is public, see openapi.json).
  Rest::Route::Handler methodNotAllowed(std::string allow) {
    return [this, allow = std::move(allow)](const Rest::Request& req, Http::ResponseWriter rw) {
      try {
        const std::string method(Http::methodString(req.method()));
        ExchangePtr ex = open(req, std::move(rw));
        if (!ex) return Rest::Route::Result::Ok;
        const HttpError http =
            toHttp({ErrorKind::kMethodNotAllowed, "",
                    "method " + method + " is not allowed here; this path offers " + allow});
        Headers headers = http.headers;
        headers.emplace_back("Allow", allow);
        ex->send(http.status, http.body, headers);
      } catch (const std::exception& e) {
        spdlog::error("a request failed before it could be answered: {}", e.what());
      }
      return Rest::Route::Result::Ok;
    };
  }

  // Every method on every path of kRoutes: the served ones to their handler,
  // the rest to a JSON 405 (Pistache's own 405 is text/plain).
  void routes() {
    for (const std::string_view path : routePaths()) {
      const std::string pattern = pistachePattern(path);
      const std::string allow = allowHeader(path);
      for (const Method method : kAllMethods) {
        const RouteSpec* spec = nullptr;
        for (const auto& route : kRoutes) {
          if (route.path == path && route.method == method) spec = &route;
        }
        if (spec != nullptr) {
          router.addRoute(pistacheMethod(method), pattern,
                          bind(handlerOf(spec->operation), spec->permission, spec->query));
        } else {
          router.addRoute(pistacheMethod(method), pattern, methodNotAllowed(allow));
        }
        registered.push_back({std::string(methodName(method)), pattern, spec != nullptr});
      }
    }
    accountRoutes();
    Rest::Routes::NotFound(router, bind(&Impl::unknownPath, std::nullopt));
  }

  // --- the account pages (account_site.h does the work) ----------------------

  // Answers through an Exchange (so draining and the in-flight count hold).
  class ExchangeReply : public WebReply {
   public:
    explicit ExchangeReply(ExchangePtr ex) : ex_(std::move(ex)) {}
    void send(int status, const std::string& body, const WebHeaders& headers,
              const std::string& contentType) override {
      ex_->send(status, body, headers, contentType);
    }

   private:
    ExchangePtr ex_;
  };

  using WebHandler = void (AccountSite::*)(const WebRequest&, WebReplyPtr);

  Rest::Route::Handler web(WebHandler handler, const char* param) {
    return [this, handler, param](const Rest::Request& req, Http::ResponseWriter rw) {
      ExchangePtr ex;
      try {
        ex = open(req, std::move(rw));
        if (!ex) return Rest::Route::Result::Ok;
        WebRequest w;
        w.body = req.body();
        w.peer = ex->peer;
        const auto& cookies = req.cookies();
        if (cookies.has(std::string(kSessionCookie))) {
          w.sessionCookie = cookies.get(std::string(kSessionCookie)).value;
        }
        if (cookies.has(std::string(kLoginCookie))) {
          w.loginCookie = cookies.get(std::string(kLoginCookie)).value;
        }
        if (param != nullptr && req.hasParam(param)) w.param = req.param(param).as<std::string>();
        (account.*handler)(w, std::make_shared<ExchangeReply>(ex));
      } catch (const std::exception& e) {
        if (ex) ex->fail(internalError(e.what()));
      }
      return Rest::Route::Result::Ok;
    };
  }

  void accountRoutes() {
    using H = Http::Method;
    const struct {
      H method;
      const char* path;
      WebHandler handler;
      const char* param;
    } routes[] = {
        {H::Get, "/account/login/", &AccountSite::loginForm, nullptr},
        {H::Post, "/account/login/", &AccountSite::login, nullptr},
        {H::Post, "/account/logout/", &AccountSite::logout, nullptr},
        {H::Get, "/account/", &AccountSite::zones, nullptr},
        {H::Get, "/account/zones/:uuid/", &AccountSite::zone, ":uuid"},
        {H::Get, "/account/developers/", &AccountSite::developers, nullptr},
        {H::Post, "/account/developers/", &AccountSite::createToken, nullptr},
        {H::Post, "/account/developers/:id/revoke/", &AccountSite::revokeToken, ":id"},
    };
    for (const auto& r : routes) router.addRoute(r.method, r.path, web(r.handler, r.param));
    router.addRoute(Http::Method::Get, "/account/static/:name",
                    [this](const Rest::Request& req, Http::ResponseWriter rw) {
                      try {
                        ExchangePtr ex = open(req, std::move(rw));
                        if (ex) {
                          AccountSite::asset(req.param(":name").as<std::string>(),
                                             std::make_shared<ExchangeReply>(ex));
                        }
                      } catch (const std::exception& e) {
                        spdlog::error("a request failed before it could be answered: {}", e.what());
                      }
                      return Rest::Route::Result::Ok;
                    });
  }

  const std::string openApiJson = openApiDocument();
  std::vector<RegisteredRoute> registered;
};

ApiServer::ApiServer(const config::Config& cfg, BusClient& bus, HttpMetrics* metrics)
    : impl_(std::make_unique<Impl>(cfg, bus, metrics)) {
  impl_->routes();
}

const std::vector<RegisteredRoute>& ApiServer::registeredRoutes() const {
  return impl_->registered;
}

ApiServer::~ApiServer() { shutdown(); }

Status ApiServer::start() {
  auto& i = *impl_;
  const std::string where = i.cfg.apiAddress + ":" + std::to_string(i.cfg.apiPort);
  auto options = Http::Endpoint::options()
                     .threads(i.cfg.apiThreads)
                     .flags(Tcp::Options::ReuseAddr)
                     .maxRequestSize(pistacheRequestLimit(i.cfg.apiMaxBody))
                     .headerTimeout(std::chrono::seconds(5))
                     .bodyTimeout(std::chrono::seconds(10))
                     .keepaliveTimeout(std::chrono::seconds(30));
  i.endpoint.init(options);
  i.endpoint.setHandler(i.router.handler());
  try {
    i.endpoint.serveThreaded();
  } catch (const std::exception& e) {
    const std::string why = e.what();
    if (why.find("in use") != std::string::npos || errno == EADDRINUSE) {
      return Error{
          ErrorKind::kUnavailable, "",
          "cannot listen on " + where + ": address already in use; set ZONEPIPE_API_PORT/api.port"};
    }
    throw std::runtime_error("cannot listen on " + where + ": " + why);
  }
  i.started = true;
  return std::nullopt;
}

uint16_t ApiServer::port() const { return static_cast<uint16_t>(impl_->endpoint.getPort()); }

bool ApiServer::drain(std::chrono::milliseconds cap) {
  impl_->draining.store(true);
  const auto deadline = std::chrono::steady_clock::now() + cap;
  while (impl_->inFlight.load() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

int ApiServer::inFlight() const { return impl_->inFlight.load(); }

void ApiServer::shutdown() {
  if (!impl_->started) return;
  impl_->started = false;
  impl_->draining.store(true);
  impl_->endpoint.shutdown();
}

}  // namespace zp::api
