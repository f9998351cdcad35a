// The HTTP front end over real HTTP (Pistache on an ephemeral port) against a
// scripted pipeline: ROUTER sockets standing in for the validator and the
// store, answering from an in-memory table and recording what the API sent.
// Covers routing (405 + Allow, 404, openapi.json), the permission of every
// endpoint, PUT/PATCH (what exactly goes to the validator), the list
// parameters and body limits. The real pipeline is exercised in tests/e2e/.
#include "pipelines/api/server.h"

#include <gtest/gtest.h>

#include <rapidjson/document.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "common/auth/token.h"
#include "common/bus/frame.h"
#include "common/bus/socket.h"
#include "common/schema/codec.h"
#include "pipelines/api/openapi.h"
#include "pipelines/api/routes.h"
#include "tests/api/broken_http_cases.h"
#include "tests/api/http_client.h"

namespace zp::api {
namespace {

using namespace std::chrono_literals;
using testing::HttpReply;
using testing::httpRequest;
using testing::RawConnection;

constexpr const char* kUserA = "user-a";
constexpr const char* kUserB = "user-b";
constexpr const char* kZoneA = "0a0a0a0a-0000-4000-8000-00000000000a";
constexpr const char* kZoneB = "0b0b0b0b-0000-4000-8000-00000000000b";
constexpr const char* kMxA = "1a1a1a1a-0000-4000-8000-0000000000a1";
constexpr const char* kSrvA = "1a1a1a1a-0000-4000-8000-0000000000a2";
constexpr const char* kRecB = "1b1b1b1b-0000-4000-8000-0000000000b1";
constexpr const char* kMissing = "99999999-0000-4000-8000-000000000099";

// "vps_" + 40 hex digits built from a one-character seed.
std::string token(char seed) { return "vps_" + std::string(40, seed); }

// What the fake pipeline saw of the last list query and update command.
struct Seen {
  std::string listZoneUuid, listType, listDomain;
  uint32_t offset = 0, limit = 0;
  int updates = 0;
  std::string updateUuid;
  dns::RecordInput updateInput;
  std::string updateUser;
  int getZones = 0;    // full zone reads (getZone, or the first zoneSnapshotPage)
  int zoneChecks = 0;  // listZones by domain (the zone cache's freshness check)
};

// The scripted pipeline. One thread owns both ROUTER sockets; the tables are
// written by the test before requests and read under the mutex.
class FakePipeline {
 public:
  explicit FakePipeline(zmq::context_t& ctx)
      : validator_(bus::bindSocket(ctx, zmq::socket_type::router, "inproc://api-validator")),
        store_(bus::bindSocket(ctx, zmq::socket_type::router, "inproc://api-store")),
        pusher_(bus::bindSocket(ctx, zmq::socket_type::router, "inproc://api-push-status")) {
    zones_[kZoneA] = {kUserA, "example.com"};
    zones_[kZoneB] = {kUserB, "other.org"};
    addRecord(kMxA, kZoneA, {dns::RecordType::kMx, "@", "mail.example.com", 3600, 10});
    addRecord(kSrvA, kZoneA,
              {dns::RecordType::kSrv, "_sip._tcp", "5 5060 sip.example.com", 600, 20});
    addRecord(kRecB, kZoneB, {dns::RecordType::kA, "www", "192.0.2.7", 300, std::nullopt});
    thread_ = std::thread([this] { run(); });
  }
  ~FakePipeline() {
    stop_ = true;
    thread_.join();
  }
  FakePipeline(const FakePipeline&) = delete;
  FakePipeline& operator=(const FakePipeline&) = delete;

  // Gives `bearer` to `user` with `permissions`.
  void grant(const std::string& bearer, std::string user, std::vector<std::string> permissions) {
    const auto hash = auth::hashSecret(bearer);
    std::lock_guard lock(mutex_);
    tokens_[std::string(hash.begin(), hash.end())] = {std::move(user), std::move(permissions)};
  }

  Seen seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

  uint32_t listTotal = 25;

  // How the fake pusher answers: not at all (a stopped pusher), or with one
  // primary and one secondary serving `servedSerial` for every domain.
  void pusherAnswers(bool answers, uint32_t servedSerial = 0) {
    std::lock_guard lock(mutex_);
    pusherAnswers_ = answers;
    servedSerial_ = servedSerial;
  }
  int statusQueries() {
    std::lock_guard lock(mutex_);
    return statusQueries_;
  }

  // A committed change to a zone: its serial moves on.
  void bumpSerial(const std::string& zone) {
    std::lock_guard lock(mutex_);
    ++zones_[zone].serial;
  }
  void removeZone(const std::string& zone) {
    std::lock_guard lock(mutex_);
    zones_.erase(zone);
  }
  void giveZone(const std::string& zone, std::string user) {
    std::lock_guard lock(mutex_);
    zones_[zone].user = std::move(user);
  }

 private:
  struct Owner {
    std::string user;
    std::string domain;
    uint64_t serial = 1;
  };
  struct Grant {
    std::string user;
    std::vector<std::string> permissions;
  };

  void addRecord(const char* uuid, const char* zone, dns::RecordData data) {
    dns::Record r;
    r.uuid = uuid;
    r.zoneUuid = zone;
    r.data = std::move(data);
    r.createdAt = 1700000000;
    r.updatedAt = 1700000000;
    records_[uuid] = r;
  }

  void run() {
    std::vector<zmq_pollitem_t> items = {{validator_.handle(), 0, ZMQ_POLLIN, 0},
                                         {store_.handle(), 0, ZMQ_POLLIN, 0},
                                         {pusher_.handle(), 0, ZMQ_POLLIN, 0}};
    while (!stop_) {
      zmq::poll(items, 20ms);
      bus::Multipart in;
      while (bus::receive(validator_, in)) answerCommand(in);
      while (bus::receive(store_, in)) answerQuery(in);
      while (bus::receive(pusher_, in)) answerStatus(in);
    }
  }

