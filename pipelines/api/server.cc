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
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/dns/zone_text.h"
#include "common/util/ids.h"
#include "pipelines/api/account_site.h"
#include "pipelines/api/acme_handler.h"
#include "pipelines/api/api_request.h"
#include "pipelines/api/changes_handler.h"
#include "pipelines/api/commit.h"
#include "pipelines/api/errors.h"
#include "pipelines/api/exchange.h"
#include "pipelines/api/http_gate.h"
#include "pipelines/api/http_metrics.h"
#include "pipelines/api/json.h"
#include "pipelines/api/openapi.h"
#include "pipelines/api/pipeline_calls.h"
#include "pipelines/api/records_handler.h"
#include "pipelines/api/request_gate.h"
#include "pipelines/api/routes.h"
#include "pipelines/api/sync_waiter.h"
#include "pipelines/api/tokens_handler.h"
#include "pipelines/api/zone_cache.h"
#include "pipelines/api/zone_sets_handler.h"
#include "pipelines/api/zones_handler.h"

namespace zp::api {
namespace {

using namespace Pistache;

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

// Writes an Exchange's answer with Pistache's ResponseWriter.
class PistacheSink : public ResponseSink {
 public:
  explicit PistacheSink(Http::ResponseWriter writer) : writer_(std::move(writer)) {}
  void write(int status, const std::string& body, const Headers& headers,
             const std::string& contentType, bool head) override {
    for (const auto& [name, value] : headers) {
      if (name == "Location") {
        writer_.headers().add<Http::Header::Location>(value);
      } else {
        writer_.headers().add(std::make_shared<NamedHeader>(name, value));
      }
    }
    if (head || (body.empty() && status == 204)) {  // HEAD answers carry no body
      writer_.send(static_cast<Http::Code>(status));
    } else if (!contentType.empty()) {
      writer_.send(static_cast<Http::Code>(status), body,
                   Http::Mime::MediaType::fromString(contentType));
    } else {
      writer_.send(static_cast<Http::Code>(status), body, MIME(Application, Json));
    }
  }