  void answerStatus(bus::Multipart& in) {
    bus::Decoded decoded(in.payload);
    auto q = decoded.root<schema::StatusQuery>();
    std::lock_guard lock(mutex_);
    ++statusQueries_;
    if (!pusherAnswers_) return;
    capnp::MallocMessageBuilder message;
    auto reply = message.initRoot<schema::StatusReply>();
    reply.setVersion(schema::PROTOCOL_VERSION);
    reply.setRequestId(q.getRequestId());
    reply.setDomain(q.getDomain());
    reply.setKnown(true);
    reply.setDeployedSerial(servedSerial_);
    reply.setWantedSerial(servedSerial_);
    reply.setZoneFile("; zone " + std::string(q.getDomain().cStr()) + ", deployed\n");
    auto list = reply.initNameservers(2);
    const char* names[] = {"ns1.zonepipe.test", "ns2.zonepipe.test"};
    const char* addresses[] = {"127.0.0.1:1053", "127.0.0.2:1053"};
    for (unsigned i = 0; i < 2; ++i) {
      list[i].setName(names[i]);
      list[i].setAddress(addresses[i]);
      list[i].setAnswered(true);
      list[i].setSerial(servedSerial_);
      list[i].setInSync(true);
    }
    ASSERT_TRUE(bus::send(pusher_, in.envelope, bus::toFrame(message)));
  }

  static void fail(schema::Reply::Builder reply, ErrorKind kind, const std::string& detail) {
    schema::toSchema(Error{kind, "", detail}, reply.getBody().initError());
  }

  void answerQuery(bus::Multipart& in) {
    bus::Decoded decoded(in.payload);
    auto q = decoded.root<schema::Query>();
    capnp::MallocMessageBuilder message;
    auto reply = message.initRoot<schema::Reply>();
    reply.setVersion(schema::PROTOCOL_VERSION);
    reply.setRequestId(q.getRequestId());
    const std::string user = q.getUserId();
    {
      std::lock_guard lock(mutex_);
      auto body = q.getBody();
      switch (body.which()) {
        case schema::Query::Body::AUTHENTICATE: {
          auto hash = body.getAuthenticate();
          auto it = tokens_.find(std::string(hash.begin(), hash.end()));
          if (it == tokens_.end()) {
            fail(reply, ErrorKind::kAuthentication, "unknown token");
            break;
          }
          auto p = reply.getBody().initPrincipal();
          p.setUserId(it->second.user);
          p.setTokenId("tok_test");
          auto list = p.initPermissions(static_cast<unsigned>(it->second.permissions.size()));
          for (unsigned i = 0; i < list.size(); ++i) list.set(i, it->second.permissions[i]);
          break;
        }
        case schema::Query::Body::GET_RECORD: {
          auto it = records_.find(body.getGetRecord());
          if (it == records_.end() || zones_[it->second.zoneUuid].user != user) {
            fail(reply, ErrorKind::kNotFound, "record not found");
            break;
          }
          schema::toSchema(it->second, reply.getBody().initRecord());
          break;
        }
        case schema::Query::Body::GET_ZONE:              // rollback reads the whole zone
        case schema::Query::Body::ZONE_SNAPSHOT_PAGE: {  // the zone detail and export read pages
          ++seen_.getZones;
          const bool paged = body.isZoneSnapshotPage();
          auto it =
              zones_.find(paged ? body.getZoneSnapshotPage().getZoneUuid() : body.getGetZone());
          if (it == zones_.end() || it->second.user != user) {
            fail(reply, ErrorKind::kNotFound, "zone not found");
            break;
          }
          dns::Zone z;
          z.uuid = it->first;
          z.domain = it->second.domain;
          z.ownerId = user;
          z.serial = it->second.serial;
          if (paged) {
            auto page = reply.getBody().initSnapshotPage();
            schema::toSchema(z, page.initZone());
            page.initRecords(0);
          } else {
            auto zone = reply.getBody().initZone();
            schema::toSchema(z, zone.initZone());
            zone.initRecords(0);
          }
          break;
        }
        case schema::Query::Body::LIST_RECORDS: {
          auto list = body.getListRecords();
          seen_.listZoneUuid = list.getZoneUuid();
          seen_.listType = list.getRecordType();
          seen_.offset = list.getOffset();
          seen_.limit = list.getLimit();
          auto records = reply.getBody().initRecords();
          records.initItems(0);
          records.setTotal(listTotal);
          break;
        }
        case schema::Query::Body::LIST_ZONES: {
          auto list = body.getListZones();
          seen_.listDomain = list.getDomain();
          seen_.offset = list.getOffset();
          seen_.limit = list.getLimit();
          auto zones = reply.getBody().initZones();
          std::vector<dns::Zone> found;  // the store's (user, domain) index
          if (!seen_.listDomain.empty()) {
            ++seen_.zoneChecks;
            for (const auto& [uuid, owner] : zones_) {
              if (owner.user == user && owner.domain == seen_.listDomain) {
                dns::Zone z;
                z.uuid = uuid;
                z.domain = owner.domain;
                z.ownerId = owner.user;
                z.serial = owner.serial;
                found.push_back(z);
              }
            }
          }
          auto items = zones.initItems(static_cast<unsigned>(found.size()));
          for (unsigned i = 0; i < items.size(); ++i) schema::toSchema(found[i], items[i]);
          zones.setTotal(listTotal);
          break;
        }
        case schema::Query::Body::ZONE_CHANGES: {
          auto changes = body.getZoneChanges();
          auto it = zones_.find(changes.getZoneUuid());
          if (it == zones_.end() || it->second.user != user) {
            fail(reply, ErrorKind::kNotFound, "zone not found");
            break;
          }
          seen_.offset = changes.getOffset();
          seen_.limit = changes.getLimit();
          auto events = reply.getBody().initEvents();
          events.setTotal(3);
          events.setLastSeq(3);
          auto items = events.initItems(1);  // the newest: an update of the MX record
          items[0].setSeq(3);
          items[0].setTime(1700000100);
          items[0].initActor().setTokenId("tok_test");
          items[0].setZoneUuid(it->first);
          auto updated = items[0].getChange().initRecordUpdated();
          dns::Record before = records_[kMxA], after = records_[kMxA];
          after.data.ttl = 60;
          schema::toSchema(before, updated.initBefore());
          schema::toSchema(after, updated.initAfter());
          break;
        }
        case schema::Query::Body::ZONE_AT: {
          auto at = body.getZoneAt();
          auto it = zones_.find(at.getZoneUuid());
          if (it == zones_.end() || it->second.user != user || at.getSerial() != 2) {
            fail(reply, ErrorKind::kNotFound, "serial is not a version of this zone");
            break;
          }
          auto zone = reply.getBody().initZone();
          dns::Zone z;
          z.uuid = it->first;
          z.domain = it->second.domain;
          z.ownerId = user;
          z.serial = 2;
          schema::toSchema(z, zone.initZone());
          schema::toSchema(records_[kMxA], zone.initRecords(1)[0]);
          break;
        }
        default:
          fail(reply, ErrorKind::kInternal, "the fake store does not answer this query");
      }
    }
    ASSERT_TRUE(bus::send(store_, in.envelope, bus::toFrame(message)));
  }

  void answerCommand(bus::Multipart& in) {
    bus::Decoded decoded(in.payload);
    auto c = decoded.root<schema::Command>();
    capnp::MallocMessageBuilder message;
    auto reply = message.initRoot<schema::Reply>();
    reply.setVersion(schema::PROTOCOL_VERSION);
    reply.setRequestId(c.getRequestId());
    {
      std::lock_guard lock(mutex_);
      auto body = c.getBody();
      if (body.isUpdateRecord()) {
        auto update = body.getUpdateRecord();
        ++seen_.updates;
        seen_.updateUuid = update.getRecordUuid();
        seen_.updateInput = schema::fromSchema(update.getInput());
        seen_.updateUser = c.getActor().getUserId();
        auto it = records_.find(seen_.updateUuid);
        if (it == records_.end()) {
          fail(reply, ErrorKind::kNotFound, "record not found");
        } else {
          // Echo the input as the stored result (no validation in the fake).
          dns::Record r = it->second;
          const auto& input = seen_.updateInput;
          r.data.type = dns::recordTypeFromString(input.type).value_or(dns::RecordType::kA);
          r.data.name = input.name;
          r.data.value = input.value;
          r.data.ttl = static_cast<uint32_t>(input.ttl.value_or(3600));
          r.data.priority = input.priority
                                ? std::optional<uint16_t>(static_cast<uint16_t>(*input.priority))
                                : std::nullopt;
          r.updatedAt = 1700000100;
          schema::toSchema(r, reply.getBody().initRecord());
        }
      } else {
        reply.getBody().setOk();
      }
    }
    ASSERT_TRUE(bus::send(validator_, in.envelope, bus::toFrame(message)));
  }

  zmq::socket_t validator_;
  zmq::socket_t store_;
  zmq::socket_t pusher_;
  bool pusherAnswers_ = false;
  uint32_t servedSerial_ = 0;
  int statusQueries_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::map<std::string, Owner> zones_;
  std::map<std::string, dns::Record> records_;
  std::map<std::string, Grant> tokens_;
  Seen seen_;
  std::thread thread_;
};

rapidjson::Document parse(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.data(), body.size());
  EXPECT_FALSE(d.HasParseError()) << body;
  return d;
}

std::string str(const rapidjson::Value& object, const char* key) {
  if (!object.IsObject() || !object.HasMember(key) || !object[key].IsString()) return "<absent>";
  return object[key].GetString();
}

// The API.md endpoint table, written out independently of routes.h.
struct Expected {
  const char* method;
  const char* path;  // with a uuid where the template has {uuid}
  const char* permission;
};
const Expected kApiMdTable[] = {
    {"GET", "/api/v1/dns-zones/", "dns:list"},
    {"POST", "/api/v1/dns-zones/", "dns:create"},
    {"GET", "/api/v1/dns-zones/0a0a0a0a-0000-4000-8000-00000000000a/", "dns:read"},
    {"DELETE", "/api/v1/dns-zones/0a0a0a0a-0000-4000-8000-00000000000a/", "dns:delete"},
    {"GET", "/api/v1/dns-zones/0a0a0a0a-0000-4000-8000-00000000000a/records/", "dns:list"},
    {"POST", "/api/v1/dns-zones/0a0a0a0a-0000-4000-8000-00000000000a/records/", "dns:create"},
    {"GET", "/api/v1/dns-records/", "dns:list"},
    {"GET", "/api/v1/dns-records/1a1a1a1a-0000-4000-8000-0000000000a1/", "dns:read"},
    {"PUT", "/api/v1/dns-records/1a1a1a1a-0000-4000-8000-0000000000a1/", "dns:update"},
    {"PATCH", "/api/v1/dns-records/1a1a1a1a-0000-4000-8000-0000000000a1/", "dns:update"},
    {"DELETE", "/api/v1/dns-records/1a1a1a1a-0000-4000-8000-0000000000a1/", "dns:delete"},
    {"GET", "/api/v1/dns-zones/0a0a0a0a-0000-4000-8000-00000000000a/export", "dns:read"},
    {"GET", "/api/v1/dns-zones/0a0a0a0a-0000-4000-8000-00000000000a/changes/", "dns:read"},
    {"POST", "/api/v1/dns-zones/0a0a0a0a-0000-4000-8000-00000000000a/changesets/", "dns:update"},
    {"POST", "/api/v1/dns-zones/0a0a0a0a-0000-4000-8000-00000000000a/rollback/", "dns:update"},
    {"POST", "/api/v1/dns-zones/0a0a0a0a-0000-4000-8000-00000000000a/import", "dns:update"},
    {"GET", "/api/v1/tokens/", "tokens:manage"},
    {"POST", "/api/v1/tokens/", "tokens:manage"},
    {"DELETE", "/api/v1/tokens/tok_0123456789abcdef/", "tokens:manage"},
    {"GET", "/api/v1/changes/12345/", "dns:read"},
    {"POST", "/api/v1/acme/httpreq/present", "dns:create"},
    {"POST", "/api/v1/acme/httpreq/cleanup", "dns:delete"},
};
const char* const kPermissions[] = {"dns:list",   "dns:read",   "dns:create",
                                    "dns:update", "dns:delete", "tokens:manage"};

class ApiServerTest : public ::testing::Test {
 protected:
  ApiServerTest() {
    cfg_.apiAddress = "127.0.0.1";
    cfg_.apiPort = 0;
    cfg_.apiThreads = 1;
    cfg_.apiMaxBody = 2048;
    server_ = std::make_unique<ApiServer>(cfg_, bus_);
    auto error = server_->start();
    if (error) throw std::runtime_error(error->detail);
    pipeline_.grant(token('a'), kUserA, {"dns:*"});
    pipeline_.grant(token('b'), kUserB, {"dns:*"});
    // For each permission, a token of user A with every permission but it,
    // and one with only it.
    char seed = 'c';
    for (const char* missing : kPermissions) {
      std::vector<std::string> others;
      for (const char* p : kPermissions) {
        if (std::string_view(p) != missing) others.emplace_back(p);
      }
      without_[missing] = token(seed);
      pipeline_.grant(token(seed++), kUserA, others);
      only_[missing] = token(seed);
      pipeline_.grant(token(seed++), kUserA, {missing});
    }
  }
  ~ApiServerTest() override {
    bus_.stop();
    server_->shutdown();
  }