 private:
  Http::ResponseWriter writer_;
};

// The request as the handlers see it (api_request.h): path parameter, query
// parameters, the headers of kReadHeaders, body.
ApiRequest toApiRequest(const Rest::Request& req) {
  ApiRequest out;
  out.target = req.resource();
  if (req.hasParam(":uuid")) {
    out.pathParam = req.param(":uuid").as<std::string>();
  } else if (req.hasParam(":id")) {
    out.pathParam = req.param(":id").as<std::string>();
  } else if (req.hasParam(":change_id")) {
    out.pathParam = req.param(":change_id").as<std::string>();
  }
  for (auto p = req.query().parameters_begin(); p != req.query().parameters_end(); ++p) {
    out.queryParams.emplace_back(p->first, p->second);
  }
  for (const std::string_view name : kReadHeaders) {
    if (auto raw = req.headers().tryGetRaw(std::string(name))) {
      out.headers.emplace_back(std::string(name), raw->value());
    }
  }
  out.body = req.body();
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
  HttpMetrics* metrics;  // null: not counted
  PipelineCalls calls{bus};
  RequestGate gate{cfg, calls};
  ZoneCache zoneCache;
  SyncWaiter waiter{bus};
  ChangesHandler changes{calls, waiter};
  ZonesHandler zones{calls, gate, zoneCache, changes, dns::settingsFrom(cfg)};
  RecordsHandler records{calls, gate, changes};
  TokensHandler tokens{calls, gate};
  ZoneSetsHandler zoneSets{calls, gate, zoneCache, changes};
  AcmeHandler acme{calls, gate, waiter};
  AccountSite account{bus, accountSettings()};
  std::atomic<int> inFlight{0};
  std::atomic<bool> draining{false};
  Rest::Router router;
  Http::Endpoint endpoint;
  std::shared_ptr<Http::Handler> gateHandler;  // http_gate.h, set by start()
  bool started = false;

  AccountSettings accountSettings() {
    AccountSettings s;
    s.sessionLifetimeS = std::max<int64_t>(cfg.accountSessionLifetimeS, 60);
    s.secureCookies = cfg.accountSecureCookies != 0;
    s.flushLastUses = [this](const std::string& userId, std::function<void()> then) {
      gate.flushLastUses(Principal{userId, "dashboard", {}, {}}, std::move(then));
    };
    return s;
  }

  // Starts an exchange; nullptr when the request was already answered
  // (the server is draining).
  ExchangePtr open(const Rest::Request& req, Http::ResponseWriter rw) {
    std::string what = std::string(Http::methodString(req.method())) + " " +
                       sanitizeUtf8(req.resource().substr(0, 300));
    auto ex = std::make_shared<Exchange>(std::make_unique<PistacheSink>(std::move(rw)), inFlight,
                                         std::move(what), req.method() == Http::Method::Head,
                                         req.address().host(), metrics);
    if (draining.load()) {
      ex->fail({ErrorKind::kUnavailable, "", "the API is shutting down; try again shortly"});
      return nullptr;
    }
    return ex;
  }

  // The handler of each operation of routes.h's table. A POST's
  // Idempotency-Key is read here, once for every handler (idempotency.h).
  void dispatch(Operation operation, const ExchangePtr& x, const ApiRequest& req) {
    if (methodOf(operation) == Method::kPost) {
      auto idempotency = idempotencyOf(req, "POST");
      if (!idempotency) return x->fail(idempotency.error());
      if (*idempotency && operation == Operation::kCreateToken) {
        return x->fail(Error::validation(
            "Idempotency-Key",
            "POST /tokens/ takes no Idempotency-Key: its answer holds the token's secret, "
            "which is never stored, so it could not be answered again; send it without one "
            "and revoke any token whose answer you lost"));
      }
      x->idempotency = std::move(idempotency).value();
    }
    switch (operation) {
      case Operation::kListZones:
        return zones.list(x, req);
      case Operation::kCreateZone:
        return zones.create(x, req);
      case Operation::kGetZone:
        return zones.get(x, req);
      case Operation::kDeleteZone:
        return zones.remove(x, req);
      case Operation::kExportZone:
        return zones.exportFile(x, req);
      case Operation::kListZoneChanges:
        return zones.changes(x, req);
      case Operation::kListZoneRecords:
        return records.listInZone(x, req);
      case Operation::kCreateRecord:
        return records.create(x, req);
      case Operation::kListRecords:
        return records.list(x, req);
      case Operation::kGetRecord:
        return records.get(x, req);
      case Operation::kReplaceRecord:
        return records.replace(x, req);
      case Operation::kPatchRecord:
        return records.patch(x, req);
      case Operation::kDeleteRecord:
        return records.remove(x, req);
      case Operation::kListTokens:
        return tokens.list(x, req);
      case Operation::kCreateToken:
        return tokens.create(x, req);
      case Operation::kRevokeToken:
        return tokens.revoke(x, req);
      case Operation::kApplyChangeSet:
        return zoneSets.applyChangeSet(x, req);
      case Operation::kRollbackZone:
        return zoneSets.rollback(x, req);
      case Operation::kImportZone:
        return zoneSets.import(x, req);
      case Operation::kGetChange:
        return changes.get(x, req);
      case Operation::kAcmePresent:
        return acme.present(x, req);
      case Operation::kAcmeCleanup:
        return acme.cleanup(x, req);
      case Operation::kOpenApi:
        return x->send(200, openApiJson);
    }
    throw std::logic_error("dispatch: Operation out of range");
  }

  static Method methodOf(Operation operation) {
    for (const auto& route : kRoutes) {
      if (route.operation == operation) return route.method;
    }
    return Method::kGet;
  }

  using Handler = std::function<void(const ExchangePtr&, const ApiRequest&)>;

  // A route: exchange, unknown query parameters (refused after
  // authentication on a private route), authentication and the route's
  // permission (RequestGate), then `handler`; try/catch, never a Pistache
  // 500.
  Rest::Route::Handler bind(Handler handler, std::optional<auth::Permission> needed,
                            QueryKind query, bool basicAuth = false) {
    return [this, handler = std::move(handler), needed, query, basicAuth](const Rest::Request& req,
                                                                          Http::ResponseWriter rw) {
      ExchangePtr ex;
      try {
        ex = open(req, std::move(rw));
        if (!ex) return Rest::Route::Result::Ok;
        ex->needed = needed;
        auto request = std::make_shared<const ApiRequest>(toApiRequest(req));
        std::vector<std::string> given;
        for (const auto& param : request->queryParams) given.push_back(param.first);
        std::optional<Error> refused;
        if (auto unknown = unknownQueryParameter(query, given)) {
          refused = Error::validation(
              sanitizeUtf8(unknown->substr(0, 100)),
              "this endpoint takes no query parameter `" + sanitizeUtf8(unknown->substr(0, 100)) +
                  "`; unknown parameters are refused rather than ignored (see the OpenAPI "
                  "document for the ones each endpoint takes)");
        }
        if (!needed) {
          if (refused) {
            ex->fail(*refused);
          } else {
            handler(ex, *request);
          }
          return Rest::Route::Result::Ok;
        }
        std::string authorization = request->header("authorization").value_or("");
        if (basicAuth && !authorization.empty()) {
          auto token = auth::tokenFromBearerOrBasic(authorization);
          if (!token) {
            ex->fail(token.error());
            return Rest::Route::Result::Ok;
          }
          authorization = "Bearer " + *token;
        }
        gate.authorize(ex, authorization, [handler, request, refused](const ExchangePtr& x) {
          if (refused) return x->fail(*refused);
          handler(x, *request);
        });
      } catch (const std::exception& e) {
        if (ex)
          ex->fail(internalError(e.what()));
        else
          spdlog::error("a request failed before it could be answered: {}", e.what());
      }
      return Rest::Route::Result::Ok;
    };
  }

  static void unknownPath(const ExchangePtr& ex, const ApiRequest& req) {
    ex->fail({ErrorKind::kNotFound, "",
              "no such endpoint: " + sanitizeUtf8(req.target.substr(0, 200)) +
                  "; the API lives under /api/v1/dns-zones/ and /api/v1/dns-records/"});
  }

  // --- routing (from the table in routes.h) ---------------------------------

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
        const RouteSpec* spec = servedRoute(path, method);  // HEAD: the GET route
        if (spec != nullptr) {
          router.addRoute(
              pistacheMethod(method), pattern,
              bind([this, operation = spec->operation](
                       const ExchangePtr& x, const ApiRequest& r) { dispatch(operation, x, r); },
                   spec->permission, spec->query, spec->basicAuth));
        } else {
          router.addRoute(pistacheMethod(method), pattern, methodNotAllowed(allow));
        }
        registered.push_back({std::string(methodName(method)), pattern, spec != nullptr});
      }
    }
    accountRoutes();
    Rest::Routes::NotFound(router, bind(&Impl::unknownPath, std::nullopt, QueryKind::kNone));
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
  // Pistache 0.0.5 measures its header and body timeouts from a request's
  // start until its answer is sent (TransportImpl::checkTimeout: a peer with
  // a request in progress, parser back at the request line), so an answer
  // held by ?wait=in_sync (commit.h, up to kMaxWaitMs) must fit in them or
  // the client gets Pistache's 408. The cost: a client trickling its headers
  // keeps its connection (one fd, no thread) that long instead of 5 s.
  const auto requestTimeout = std::chrono::milliseconds(kMaxWaitMs) + std::chrono::seconds(5);
  auto options = Http::Endpoint::options()
                     .threads(i.cfg.apiThreads)
                     .flags(Tcp::Options::ReuseAddr)
                     .maxRequestSize(pistacheRequestLimit(i.cfg.apiMaxBody))
                     .headerTimeout(requestTimeout)
                     .bodyTimeout(requestTimeout)
                     .keepaliveTimeout(std::chrono::seconds(30));
  i.endpoint.init(options);
  // The request gate (http_gate.h) checks every request's framing before
  // Pistache's parser, so broken HTTP gets the documented JSON errors too.
  GateSettings gate;
  gate.limits.maxBody = i.cfg.apiMaxBody;
  gate.metrics = i.metrics;
  i.gateHandler = makeGateHandler(i.router, gate);
  i.endpoint.setHandler(i.gateHandler);
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
  impl_->waiter.flush();  // writes waiting for the nameservers answer 202 now
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
  impl_->waiter.flush();
  stopGateTimeouts(*impl_->gateHandler);
  impl_->endpoint.shutdown();
}

}  // namespace zp::api