  HttpReply call(std::string_view method, std::string_view target, std::string_view body = "",
                 std::string_view bearer = "") {
    return httpRequest(server_->port(), method, target, body, bearer);
  }
  HttpReply asA(std::string_view method, std::string_view target, std::string_view body = "") {
    return call(method, target, body, token('a'));
  }

  void expectError(const HttpReply& r, int status, const char* code, const char* field,
                   const std::string& what) {
    EXPECT_EQ(r.status, status) << what << ": " << r.body;
    auto d = parse(r.body);
    EXPECT_EQ(str(d, "error_code"), code) << what << ": " << r.body;
    EXPECT_EQ(str(d, "field"), field == nullptr ? "<absent>" : field) << what << ": " << r.body;
    EXPECT_EQ(r.header("content-type"), "application/json") << what;
  }

  zmq::context_t ctx_;
  FakePipeline pipeline_{ctx_};
  BusClient bus_{ctx_,
                 {{"inproc://api-validator"},
                  "inproc://api-store",
                  3000ms,
                  "inproc://api-push-status",
                  500ms,
                  ""}};
  config::Config cfg_;
  std::unique_ptr<ApiServer> server_;
  std::map<std::string, std::string> without_, only_;
};

// --- routing ----------------------------------------------------------------

TEST_F(ApiServerTest, OpenApiDocumentIsServedWithoutAToken) {
  auto r = call("GET", "/api/v1/openapi.json");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.body, openApiDocument());
}

// Every (path, method) of the served OpenAPI document is really routed (it
// answers 401 without a token, not 404/405), and every other method on those
// paths answers a JSON 405 whose Allow lists exactly the documented methods.
TEST_F(ApiServerTest, DocumentedRoutesExistAndEveryOtherMethodIs405) {
  auto doc = parse(call("GET", "/api/v1/openapi.json").body);
  ASSERT_TRUE(doc.HasMember("paths"));
  int probed = 0;
  for (const auto& path : doc["paths"].GetObject()) {
    std::string target = path.name.GetString();
    if (const auto at = target.find("{uuid}"); at != std::string::npos) {
      target.replace(at, 6, kMissing);
    }
    if (const auto at = target.find("{id}"); at != std::string::npos) {
      target.replace(at, 4, "tok_0123456789abcdef");
    }
    if (const auto at = target.find("{change_id}"); at != std::string::npos) {
      target.replace(at, 11, "12345");
    }
    std::set<std::string> documented;
    for (const auto& op : path.value.GetObject()) {
      std::string m = op.name.GetString();
      for (char& c : m) c = static_cast<char>(c - 'a' + 'A');
      documented.insert(m);
    }
    if (documented.count("GET") != 0) documented.insert("HEAD");  // HEAD wherever GET
    std::string allow;
    for (const Method m : kAllMethods) {
      if (documented.count(std::string(methodName(m))) != 0) {
        if (!allow.empty()) allow += ", ";
        allow += methodName(m);
      }
    }
    for (const Method m : kAllMethods) {
      const std::string method(methodName(m));
      const std::string what = method + " " + target;
      const auto r = call(method, target, documented.count(method) ? "{}" : "");
      ++probed;
      if (documented.count(method) == 0) {
        EXPECT_EQ(r.status, 405) << what;
        EXPECT_EQ(r.header("allow"), allow) << what;
        if (m == Method::kHead) {  // no body: Content-Length 0 or none
          const std::string length = r.header("content-length");
          EXPECT_TRUE(length.empty() || length == "0") << what << ": " << length;
        } else {
          expectError(r, 405, "method_not_allowed", nullptr, what);
        }
      } else if (target == "/api/v1/openapi.json") {
        EXPECT_EQ(r.status, 200) << what;
      } else if (m == Method::kHead) {  // the GET's answer without its body
        EXPECT_EQ(r.status, 401) << what;
        EXPECT_EQ(r.header("www-authenticate"), "Bearer") << what;
        EXPECT_TRUE(r.body.empty()) << what;
      } else {
        expectError(r, 401, "authentication_failed", nullptr, what);
        EXPECT_EQ(r.header("www-authenticate"), "Bearer") << what;
      }
    }
  }
  EXPECT_EQ(probed, 16 * 9);
}

// API.md: HEAD works wherever GET does: the GET's status and headers, no body.
TEST_F(ApiServerTest, HeadAnswersLikeGetWithoutABody) {
  const auto get = asA("GET", "/api/v1/dns-zones/");
  const auto head = asA("HEAD", "/api/v1/dns-zones/");
  ASSERT_EQ(get.status, 200);
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.header("x-total-count"), get.header("x-total-count"));
  const std::string record = std::string("/api/v1/dns-records/") + kMxA;
  EXPECT_EQ(asA("HEAD", record).status, 200);
  EXPECT_EQ(asA("HEAD", record).header("etag"), asA("GET", record).header("etag"));
  EXPECT_EQ(asA("HEAD", "/api/v1/dns-records/not-a-uuid/").status, 404);
  EXPECT_EQ(asA("HEAD", "/api/v1/tokens/tok_x/").status, 405) << "no GET there";
}

TEST_F(ApiServerTest, UnknownPathsAre404AndTrailingSlashIsOptional) {
  expectError(asA("GET", "/api/v1/dns-zone/"), 404, "not_found", nullptr, "typo path");
  expectError(asA("GET", "/api/v2/dns-zones/"), 404, "not_found", nullptr, "other version");
  expectError(asA("DELETE", "/"), 404, "not_found", nullptr, "root");
  EXPECT_EQ(asA("GET", "/api/v1/dns-zones").status, 200);
  EXPECT_EQ(asA("GET", std::string("/api/v1/dns-records/") + kMxA).status, 200);
  // A path segment that cannot be a uuid is a missing resource.
  expectError(asA("GET", "/api/v1/dns-records/not-a-uuid/"), 404, "not_found", nullptr, "uuid");
  expectError(asA("PATCH", "/api/v1/dns-records/not-a-uuid/", R"({"ttl":1800})"), 404, "not_found",
              nullptr, "patch uuid");
}

// --- permissions --------------------------------------------------------------

TEST_F(ApiServerTest, RouteTableMatchesApiMdPermissions) {
  std::set<std::tuple<std::string, std::string, std::string>> table, expected;
  for (const auto& route : kRoutes) {
    if (!route.permission) continue;
    table.emplace(std::string(methodName(route.method)), std::string(route.path),
                  std::string(auth::toString(*route.permission)));
  }
  for (const auto& e : kApiMdTable) {
    std::string path = e.path;
    for (const char* uuid : {kZoneA, kMxA}) {
      if (const auto at = path.find(uuid); at != std::string::npos) {
        path.replace(at, std::string_view(uuid).size(), "{uuid}");
      }
    }
    if (const auto at = path.find("tok_0123456789abcdef"); at != std::string::npos) {
      path.replace(at, 20, "{id}");
    }
    if (const auto at = path.find("12345"); at != std::string::npos) {
      path.replace(at, 5, "{change_id}");
    }
    expected.emplace(e.method, path, e.permission);
  }
  EXPECT_EQ(table, expected);
}

TEST_F(ApiServerTest, EachEndpointNamesItsMissingPermission) {
  for (const auto& e : kApiMdTable) {
    const std::string what = std::string(e.method) + " " + e.path;
    const std::string body = std::string(e.method) == "POST" || std::string(e.method) == "PUT" ||
                                     std::string(e.method) == "PATCH"
                                 ? "{}"
                                 : "";
    auto denied = call(e.method, e.path, body, without_[e.permission]);
    expectError(denied, 403, "permission_denied", nullptr, what);
    EXPECT_NE(str(parse(denied.body), "detail").find(e.permission), std::string::npos)
        << what << ": " << denied.body;
    // With exactly that permission the request gets past authorization.
    auto allowed = call(e.method, e.path, body, only_[e.permission]);
    EXPECT_NE(allowed.status, 403) << what << ": " << allowed.body;
    EXPECT_NE(allowed.status, 401) << what << ": " << allowed.body;
  }
}

// --- PUT and PATCH --------------------------------------------------------------

TEST_F(ApiServerTest, PatchTtlSendsTheWholeStoredRecordWithTheNewTtl) {
  auto r = asA("PATCH", std::string("/api/v1/dns-records/") + kMxA + "/", R"({"ttl": 1800})");
  ASSERT_EQ(r.status, 200) << r.body;
  const Seen seen = pipeline_.seen();
  EXPECT_EQ(seen.updates, 1);
  EXPECT_EQ(seen.updateUuid, kMxA);
  EXPECT_EQ(seen.updateUser, kUserA);
  EXPECT_EQ(seen.updateInput.type, "MX");
  EXPECT_EQ(seen.updateInput.name, "@");
  EXPECT_EQ(seen.updateInput.value, "mail.example.com");
  EXPECT_EQ(seen.updateInput.ttl, 1800);
  EXPECT_EQ(seen.updateInput.priority, 10);
  auto d = parse(r.body);
  EXPECT_EQ(str(d, "uuid"), kMxA);
  EXPECT_EQ(d["ttl"].GetInt(), 1800);
  EXPECT_EQ(d["priority"].GetInt(), 10);
  EXPECT_EQ(str(d, "record_type"), "MX");
}

TEST_F(ApiServerTest, PatchOfADottedNameSendsItAbsoluteInTheRecordsZone) {
  auto r = asA("PATCH", std::string("/api/v1/dns-records/") + kSrvA + "/", R"({"ttl": 60})");
  ASSERT_EQ(r.status, 200) << r.body;
  const Seen seen = pipeline_.seen();
  EXPECT_EQ(seen.updateInput.name, "_sip._tcp.example.com.");
  EXPECT_EQ(seen.updateInput.value, "5 5060 sip.example.com");
  EXPECT_EQ(seen.updateInput.priority, 20);
}

TEST_F(ApiServerTest, AnotherUsersRecordIs404ForPatchAndNothingIsSent) {
  const std::string path = std::string("/api/v1/dns-records/") + kRecB + "/";
  expectError(asA("PATCH", path, R"({"ttl": 1800})"), 404, "not_found", nullptr, "patch B as A");
  expectError(asA("PATCH", std::string("/api/v1/dns-records/") + kMissing + "/", R"({"ttl":60})"),
              404, "not_found", nullptr, "patch missing");
  EXPECT_EQ(pipeline_.seen().updates, 0);
  // Its owner may.
  EXPECT_EQ(call("PATCH", path, R"({"value":"192.0.2.8"})", token('b')).status, 200);
  EXPECT_EQ(pipeline_.seen().updateInput.value, "192.0.2.8");
  EXPECT_EQ(pipeline_.seen().updateInput.ttl, 300);
}

TEST_F(ApiServerTest, PutSendsTheFullBodyAndAcceptsAFetchedRecordBack) {
  const std::string path = std::string("/api/v1/dns-records/") + kMxA + "/";
  auto fetched = asA("GET", path);
  ASSERT_EQ(fetched.status, 200);
  auto r = asA("PUT", path, fetched.body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(pipeline_.seen().updateInput.type, "MX");
  EXPECT_EQ(pipeline_.seen().updateInput.value, "mail.example.com");
  EXPECT_EQ(pipeline_.seen().updateInput.priority, 10);

  // ttl and priority absent stay absent (the validator applies 3600 / none).
  r = asA("PUT", path, R"({"record_type":"A","name":"www","value":"192.0.2.1"})");
  ASSERT_EQ(r.status, 200) << r.body;
  const Seen seen = pipeline_.seen();
  EXPECT_EQ(seen.updateInput.name, "www");
  EXPECT_FALSE(seen.updateInput.ttl.has_value());
  EXPECT_FALSE(seen.updateInput.priority.has_value());
  EXPECT_EQ(seen.updates, 2);
}

TEST_F(ApiServerTest, BadUpdateBodiesAreRejectedBeforeThePipeline) {
  const std::string path = std::string("/api/v1/dns-records/") + kMxA + "/";
  struct Bad {
    const char* method;
    std::string body;
    int status;
    const char* code;
    const char* field;
  };
  const Bad cases[] = {
      {"PUT", R"({"record_type":"A","name":"www"})", 400, "validation_error", "value"},
      {"PUT", R"({"ttl":1800})", 400, "validation_error", "record_type"},
      {"PUT", R"({"record_type":"A","name":"www","value":"1.2.3.4","tll":1})", 400,
       "validation_error", "tll"},
      {"PATCH", R"({"tll":1800})", 400, "validation_error", "tll"},
      {"PATCH", R"({"ttl":"1800"})", 400, "validation_error", "ttl"},
      {"PATCH", R"({"name":null})", 400, "validation_error", "name"},
      {"PATCH", R"([{"ttl":1800}])", 400, "parse_error", nullptr},
      {"PATCH", R"({"ttl":1800,"ttl":60})", 400, "parse_error", nullptr},
      {"PATCH", "", 400, "parse_error", nullptr},
      {"PATCH", std::string(30, '[') + std::string(30, ']'), 400, "parse_error", nullptr},
      {"PATCH", "{\"value\":\"\xc3\x28\"}", 400, "parse_error", nullptr},
      {"PATCH", R"({"value":")" + std::string(3000, 'x') + "\"}", 413, "payload_too_large",
       nullptr},
      {"PUT", R"({"value":")" + std::string(3000, 'x') + "\"}", 413, "payload_too_large", nullptr},
  };
  for (const auto& c : cases) {
    expectError(asA(c.method, path, c.body), c.status, c.code, c.field,
                std::string(c.method) + " " + c.body.substr(0, 60));
  }
  EXPECT_EQ(pipeline_.seen().updates, 0);
}

// --- lists ----------------------------------------------------------------------

TEST_F(ApiServerTest, ListParametersAreValidatedOnEveryList) {
  const std::string lists[] = {"/api/v1/dns-zones/",
                               std::string("/api/v1/dns-zones/") + kZoneA + "/records/",
                               "/api/v1/dns-records/"};
  struct Bad {
    const char* query;
    const char* field;
  };
  const Bad bad[] = {
      {"page=0", "page"},
      {"page=abc", "page"},
      {"page=-1", "page"},
      {"page=1.5", "page"},
      {"page=", "page"},
      {"page_size=0", "page_size"},
      {"page_size=1001", "page_size"},
      {"page_size=ten", "page_size"},
      {"page_size=%zz", "page_size"},
  };
  for (const auto& list : lists) {
    for (const auto& b : bad) {
      const std::string target = list + "?" + b.query;
      expectError(asA("GET", target), 400, "validation_error", b.field, target);
    }
    const auto r = asA("GET", list + "?page=2&page_size=10");
    EXPECT_EQ(r.status, 200) << list << ": " << r.body;
    EXPECT_EQ(r.body, "[]") << list;
    EXPECT_EQ(r.header("x-total-count"), "25") << list;
    const std::string link = r.header("link");
    EXPECT_NE(link.find("page=3&page_size=10>; rel=\"next\""), std::string::npos) << link;
    EXPECT_NE(link.find("page=1&page_size=10>; rel=\"prev\""), std::string::npos) << link;
    EXPECT_EQ(pipeline_.seen().offset, 10u) << list;
    EXPECT_EQ(pipeline_.seen().limit, 10u) << list;
    EXPECT_EQ(asA("GET", list + "?page_size=1000").status, 200) << list;
    EXPECT_EQ(pipeline_.seen().limit, 1000u);
    EXPECT_EQ(asA("GET", list).status, 200) << list;
    EXPECT_EQ(pipeline_.seen().limit, 100u);
    EXPECT_EQ(pipeline_.seen().offset, 0u);
  }
}

TEST_F(ApiServerTest, RecordListFilters) {
  struct Case {
    std::string query;
    int status;
    const char* field;
    const char* zone;
    const char* type;
  };
  const Case cases[] = {
      {"record_type=MX", 200, nullptr, "", "MX"},
      {"record_type=aaaa", 200, nullptr, "", "AAAA"},
      {"record_type=XYZ", 400, "record_type", nullptr, nullptr},
      {"record_type=A%20", 400, "record_type", nullptr, nullptr},
      {std::string("zone=") + kZoneA, 200, nullptr, kZoneA, ""},
      {"zone=0A0A0A0A-0000-4000-8000-00000000000A&record_type=txt", 200, nullptr, kZoneA, "TXT"},
      {"zone=not-a-uuid", 400, "zone", nullptr, nullptr},
      {"zone=%", 400, "zone", nullptr, nullptr},
      {"zone=", 200, nullptr, "", ""},
  };
  for (const auto& c : cases) {
    const std::string target = "/api/v1/dns-records/?" + c.query;
    const auto r = asA("GET", target);
    if (c.status != 200) {
      expectError(r, c.status, "validation_error", c.field, target);
      continue;
    }
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    EXPECT_EQ(pipeline_.seen().listZoneUuid, c.zone) << target;
    EXPECT_EQ(pipeline_.seen().listType, c.type) << target;
  }
}

TEST_F(ApiServerTest, ZoneListDomainFilterIsNormalised) {
  EXPECT_EQ(asA("GET", "/api/v1/dns-zones/?domain=Example.COM.").status, 200);
  EXPECT_EQ(pipeline_.seen().listDomain, "example.com");
}

// The zone detail is cached per zone version, but every read asks the store
// (listZones by domain, for the requesting user) for the current serial:
// a committed change is visible to the next read, another user's zone stays
// 404, a deleted zone is 404.
TEST_F(ApiServerTest, ZoneDetailCacheNeverServesStaleOrForeignZones) {
  const std::string path = std::string("/api/v1/dns-zones/") + kZoneA + "/";
  auto serialOf = [](const HttpReply& r) {
    auto d = parse(r.body);
    return d.HasMember("serial") ? d["serial"].GetInt64() : -1;
  };
  auto first = asA("GET", path);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(serialOf(first), 1);
  EXPECT_EQ(pipeline_.seen().getZones, 1);

  struct Step {
    std::string what;
    std::function<void()> change;
    std::string bearer;
    int status;
    int64_t serial;  // expected "serial" in the body (200 only)
    int getZones;    // full queries so far
  };
  const Step steps[] = {
      {"unchanged: served from the cache", [] {}, token('a'), 200, 1, 1},
      {"a write committed: re-read", [&] { pipeline_.bumpSerial(kZoneA); }, token('a'), 200, 2, 2},
      {"unchanged again", [] {}, token('a'), 200, 2, 2},
      {"another user, zone cached: 404", [] {}, token('b'), 404, 0, 3},
      {"zone handed to B: 404 for A", [&] { pipeline_.giveZone(kZoneA, kUserB); }, token('a'), 404,
       0, 4},
      {"back to A", [&] { pipeline_.giveZone(kZoneA, kUserA); }, token('a'), 200, 2, 4},
      {"deleted: 404", [&] { pipeline_.removeZone(kZoneA); }, token('a'), 404, 0, 5},
  };
  for (const auto& step : steps) {
    step.change();
    auto r = call("GET", path, "", step.bearer);
    EXPECT_EQ(r.status, step.status) << step.what << ": " << r.body;
    if (step.status == 200) {
      EXPECT_EQ(serialOf(r), step.serial) << step.what;
    }
    EXPECT_EQ(pipeline_.seen().getZones, step.getZones) << step.what;
  }
  EXPECT_GE(pipeline_.seen().zoneChecks, 5);
}

// --- deployment status, export, history --------------------------------------

// The zone detail carries the pusher's status, asked on every read (it
// changes without the zone's serial changing), and still answers 200 with
// "nameservers": null while the pusher does not answer.
TEST_F(ApiServerTest, ZoneDetailAddsLiveNameserverStatusAndSurvivesASilentPusher) {
  const std::string path = std::string("/api/v1/dns-zones/") + kZoneA + "/";
  pipeline_.pusherAnswers(false);
  for (int round = 0; round < 2; ++round) {  // a cache miss, then a hit
    auto r = asA("GET", path);
    ASSERT_EQ(r.status, 200) << r.body;
    auto d = parse(r.body);
    EXPECT_TRUE(d["nameservers"].IsNull()) << r.body;
    EXPECT_TRUE(d["deployed_serial"].IsNull()) << r.body;
    EXPECT_TRUE(d["last_error"].IsNull()) << r.body;
    EXPECT_TRUE(d["records"].IsArray()) << r.body;
  }
  const int asked = pipeline_.statusQueries();
  EXPECT_GE(asked, 2);

  pipeline_.pusherAnswers(true, 1);  // serves serial 1, the zone's current one
  auto r = asA("GET", path);
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = parse(r.body);
  ASSERT_TRUE(d["nameservers"].IsArray()) << r.body;
  ASSERT_EQ(d["nameservers"].Size(), 2u);
  for (const auto& ns : d["nameservers"].GetArray()) {
    EXPECT_TRUE(ns["in_sync"].GetBool()) << r.body;
    EXPECT_EQ(ns["serial"].GetUint(), 1u);
    EXPECT_STREQ(ns["detail"].GetString(), "");
  }
  EXPECT_STREQ(d["nameservers"][1]["name"].GetString(), "ns2.zonepipe.test");
  EXPECT_STREQ(d["nameservers"][1]["address"].GetString(), "127.0.0.2:1053");
  EXPECT_EQ(d["deployed_serial"].GetUint(), 1u);

  // A committed change: the nameservers still serve serial 1, not in sync.
  pipeline_.bumpSerial(kZoneA);
  r = asA("GET", path);
  ASSERT_EQ(r.status, 200) << r.body;
  d = parse(r.body);
  EXPECT_EQ(d["serial"].GetUint(), 2u);
  for (const auto& ns : d["nameservers"].GetArray()) {
    EXPECT_FALSE(ns["in_sync"].GetBool()) << r.body;
    EXPECT_STRNE(ns["detail"].GetString(), "");
  }
  // Another user's zone: 404 whatever the pusher knows.
  expectError(call("GET", path, "", token('b')), 404, "not_found", nullptr, "foreign zone");
}

// The current version is rendered from the store (the pusher's state does
// not matter: named's copy changes by UPDATE, there is no deployed file).
TEST_F(ApiServerTest, ExportRendersTheCurrentVersionAsTextDns) {
  const std::string path = std::string("/api/v1/dns-zones/") + kZoneA + "/export";
  pipeline_.pusherAnswers(false);
  auto r = asA("GET", path);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "text/dns");
  EXPECT_EQ(r.body.rfind("; zone example.com, serial ", 0), 0u) << r.body;
  EXPECT_NE(r.body.find("example.com. 3600 IN SOA ns1.zonepipe.test. "), std::string::npos)
      << r.body;
  expectError(call("GET", path, "", token('b')), 404, "not_found", nullptr, "foreign export");
  expectError(asA("GET", "/api/v1/dns-zones/not-a-uuid/export"), 404, "not_found", nullptr,
              "bad uuid");
}

// ?serial=N renders the store's zoneAt answer with the renderer's function.
TEST_F(ApiServerTest, ExportAtASerialRendersThatVersion) {
  const std::string path = std::string("/api/v1/dns-zones/") + kZoneA + "/export?serial=";
  auto r = asA("GET", path + "2");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "text/dns");
  EXPECT_EQ(r.body.rfind("; zone example.com, serial 2\n", 0), 0u) << r.body;
  EXPECT_NE(r.body.find("example.com. 3600 IN MX 10 mail.example.com."), std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find(" IN SOA ns1.zonepipe.test. hostmaster.zonepipe.test. 2 "),
            std::string::npos)
      << r.body;
  expectError(asA("GET", path + "3"), 404, "not_found", nullptr, "unknown serial");
  expectError(call("GET", path + "2", "", token('b')), 404, "not_found", nullptr, "foreign");
  for (const char* bad : {"", "0", "-1", "1.5", "x", "%zz", "18446744073709551616", "+2"}) {
    expectError(asA("GET", path + bad), 400, "validation_error", "serial", bad);
  }
}

TEST_F(ApiServerTest, ChangesArePagedWithBeforeAndAfter) {
  const std::string path = std::string("/api/v1/dns-zones/") + kZoneA + "/changes/";
  auto r = asA("GET", path + "?page=2&page_size=1");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(pipeline_.seen().offset, 1u);
  EXPECT_EQ(pipeline_.seen().limit, 1u);
  EXPECT_EQ(r.header("x-total-count"), "3");
  EXPECT_NE(r.header("link").find("changes/?page=3&page_size=1>; rel=\"next\""), std::string::npos)
      << r.header("link");
  auto d = parse(r.body);
  ASSERT_TRUE(d.IsArray());
  ASSERT_EQ(d.Size(), 1u);
  EXPECT_EQ(d[0]["seq"].GetUint(), 3u);
  EXPECT_EQ(d[0]["serial"].GetUint(), 3u);  // none in the event: the seq mod 2^32
  EXPECT_STREQ(d[0]["action"].GetString(), "record_updated");
  EXPECT_STREQ(d[0]["time"].GetString(), "2023-11-14T22:15:00Z");
  EXPECT_STREQ(d[0]["token_id"].GetString(), "tok_test");
  EXPECT_EQ(d[0]["before"]["ttl"].GetUint(), 3600u);
  EXPECT_EQ(d[0]["after"]["ttl"].GetUint(), 60u);
  EXPECT_STREQ(d[0]["after"]["uuid"].GetString(), kMxA);
  expectError(call("GET", path, "", token('b')), 404, "not_found", nullptr, "foreign changes");
  expectError(asA("GET", path + "?page=0"), 400, "validation_error", "page", "page 0");
  expectError(asA("POST", path, "{}"), 405, "method_not_allowed", nullptr, "POST changes");
}

// --- broken HTTP (the request gate, http_gate.h) ------------------------------

// Each raw input Pistache used to answer outside the contract (500, 501,
// text/plain 400/415) gets the documented JSON error over a raw socket, and
// the server closes the connection after it.
TEST_F(ApiServerTest, BrokenHttpGetsTheDocumentedJsonErrorAndTheConnectionIsClosed) {
  for (const auto& c : ::zp::api::testing::brokenHttpCases()) {
    RawConnection connection(server_->port());
    connection.send(c.raw);
    const HttpReply reply = connection.read();
    expectError(reply, c.status, c.code, nullptr, c.what);
    EXPECT_FALSE(str(parse(reply.body), "detail").empty()) << c.what;
    EXPECT_EQ(reply.header("connection"), "close") << c.what;
    EXPECT_TRUE(connection.closedByServer()) << c.what;
  }
}

// Good requests pass the gate unchanged: on one keep-alive connection, a GET,
// a request with a Content-Length body, one with a chunked body (with a
// trailer), and a GET again are each answered by the API.
TEST_F(ApiServerTest, GoodRequestsOnOneKeepAliveConnectionPassTheGate) {
  RawConnection connection(server_->port());
  const std::string get = "GET /api/v1/openapi.json HTTP/1.1\r\nConnection: keep-alive\r\n\r\n";
  const std::string patch = std::string("PATCH /api/v1/dns-records/") + kMxA +
                            "/ HTTP/1.1\r\nConnection: keep-alive\r\nAuthorization: Bearer " +
                            token('a') + "\r\nContent-Type: application/json\r\n";
  const std::string body = R"({"ttl":"1800"})";
  connection.send(get);
  EXPECT_EQ(connection.read().body, openApiDocument());
  connection.send(patch + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  expectError(connection.read(), 400, "validation_error", "ttl", "Content-Length body");
  connection.send(patch + "Transfer-Encoding: chunked\r\n\r\n5\r\n" + body.substr(0, 5) + "\r\n" +
                  "9\r\n" + body.substr(5) + "\r\n0\r\nX-Trailer: 1\r\n\r\n");
  expectError(connection.read(), 400, "validation_error", "ttl", "chunked body");
  connection.send(get);
  EXPECT_EQ(connection.read().body, openApiDocument());
  EXPECT_EQ(pipeline_.seen().updates, 0);
}

}  // namespace
}  // namespace zp::api
