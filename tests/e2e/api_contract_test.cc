// API.md over real HTTP against the real pipeline: the seed document's own
// examples, every endpoint's success shape, every error code of the table,
// ownership (cross-user 404), permissions (403), 405/413, strict JSON,
// PUT/PATCH, filters and pagination walks.

#include <regex>
#include <thread>

#include "tests/e2e/api_helpers.h"

namespace zp::e2e::api {
namespace {

const std::regex kTimestamp(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)");
const std::regex kUuidV4(R"([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})");

const std::set<std::string> kSummaryFields = {"uuid", "domain", "created_at", "record_count"};
const std::set<std::string> kRecordFields = {"uuid", "record_type", "name",      "value",
                                             "ttl",  "priority",    "created_at"};

// Checks one record object against the seed's field list (extra `zone` and
// `updated_at` are allowed by API.md; write answers add `change_id` and
// `zone_serial`, issue 11).
void expectRecordShape(const rapidjson::Value& rec, const std::string& context) {
  auto names = memberNames(rec);
  for (const auto& f : kRecordFields) EXPECT_EQ(names.count(f), 1u) << context << ": no " << f;
  for (const auto& n : names) {
    EXPECT_TRUE(kRecordFields.count(n) || n == "zone" || n == "updated_at" || n == "change_id" ||
                n == "zone_serial")
        << context << ": unexpected field " << n;
  }
  EXPECT_TRUE(std::regex_match(str(rec, "uuid"), kUuidV4)) << context << ": " << str(rec, "uuid");
  EXPECT_TRUE(std::regex_match(str(rec, "created_at"), kTimestamp)) << context;
}

class ApiContractTest : public ApiTest {};

// The seed document's curl examples, with its paths, bodies (byte for byte,
// newlines and all) and response fields.
TEST_F(ApiContractTest, SeedCurlExamplesWorkAsWritten) {
  const std::string token = tokenFor(uniqueName("seed"), "dns:*");

  // POST /api/v1/dns-zones/ -d '{"domain": "newdomain.com"}'
  auto created = call("POST", "/api/v1/dns-zones/", R"({"domain": "newdomain.com"})", token);
  ASSERT_EQ(created.status, 201) << created.body;
  auto zone = parseJson(created);
  EXPECT_EQ(memberNames(zone).count("records"), 1u) << created.body;
  for (const auto& f : kSummaryFields) EXPECT_EQ(memberNames(zone).count(f), 1u) << f;
  EXPECT_EQ(str(zone, "domain"), "newdomain.com");
  EXPECT_TRUE(std::regex_match(str(zone, "uuid"), kUuidV4)) << created.body;
  EXPECT_TRUE(std::regex_match(str(zone, "created_at"), kTimestamp)) << created.body;
  EXPECT_EQ(num(zone, "record_count"), 0);
  ASSERT_TRUE(zone["records"].IsArray());
  EXPECT_EQ(zone["records"].Size(), 0u);
  const std::string zoneUuid = str(zone, "uuid");

  // GET /api/v1/dns-zones/
  auto list = call("GET", "/api/v1/dns-zones/", "", token);
  ASSERT_EQ(list.status, 200) << list.body;
  auto zones = parseJson(list);
  ASSERT_TRUE(zones.IsArray()) << "the list is a bare array: " << list.body;
  ASSERT_EQ(zones.Size(), 1u) << list.body;
  EXPECT_EQ(memberNames(zones[0]), kSummaryFields) << list.body;
  EXPECT_EQ(str(zones[0], "uuid"), zoneUuid);

  // POST /api/v1/dns-zones/{uuid}/records/ with the seed's multi-line body.
  const std::string seedBody =
      "{\n    \"record_type\": \"A\",\n    \"name\": \"www\",\n    \"value\": \"192.0.2.1\",\n"
      "    \"ttl\": 3600\n  }";
  auto rec = call("POST", "/api/v1/dns-zones/" + zoneUuid + "/records/", seedBody, token);
  ASSERT_EQ(rec.status, 201) << rec.body;
  auto r = parseJson(rec);
  expectRecordShape(r, "created A");
  EXPECT_EQ(str(r, "record_type"), "A");
  EXPECT_EQ(str(r, "name"), "www");
  EXPECT_EQ(str(r, "value"), "192.0.2.1");
  EXPECT_EQ(num(r, "ttl"), 3600);
  EXPECT_TRUE(r["priority"].IsNull());
  const std::string recUuid = str(r, "uuid");

  // The seed's MX example record (priority 10).
  auto mx = call("POST", "/api/v1/dns-zones/" + zoneUuid + "/records/",
                 R"({"record_type": "MX", "name": "@", "value": "mail.newdomain.com", )"
                 R"("priority": 10})",
                 token);
  ASSERT_EQ(mx.status, 201) << mx.body;
  EXPECT_EQ(num(parseJson(mx), "priority"), 10);

  // The seed's error example: an MX without priority.
  auto noPriority =
      call("POST", "/api/v1/dns-zones/" + zoneUuid + "/records/",
           R"({"record_type": "MX", "name": "@", "value": "mx2.newdomain.com"})", token);
  EXPECT_EQ(noPriority.status, 400);
  auto e = apiError(noPriority);
  EXPECT_EQ(e.errorCode, "validation_error");
  EXPECT_EQ(e.field, "priority");
  EXPECT_EQ(e.detail, "MX records require a priority value") << "the seed's own wording";

  // GET /api/v1/dns-zones/{uuid}/records/
  auto records = call("GET", "/api/v1/dns-zones/" + zoneUuid + "/records/", "", token);
  ASSERT_EQ(records.status, 200) << records.body;
  auto rl = parseJson(records);
  ASSERT_TRUE(rl.IsArray()) << records.body;
  ASSERT_EQ(rl.Size(), 2u) << records.body;
  for (const auto& item : rl.GetArray()) expectRecordShape(item, "listed record");

  // GET /api/v1/dns-zones/{uuid}/
  auto detail = call("GET", "/api/v1/dns-zones/" + zoneUuid + "/", "", token);
  ASSERT_EQ(detail.status, 200) << detail.body;
  auto d = parseJson(detail);
  EXPECT_EQ(str(d, "uuid"), zoneUuid);
  EXPECT_EQ(str(d, "domain"), "newdomain.com");
  EXPECT_EQ(num(d, "record_count"), 2);
  ASSERT_TRUE(d.HasMember("records") && d["records"].IsArray()) << detail.body;
  EXPECT_EQ(d["records"].Size(), 2u);
  for (const auto& item : d["records"].GetArray()) expectRecordShape(item, "detail record");

  // PATCH /api/v1/dns-records/{rec-uuid}/ -d '{"ttl": 1800}'
  auto patched = call("PATCH", "/api/v1/dns-records/" + recUuid + "/", R"({"ttl": 1800})", token);
  ASSERT_EQ(patched.status, 200) << patched.body;
  auto p = parseJson(patched);
  EXPECT_EQ(num(p, "ttl"), 1800);
  EXPECT_EQ(str(p, "value"), "192.0.2.1");

  // The seed's propagation check: named serves the records.
  Strings last;
  EXPECT_TRUE(servedAs("www.newdomain.com", "A", {"192.0.2.1"}, &last)) << joined(last);
  EXPECT_TRUE(servedAs("newdomain.com", "MX", {"10 mail.newdomain.com."}, &last)) << joined(last);

  // DELETE /api/v1/dns-zones/{uuid}/ -> 204, no body.
  auto deleted = call("DELETE", "/api/v1/dns-zones/" + zoneUuid + "/", "", token);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_EQ(deleted.body, "");
  EXPECT_EQ(call("GET", "/api/v1/dns-records/" + recUuid + "/", "", token).status, 404)
      << "the zone's records go with it";
}

TEST_F(ApiContractTest, PathsWithoutTrailingSlashAreAccepted) {
  const std::string token = tokenFor(uniqueName("slash"), "dns:*");
  const std::string zone = createZone(uniqueName("slash") + ".test", token);
  ASSERT_FALSE(zone.empty());
  const std::string rec = createRecord(zone, recordJson("A", "www", "192.0.2.5"), token);
  struct Case {
    std::string method, path, body;
    int status;
  };
  const std::vector<Case> cases = {
      {"GET", "/api/v1/dns-zones", "", 200},
      {"GET", "/api/v1/dns-zones/" + zone, "", 200},
      {"GET", "/api/v1/dns-zones/" + zone + "/records", "", 200},
      {"POST", "/api/v1/dns-zones/" + zone + "/records", recordJson("A", "x", "192.0.2.6"), 201},
      {"GET", "/api/v1/dns-records", "", 200},
      {"GET", "/api/v1/dns-records/" + rec, "", 200},
      {"PATCH", "/api/v1/dns-records/" + rec, R"({"ttl": 600})", 200},
  };
  for (const auto& c : cases) {
    auto r = call(c.method, c.path, c.body, token);
    EXPECT_EQ(r.status, c.status) << c.method << " " << c.path << " -> " << r.body;
  }
}

TEST_F(ApiContractTest, EveryEndpointWithoutAValidTokenIs401) {
  const std::string zone = createZone(uniqueName("noauth") + ".test");
  const std::string rec = createRecord(zone, recordJson("A", "www", "192.0.2.7"));
  const std::vector<std::pair<std::string, std::string>> endpoints = {
      {"GET", kZones},
      {"POST", kZones},
      {"GET", kZones + zone + "/"},
      {"DELETE", kZones + zone + "/"},
      {"GET", kZones + zone + "/records/"},
      {"POST", kZones + zone + "/records/"},
      {"GET", kRecords},
      {"GET", kRecords + rec + "/"},
      {"PUT", kRecords + rec + "/"},
      {"PATCH", kRecords + rec + "/"},
      {"DELETE", kRecords + rec + "/"},
  };
  const std::vector<std::string> tokens = {"", "vps_" + std::string(40, 'b'), "abc"};
  for (const auto& [method, path] : endpoints) {
    for (const auto& token : tokens) {
      auto r = call(method, path, R"({"ttl": 300})", token);
      EXPECT_EQ(r.status, 401) << method << " " << path << " token '" << token << "': " << r.body;
      EXPECT_EQ(apiError(r).errorCode, "authentication_failed");
    }
  }
  // Nothing changed.
  auto after = call("GET", kRecords + rec + "/", "", admin());
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(num(parseJson(after), "ttl"), 3600);
}

// Issue 11: a query parameter an endpoint does not take is a 400 naming it,
// never silently ignored (a cleanup script trusting ?name= would otherwise
// act on every TXT record of the zone); without a token it is still a 401.
TEST_F(ApiContractTest, UnknownQueryParametersAre400NamingThem) {
  const std::string zone = createZone(uniqueName("params") + ".test");
  const std::string rec = createRecord(zone, recordJson("TXT", "keep", "\"spf\""));
  struct Case {
    std::string method, path, field;
  } cases[] = {
      {"GET", kRecords + "?zone=" + zone + "&record_type=TXT&names=x",
       "names"},                                                               // name= is a filter
      {"GET", kRecords + "?zone=" + zone + "&record_type=TXT&name=", "name"},  // empty: refused
      {"GET", kZones + "?domain=x.test&contains=x.test", "contains"},
      {"GET", kZones + zone + "/?verbose=1", "verbose"},
      {"GET", kZones + zone + "/records/?sort=name", "sort"},
      {"GET", kRecords + rec + "/?fields=ttl", "fields"},
      {"DELETE", kRecords + rec + "/?force=1", "force"},
      {"GET", kZones + zone + "/export?serial=1&format=json", "format"},
  };
  for (const auto& c : cases) {
    auto r = call(c.method, c.path, "", admin());
    EXPECT_EQ(r.status, 400) << c.method << " " << c.path << " -> " << r.body;
    const auto e = apiError(r);
    EXPECT_EQ(e.errorCode, "validation_error") << c.path;
    EXPECT_EQ(e.field, c.field) << c.path;
    EXPECT_EQ(call(c.method, c.path, "", "").status, 401) << c.path;
  }
  // Nothing was deleted; the parameters each endpoint takes still work.
  EXPECT_EQ(call("GET", kRecords + rec + "/", "", admin()).status, 200);
  EXPECT_EQ(
      call("GET", kRecords + "?zone=" + zone + "&record_type=TXT&page=1&page_size=5", "", admin())
          .status,
      200);
}

// Another user's zone or record answers 404 on every endpoint, exactly as a
// missing one, and never shows up in a list; nothing of it changes.
TEST_F(ApiContractTest, AnotherUsersZoneAndRecordsAre404Everywhere) {
  const std::string alice = tokenFor(uniqueName("alice"), "dns:*");
  const std::string bob = tokenFor(uniqueName("bob"), "dns:*");
  const std::string domain = uniqueName("alice") + ".test";
  const std::string zone = createZone(domain, alice);
  ASSERT_FALSE(zone.empty());
  const std::string rec = createRecord(zone, recordJson("A", "www", "192.0.2.8"), alice);
  ASSERT_FALSE(rec.empty());
  const std::string missing = "0b7e0c4e-7a2b-4f57-9d2e-3c1f5a6b7c8d";

  struct Case {
    std::string method, path, body;
  };
  auto casesFor = [](const std::string& z, const std::string& r) {
    return std::vector<Case>{
        {"GET", kZones + z + "/", ""},
        {"GET", kZones + z + "/records/", ""},
        {"POST", kZones + z + "/records/", recordJson("A", "bob", "192.0.2.9")},
        {"GET", kRecords + r + "/", ""},
        {"PUT", kRecords + r + "/", recordJson("A", "www", "192.0.2.10")},
        {"PATCH", kRecords + r + "/", R"({"ttl": 1800})"},
        {"DELETE", kRecords + r + "/", ""},
        {"DELETE", kZones + z + "/", ""},
    };
  };
  for (const auto& [who, cases] :
       {std::pair{std::string("bob on alice's"), casesFor(zone, rec)},
        std::pair{std::string("missing"), casesFor(missing, missing)},
        std::pair{std::string("not a uuid"), casesFor("nope", "x%20y")}}) {
    for (const auto& c : cases) {
      auto r = call(c.method, c.path, c.body, bob);
      EXPECT_EQ(r.status, 404) << who << ": " << c.method << " " << c.path << " -> " << r.body;
      EXPECT_EQ(apiError(r).errorCode, "not_found") << r.body;
    }
  }

  // Lists: bob sees none of alice's data, even when filtering for it.
  auto zones = call("GET", kZones, "", bob);
  ASSERT_EQ(zones.status, 200);
  EXPECT_EQ(zones.body, "[]");
  auto byDomain = call("GET", kZones + "?domain=" + domain, "", bob);
  ASSERT_EQ(byDomain.status, 200) << byDomain.body;
  EXPECT_EQ(byDomain.body, "[]");
  EXPECT_EQ(byDomain.header("x-total-count"), "0");
  auto records = call("GET", kRecords, "", bob);
  ASSERT_EQ(records.status, 200);
  EXPECT_EQ(records.body, "[]");
  auto byZone = call("GET", kRecords + "?zone=" + zone, "", bob);
  EXPECT_TRUE(byZone.status == 404 || (byZone.status == 200 && byZone.body == "[]"))
      << byZone.status << " " << byZone.body;

  // Alice still has everything, unchanged.
  auto detail = call("GET", kZones + zone + "/", "", alice);
  ASSERT_EQ(detail.status, 200) << detail.body;
  auto d = parseJson(detail);
  ASSERT_EQ(d["records"].Size(), 1u) << detail.body;
  EXPECT_EQ(str(d["records"][0], "value"), "192.0.2.8");
  EXPECT_EQ(num(d["records"][0], "ttl"), 3600);
  auto mine = call("GET", kZones + "?domain=" + domain, "", alice);
  ASSERT_EQ(mine.status, 200);
  EXPECT_EQ(parseJson(mine).Size(), 1u) << mine.body;
}

// Each permission is checked on its endpoints: a token with any single other
// permission gets 403 naming the missing one; the right one succeeds.
TEST_F(ApiContractTest, EachPermissionGuardsItsEndpoints) {
  const std::string user = uniqueName("perm");
  const std::vector<std::string> perms = {"dns:list", "dns:read", "dns:create", "dns:update",
                                          "dns:delete"};
  std::map<std::string, std::string> tokens;
  for (const auto& p : perms) tokens[p] = tokenFor(user, p);
  const std::string all = tokenFor(user, "dns:*");
  const std::string domain = uniqueName("perm") + ".test";
  const std::string zone = createZone(domain, all);
  ASSERT_FALSE(zone.empty());
  const std::string rec = createRecord(zone, recordJson("A", "www", "192.0.2.11"), all);
  const std::string rec2 = createRecord(zone, recordJson("A", "two", "192.0.2.12"), all);
  const std::string zone2 = createZone(uniqueName("perm2") + ".test", all);

  struct Case {
    std::string method, path, body, needed;
    int success;
  };
  // In this order: the deletes come last so every earlier case finds its target.
  const std::vector<Case> cases = {
      {"GET", kZones, "", "dns:list", 200},
      {"GET", kZones + zone + "/records/", "", "dns:list", 200},
      {"GET", kRecords, "", "dns:list", 200},
      {"GET", kZones + zone + "/", "", "dns:read", 200},
      {"GET", kRecords + rec + "/", "", "dns:read", 200},
      {"POST", kZones, R"({"domain": ")" + uniqueName("permnew") + R"(.test"})", "dns:create", 201},
      {"POST", kZones + zone + "/records/", recordJson("A", "new", "192.0.2.13"), "dns:create",
       201},
      {"PUT", kRecords + rec + "/", recordJson("A", "www", "192.0.2.14"), "dns:update", 200},
      {"PATCH", kRecords + rec + "/", R"({"ttl": 1800})", "dns:update", 200},
      {"DELETE", kRecords + rec2 + "/", "", "dns:delete", 204},
      {"DELETE", kZones + zone2 + "/", "", "dns:delete", 204},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.method + " " + c.path);
    for (const auto& p : perms) {
      if (p == c.needed) continue;
      auto r = call(c.method, c.path, c.body, tokens[p]);
      EXPECT_EQ(r.status, 403) << "with only " << p << ": " << r.body;
      auto e = apiError(r);
      EXPECT_EQ(e.errorCode, "permission_denied");
      EXPECT_NE(e.detail.find(c.needed), std::string::npos)
          << "403 must name the missing permission: " << e.detail;
    }
    auto ok = call(c.method, c.path, c.body, tokens[c.needed]);
    EXPECT_EQ(ok.status, c.success) << "with " << c.needed << ": " << ok.body;
  }
  // A token with two permissions has both.
  const std::string two = tokenFor(user, "dns:list,dns:read");
  EXPECT_EQ(call("GET", kZones, "", two).status, 200);
  EXPECT_EQ(call("GET", kZones + zone + "/", "", two).status, 200);
  EXPECT_EQ(call("DELETE", kZones + zone + "/", "", two).status, 403);
}

TEST_F(ApiContractTest, WrongMethodIs405WithAllow) {
  const std::string zone = createZone(uniqueName("m405") + ".test");
  const std::string rec = createRecord(zone, recordJson("A", "www", "192.0.2.15"));
  struct Case {
    std::string method, path;
    std::set<std::string> allow;
  };
  const std::vector<Case> cases = {
      {"PUT", kZones, {"GET", "POST"}},
      {"DELETE", kZones, {"GET", "POST"}},
      {"PATCH", kZones + zone + "/", {"GET", "DELETE"}},
      {"POST", kZones + zone + "/", {"GET", "DELETE"}},
      {"DELETE", kZones + zone + "/records/", {"GET", "POST"}},
      {"POST", kRecords, {"GET"}},
      {"DELETE", kRecords, {"GET"}},
      {"POST", kRecords + rec + "/", {"GET", "PUT", "PATCH", "DELETE"}},
  };
  for (const auto& c : cases) {
    for (const std::string& token : {admin(), std::string()}) {  // 405 does not need a token
      auto r = call(c.method, c.path, "{}", token);
      EXPECT_EQ(r.status, 405) << c.method << " " << c.path << ": " << r.body;
      EXPECT_EQ(apiError(r).errorCode, "method_not_allowed");
      std::set<std::string> allow;
      std::stringstream in(r.header("allow"));
      std::string m;
      while (std::getline(in, m, ',')) {
        m.erase(std::remove(m.begin(), m.end(), ' '), m.end());
        if (!m.empty() && m != "HEAD" && m != "OPTIONS") allow.insert(m);
      }
      EXPECT_EQ(allow, c.allow) << c.method << " " << c.path << " Allow: " << r.header("allow");
    }
  }
  EXPECT_EQ(call("GET", kRecords + rec + "/", "", admin()).status, 200) << "nothing was deleted";
}

// A body of `size` bytes: a valid TXT record padded with spaces.
std::string paddedRecord(size_t size) {
  std::string body = recordJson("TXT", "fits", "padded with spaces");
  body.insert(body.size() - 1, std::string(size - body.size(), ' '));
  return body;
}

TEST_F(ApiContractTest, BodiesOverOneMebibyteAre413AndJustUnderAreFine) {
  const std::string zone = createZone(uniqueName("big") + ".test");
  const std::string rec = createRecord(zone, recordJson("A", "www", "192.0.2.16"));
  const size_t limit = size_t{1} << 20;
  auto fits = postRecord(zone, paddedRecord(limit));
  EXPECT_EQ(fits.status, 201) << "a body of exactly 1 MiB is within the limit: " << fits.body;

  for (const std::string method : {"POST", "PUT", "PATCH"}) {
    const std::string path = method == "POST" ? kZones + zone + "/records/" : kRecords + rec + "/";
    for (const size_t size : {limit + 1, limit + 1024, 3 * limit}) {
      auto r = call(method, path, paddedRecord(size), admin());
      EXPECT_EQ(r.status, 413) << method << " " << path << " " << size << " bytes: " << r.body;
    }
  }
  auto zoneBody = R"({"domain": "big.test")" + std::string(limit, ' ') + "}";
  EXPECT_EQ(call("POST", kZones, zoneBody, admin()).status, 413);
  // The API still answers afterwards, and nothing changed.
  auto after = call("GET", kRecords + rec + "/", "", admin());
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(str(parseJson(after), "value"), "192.0.2.16");
}

// API.md: every error is JSON, 413 included, whatever the size of the body.
TEST_F(ApiContractTest, EveryOversizedBodyGetsTheJson413) {
  const std::string zone = createZone(uniqueName("big2") + ".test");
  const size_t limit = size_t{1} << 20;
  for (const size_t size : {limit + 1, limit + 1024, limit + 100 * 1024, 3 * limit}) {
    auto r = postRecord(zone, paddedRecord(size));
    EXPECT_EQ(r.status, 413) << size << " bytes";
    EXPECT_EQ(apiError(r).errorCode, "payload_too_large") << size << " bytes: " << r.body;
  }
}

TEST_F(ApiContractTest, MalformedJsonIsParseError) {
  const std::string zone = createZone(uniqueName("parse") + ".test");
  const std::string rec = createRecord(zone, recordJson("A", "www", "192.0.2.17"));
  const std::string good = recordJson("A", "p", "192.0.2.18");
  struct Case {
    std::string what, body;
  };
  const std::vector<Case> cases = {
      {"empty body", ""},
      {"not JSON", "record_type=A"},
      {"truncated", R"({"record_type": "A", "name": "p")"},
      {"array", "[" + good + "]"},
      {"string", R"("A")"},
      {"number", "42"},
      {"null", "null"},
      {"two documents", good + good},
      {"trailing comma", R"({"record_type": "A", "name": "p", "value": "192.0.2.18",})"},
      {"single quotes", R"({'record_type': 'A'})"},
      {"comment", R"({"record_type": "A" /* x */, "name": "p", "value": "192.0.2.18"})"},
      {"duplicate key", R"({"record_type": "A", "name": "p", "name": "q", "value": "192.0.2.18"})"},
      {"duplicate key, same value",
       R"({"record_type": "A", "name": "p", "value": "192.0.2.18", "value": "192.0.2.18"})"},
      {"invalid UTF-8", "{\"record_type\": \"A\", \"name\": \"p\xff\", \"value\": \"192.0.2.18\"}"},
      {"overlong UTF-8",
       "{\"record_type\": \"A\", \"name\": \"\xc0\xaf\", \"value\": \"1.2.3.4\"}"},
      {"lone surrogate", R"({"record_type": "A", "name": "\ud800", "value": "192.0.2.18"})"},
      {"raw NUL after the object", good + std::string(1, '\0')},
      {"raw NUL inside a string", "{\"record_type\": \"A\", \"name\": \"p" + std::string(1, '\0') +
                                      "\", \"value\": \"192.0.2.18\"}"},
      {"deep nesting",
       R"({"record_type": )" + std::string(10000, '[') + std::string(10000, ']') + "}"},
      {"very deep nesting", std::string(200000, '[')},
      {"raw newline in a string", "{\"record_type\": \"A\", \"name\": \"p\nq\", \"value\": \"x\"}"},
      {"NaN", R"({"record_type": "A", "name": "p", "value": "192.0.2.18", "ttl": NaN})"},
  };
  struct Target {
    std::string method, path;
  };
  for (const auto& t : std::vector<Target>{{"POST", kZones + zone + "/records/"},
                                           {"POST", kZones},
                                           {"PUT", kRecords + rec + "/"},
                                           {"PATCH", kRecords + rec + "/"}}) {
    for (const auto& c : cases) {
      auto r = call(t.method, t.path, c.body, admin());
      EXPECT_EQ(r.status, 400) << t.method << " " << t.path << " " << c.what << ": " << r.body;
      EXPECT_EQ(apiError(r).errorCode, "parse_error")
          << t.method << " " << c.what << ": " << r.body;
    }
  }
  // An escaped NUL is valid JSON but no valid field value.
  auto escapedNul = postRecord(zone, R"({"record_type": "TXT", "name": "n", "value": "a\u0000b"})");
  EXPECT_EQ(escapedNul.status, 400) << escapedNul.body;
  EXPECT_EQ(apiError(escapedNul).errorCode, "validation_error");
  EXPECT_EQ(apiError(escapedNul).field, "value");

  auto after = call("GET", kZones + zone + "/", "", admin());
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(num(parseJson(after), "record_count"), 1) << after.body;
}

TEST_F(ApiContractTest, UnknownFieldsAreValidationErrorsNamingThem) {
  const std::string zone = createZone(uniqueName("unknown") + ".test");
  const std::string rec = createRecord(zone, recordJson("A", "www", "192.0.2.19"));
  struct Case {
    std::string method, path, body, field;
  };
  const std::vector<Case> cases = {
      {"POST", kZones, R"({"domain": "typo.test", "domian": "typo.test"})", "domian"},
      {"POST", kZones + zone + "/records/", recordJson("A", "u", "192.0.2.20", R"(, "tll": 300)"),
       "tll"},
      {"POST", kZones + zone + "/records/", recordJson("MX", "@", "mx.test", R"(, "priorty": 10)"),
       "priorty"},
      {"PUT", kRecords + rec + "/", recordJson("A", "www", "192.0.2.21", R"(, "Value": "x")"),
       "Value"},
      {"PATCH", kRecords + rec + "/", R"({"tll": 1800})", "tll"},
      {"PATCH", kRecords + rec + "/", R"({"ttl": 1800, "comment": "x"})", "comment"},
  };
  for (const auto& c : cases) {
    auto r = call(c.method, c.path, c.body, admin());
    EXPECT_EQ(r.status, 400) << c.body << ": " << r.body;
    auto e = apiError(r);
    EXPECT_EQ(e.errorCode, "validation_error") << c.body;
    EXPECT_EQ(e.field, c.field) << c.body << ": " << r.body;
  }
  // Missing and mistyped fields.
  const std::vector<Case> wrong = {
      {"POST", kZones, "{}", "domain"},
      {"POST", kZones, R"({"domain": 5})", "domain"},
      {"POST", kZones, R"({"domain": null})", "domain"},
      {"POST", kZones + zone + "/records/", R"({"name": "a", "value": "192.0.2.1"})",
       "record_type"},
      {"POST", kZones + zone + "/records/", R"({"record_type": "A", "value": "192.0.2.1"})",
       "name"},
      {"POST", kZones + zone + "/records/", R"({"record_type": "A", "name": "a"})", "value"},
      {"POST", kZones + zone + "/records/", recordJson("A", "a", "192.0.2.1", R"(, "ttl": "60")"),
       "ttl"},
      {"POST", kZones + zone + "/records/", recordJson("A", "a", "192.0.2.1", R"(, "ttl": 60.5)"),
       "ttl"},
      {"POST", kZones + zone + "/records/",
       recordJson("MX", "a", "mx.test", R"(, "priority": "10")"), "priority"},
      {"PUT", kRecords + rec + "/", R"({"record_type": "A", "name": "www"})", "value"},
      {"PATCH", kRecords + rec + "/", R"({"value": 5})", "value"},
  };
  for (const auto& c : wrong) {
    auto r = call(c.method, c.path, c.body, admin());
    EXPECT_EQ(r.status, 400) << c.body << ": " << r.body;
    auto e = apiError(r);
    EXPECT_EQ(e.errorCode, "validation_error") << c.body;
    EXPECT_EQ(e.field, c.field) << c.body << ": " << r.body;
  }
  auto after = call("GET", kRecords + rec + "/", "", admin());
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(str(parseJson(after), "value"), "192.0.2.19");
  EXPECT_EQ(num(parseJson(after), "ttl"), 3600);
}

TEST_F(ApiContractTest, ZoneCreationRulesAndZoneExists) {
  const std::string token = tokenFor(uniqueName("zones"), "dns:*");
  const std::string base = uniqueName("dup");
  auto first = call("POST", kZones, R"({"domain": ")" + base + R"(.test"})", token);
  ASSERT_EQ(first.status, 201) << first.body;
  struct Case {
    std::string domain;
    int status;
    std::string errorCode, shown;
  };
  const std::vector<Case> cases = {
      {base + ".test", 400, "zone_exists", ""},
      {base + ".TEST", 400, "zone_exists", ""},
      {base + ".test.", 400, "zone_exists", ""},
      {"Upper-" + base + ".Example.", 201, "", "upper-" + base + ".example"},
      {"b\xc3\xbc"
       "cher-" +
           base + ".test",
       201, "", "xn--bcher--" + std::string("")},
      {"localhost", 400, "validation_error", ""},
      {"-lead.test", 400, "validation_error", ""},
      {"trail-.test", 400, "validation_error", ""},
      {"a..test", 400, "validation_error", ""},
      {"spa ce.test", 400, "validation_error", ""},
      {"under_score.test", 400, "validation_error", ""},
      {std::string(64, 'a') + ".test", 400, "validation_error", ""},
      {std::string(63, 'a') + "." + base + ".test", 201, "",
       std::string(63, 'a') + "." + base + ".test"},
      {std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
           std::string(63, 'd') + ".test",
       400, "validation_error", ""},  // 260 octets: over 253
      {"", 400, "validation_error", ""},
      {"*.test", 400, "validation_error", ""},
      {"evil.test\n$INCLUDE /etc/passwd", 400, "validation_error", ""},
      {"evil.test; rm", 400, "validation_error", ""},
      {"evil\".test", 400, "validation_error", ""},
  };
  for (const auto& c : cases) {
    auto r = call("POST", kZones, R"({"domain": )" + jsonString(c.domain) + "}", token);
    EXPECT_EQ(r.status, c.status) << c.domain << ": " << r.body;
    if (c.status == 201) {
      const std::string shown = str(parseJson(r), "domain");
      if (c.shown.rfind("xn--", 0) == 0) {
        EXPECT_EQ(shown.rfind("xn--bcher-", 0), 0u) << "IDN becomes punycode: " << shown;
        EXPECT_EQ(shown.find('\xc3'), std::string::npos) << shown;
      } else {
        EXPECT_EQ(shown, c.shown) << r.body;
      }
    } else {
      auto e = apiError(r);
      EXPECT_EQ(e.errorCode, c.errorCode) << c.domain << ": " << r.body;
      if (c.errorCode == "validation_error") {
        EXPECT_EQ(e.field, "domain") << r.body;
      }
    }
  }
  // The punycode zone is served by named under its ASCII name.
  auto list = call("GET", kZones + "?page_size=1000", "", token);
  ASSERT_EQ(list.status, 200);
  auto zones = parseJson(list);
  std::string idn;
  for (const auto& z : zones.GetArray()) {
    if (str(z, "domain").rfind("xn--", 0) == 0) idn = str(z, "domain");
  }
  ASSERT_FALSE(idn.empty()) << list.body;
  EXPECT_TRUE(Stack::waitFor([&] { return servedSerial(idn) > 0; }, kDnsDeadline))
      << "named does not serve " << idn;
  // The exact `domain=` filter finds one zone, and only that one.
  auto filtered = call("GET", kZones + "?domain=" + base + ".test", "", token);
  ASSERT_EQ(filtered.status, 200);
  auto f = parseJson(filtered);
  ASSERT_EQ(f.Size(), 1u) << filtered.body;
  EXPECT_EQ(str(f[0], "domain"), base + ".test");
  EXPECT_EQ(call("GET", kZones + "?domain=no-" + base + ".test", "", token).body, "[]");
}

// Issue 8, item 7: zones the nameservers can never serve (the service's catalog
// zone, named's built-in CHAOS names, the nameservers' own zone) answered 201
// and then retried their deploy every 5 s forever. Now they are a 400 before
// anything is stored, and the zones created after them are served.
TEST_F(ApiContractTest, Issue8Item7ReservedZoneDomainsAre400AndLaterZonesAreServed) {
  const std::string token = tokenFor(uniqueName("reserved"), "dns:*");
  const std::vector<std::string> reserved = {"catalog.zonepipe.invalid",
                                             "zonepipe.invalid",
                                             "version.bind",
                                             "VERSION.BIND.",
                                             "hostname.bind",
                                             "authors.bind",
                                             "id.server",
                                             "version.server",
                                             "hostname.server",
                                             "zonepipe.test",
                                             "ns1.zonepipe.test",
                                             "ns2.zonepipe.test"};
  for (const auto& domain : reserved) {
    auto r = call("POST", kZones, R"({"domain": )" + jsonString(domain) + "}", token);
    EXPECT_EQ(r.status, 400) << domain << ": " << r.body;
    auto e = apiError(r);
    EXPECT_EQ(e.errorCode, "validation_error") << domain << ": " << r.body;
    EXPECT_EQ(e.field, "domain") << domain << ": " << r.body;
    EXPECT_NE(e.detail.find("reserved"), std::string::npos) << domain << ": " << e.detail;
  }
  auto list = call("GET", kZones, "", token);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.body, "[]") << "a refused zone was stored";
  // Near misses are ordinary zones, and named serves them (created as the
  // admin, whose token waitDeployed reads the zone with).
  for (const char* domain :
       {"bindery.test", "notzonepipe.test", "myserver.test", "zonepipe.test.example"}) {
    const std::string zone = createZone(domain);
    ASSERT_FALSE(zone.empty()) << domain;
    EXPECT_GT(waitDeployed(zone, domain), 0u) << domain;
  }
}

// GET a record, PUT it back unchanged (read-only fields included), then
// change it with PUT; PATCH {"ttl": 1800} changes only the TTL (of the
// record's RRset while it is the only member: one RRset, one TTL).
TEST_F(ApiContractTest, PutRoundTripAndPatchTtlOnly) {
  const std::string domain = uniqueName("put") + ".test";
  const std::string zone = createZone(domain);
  const std::string rec = createRecord(
      zone, recordJson("MX", "@", "mail." + domain, R"(, "priority": 10, "ttl": 300)"));
  ASSERT_FALSE(rec.empty());

  auto fetched = call("GET", kRecords + rec + "/", "", admin());
  ASSERT_EQ(fetched.status, 200) << fetched.body;
  auto put = call("PUT", kRecords + rec + "/", fetched.body, admin());
  ASSERT_EQ(put.status, 200) << "a fetched record can be PUT back as it is: " << put.body;
  auto before = parseJson(fetched);
  auto after = parseJson(put);
  for (const char* f : {"uuid", "record_type", "name", "value", "created_at"}) {
    EXPECT_EQ(str(after, f), str(before, f)) << f;
  }
  EXPECT_EQ(num(after, "ttl"), 300);
  EXPECT_EQ(num(after, "priority"), 10);

  // PATCH ttl only.
  auto patched = call("PATCH", kRecords + rec + "/", R"({"ttl": 1800})", admin());
  ASSERT_EQ(patched.status, 200) << patched.body;
  auto p = parseJson(patched);
  EXPECT_EQ(num(p, "ttl"), 1800);
  for (const char* f : {"uuid", "record_type", "name", "value", "created_at"}) {
    EXPECT_EQ(str(p, f), str(before, f)) << f;
  }
  EXPECT_EQ(num(p, "priority"), 10);
  auto reread = parseJson(call("GET", kRecords + rec + "/", "", admin()));
  EXPECT_EQ(num(reread, "ttl"), 1800);
  EXPECT_EQ(num(reread, "priority"), 10);
  EXPECT_TRUE(Stack::waitFor(
      [&] {
        for (const auto& row : digRows(domain, "MX")) {
          if (row.rdata == "10 mail." + domain + "." && row.ttl == 1800) return true;
        }
        return false;
      },
      kDnsDeadline))
      << "named never served the MX with TTL 1800";
  const std::string other = createRecord(
      zone, recordJson("MX", "@", "mx2." + domain, R"(, "priority": 20, "ttl": 1800)"));

  // PUT is a full body: without ttl it means 3600, apart from the RRset's 1800.
  auto apart = call("PUT", kRecords + rec + "/",
                    recordJson("MX", "@", "mail3." + domain + ".", R"(, "priority": 30)"), admin());
  EXPECT_EQ(apart.status, 400) << apart.body;
  EXPECT_EQ(apiError(apart).field, "ttl") << apart.body;
  // PUT with a new value: named serves the new one, not the old.
  auto changed = call(
      "PUT", kRecords + rec + "/",
      recordJson("MX", "@", "mail3." + domain + ".", R"(, "priority": 30, "ttl": 1800)"), admin());
  ASSERT_EQ(changed.status, 200) << changed.body;
  auto c = parseJson(changed);
  EXPECT_EQ(str(c, "value"), "mail3." + domain);
  EXPECT_EQ(num(c, "ttl"), 1800);
  Strings last;
  EXPECT_TRUE(servedAs(domain, "MX", {"30 mail3." + domain + ".", "20 mx2." + domain + "."}, &last))
      << joined(last);

  // Invalid results are rejected as on create, and change nothing.
  struct Case {
    std::string method, body, errorCode, field;
  };
  const std::vector<Case> bad = {
      {"PUT", recordJson("MX", "@", "mx2." + domain, R"(, "priority": 20, "ttl": 1800)"),
       "record_conflict", "value"},
      {"PUT", recordJson("MX", "@", "mx9." + domain, R"(, "priority": 20, "ttl": 300)"),
       "record_conflict", "ttl"},
      {"PATCH", R"({"ttl": 600})", "record_conflict", "ttl"},
      {"PUT", recordJson("MX", "@", "mail4." + domain), "validation_error", "priority"},
      {"PUT", recordJson("CNAME", "@", "x.test"), "validation_error", "name"},
      {"PATCH", R"({"priority": null})", "validation_error", "priority"},
      {"PATCH", R"({"ttl": 59})", "validation_error", "ttl"},
      {"PATCH", R"({"ttl": 604801})", "validation_error", "ttl"},
      {"PATCH", R"({"value": "mx2.)" + domain + R"(", "priority": 20})", "record_conflict", ""},
      {"PATCH", R"({"record_type": "A"})", "validation_error", "value"},
      {"PATCH", R"({"name": "www.elsewhere.test."})", "validation_error", "name"},
  };
  for (const auto& b : bad) {
    auto r = call(b.method, kRecords + rec + "/", b.body, admin());
    EXPECT_EQ(r.status, 400) << b.method << " " << b.body << ": " << r.body;
    auto e = apiError(r);
    EXPECT_EQ(e.errorCode, b.errorCode) << b.body << ": " << r.body;
    if (!b.field.empty()) {
      EXPECT_EQ(e.field, b.field) << b.body << ": " << r.body;
    }
  }
  auto unchanged = parseJson(call("GET", kRecords + rec + "/", "", admin()));
  EXPECT_EQ(str(unchanged, "value"), "mail3." + domain);
  EXPECT_EQ(num(unchanged, "priority"), 30);

  // PATCH may change the type as a whole record: MX -> A with a value, priority cleared.
  auto retyped = call(
      "PATCH", kRecords + rec + "/",
      R"({"record_type": "A", "name": "host", "value": "192.0.2.22", "priority": null})", admin());
  ASSERT_EQ(retyped.status, 200) << retyped.body;
  EXPECT_TRUE(parseJson(retyped)["priority"].IsNull());
  EXPECT_TRUE(servedAs("host." + domain, "A", {"192.0.2.22"}, &last)) << joined(last);
  EXPECT_TRUE(servedAs(domain, "MX", {"20 mx2." + domain + "."}, &last)) << joined(last);

  // DELETE the record: 204, then 404, and named stops serving it.
  auto del = call("DELETE", kRecords + rec + "/", "", admin());
  EXPECT_EQ(del.status, 204);
  EXPECT_EQ(del.body, "");
  EXPECT_EQ(call("DELETE", kRecords + rec + "/", "", admin()).status, 404);
  EXPECT_TRUE(servedAs("host." + domain, "A", {}, &last)) << joined(last);
  (void)other;
}

// Follows `Link: <...>; rel="next"` from the first page to the end; checks
// X-Total-Count and rel="prev" on the way; returns the uuids in order.
Strings walkPages(Stack& stack, const std::string& token, const std::string& first,
                  size_t expectTotal, size_t pageSize) {
  Strings uuids;
  std::string path = first;
  size_t pages = 0;
  while (!path.empty()) {
    auto r = stack.http("GET", path, "", token);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    if (r.status != 200) break;
    EXPECT_EQ(r.header("x-total-count"), std::to_string(expectTotal)) << path;
    auto d = parseJson(r);
    EXPECT_TRUE(d.IsArray()) << r.body;
    if (!d.IsArray()) break;
    EXPECT_LE(d.Size(), pageSize) << path;
    for (const auto& item : d.GetArray()) uuids.push_back(str(item, "uuid"));
    const std::string link = r.header("link");
    EXPECT_EQ(link.find("rel=\"prev\"") != std::string::npos, pages > 0)
        << "page " << pages + 1 << " Link: " << link;
    path.clear();
    const std::regex next(R"re(<([^>]*)>\s*;\s*rel="next")re");
    std::smatch m;
    if (std::regex_search(link, m, next)) {
      path = m[1].str();
      if (auto scheme = path.find("://"); scheme != std::string::npos) {
        path = path.substr(path.find('/', scheme + 3));
      }
    }
    if (++pages > expectTotal + 2) {
      ADD_FAILURE() << "the walk does not end: " << link;
      break;
    }
  }
  EXPECT_EQ(pages, (expectTotal + pageSize - 1) / pageSize + (expectTotal == 0 ? 1 : 0));
  return uuids;
}

TEST_F(ApiContractTest, PaginationWalksSeeEveryItemOnce) {
  const std::string token = tokenFor(uniqueName("pages"), "dns:*");
  const std::string prefix = uniqueName("pg");
  std::vector<std::string> domains;
  for (int i = 0; i < 23; ++i) {
    // Created out of order: the list is ordered by domain, not creation.
    char name[64];
    std::snprintf(name, sizeof name, "%s-%02d.test", prefix.c_str(), (i * 7) % 23);
    domains.push_back(name);
    ASSERT_FALSE(createZone(name, token).empty());
  }
  std::sort(domains.begin(), domains.end());

  const Strings zones = walkPages(stack(), token, kZones + "?page_size=5", 23, 5);
  ASSERT_EQ(zones.size(), 23u);
  EXPECT_EQ(std::set<std::string>(zones.begin(), zones.end()).size(), 23u) << "no duplicates";
  auto all = parseJson(call("GET", kZones + "?page_size=1000", "", token));
  ASSERT_EQ(all.Size(), 23u);
  for (size_t i = 0; i < 23; ++i) {
    EXPECT_EQ(str(all[static_cast<rapidjson::SizeType>(i)], "domain"), domains[i]) << "order";
    EXPECT_EQ(str(all[static_cast<rapidjson::SizeType>(i)], "uuid"), zones[i]) << "same order";
  }

  // Records of one zone, and across zones with filters.
  const std::string zone = zones[0];
  std::set<std::string> made;
  for (int i = 0; i < 17; ++i) {
    const std::string name = "h" + std::to_string((i * 5) % 17);
    made.insert(
        createRecord(zone, recordJson("A", name, "192.0.2." + std::to_string(i + 1)), token));
    if (i % 4 == 0) {
      made.insert(createRecord(zone, recordJson("TXT", name, "t" + std::to_string(i)), token));
    }
  }
  ASSERT_EQ(made.size(), 22u);
  const Strings recs = walkPages(stack(), token, kZones + zone + "/records/?page_size=4", 22, 4);
  EXPECT_EQ(std::set<std::string>(recs.begin(), recs.end()), made);
  const Strings viaFilter =
      walkPages(stack(), token, kRecords + "?zone=" + zone + "&page_size=6", 22, 6);
  EXPECT_EQ(viaFilter, recs) << "same stable order on both lists";
  const Strings txts = walkPages(stack(), token, kRecords + "?record_type=TXT&page_size=2", 5, 2);
  EXPECT_EQ(txts.size(), 5u);
  const Strings aOnly =
      walkPages(stack(), token, kRecords + "?zone=" + zone + "&record_type=A&page_size=17", 17, 17);
  EXPECT_EQ(aOnly.size(), 17u);

  // Order: by name, type, then uuid.
  auto full = parseJson(call("GET", kZones + zone + "/records/?page_size=1000", "", token));
  for (rapidjson::SizeType i = 1; i < full.Size(); ++i) {
    const auto key = [&](rapidjson::SizeType at) {
      return std::tuple(str(full[at], "name"), str(full[at], "record_type"), str(full[at], "uuid"));
    };
    EXPECT_LT(key(i - 1), key(i)) << "records are ordered by name, type, uuid";
  }

  // Past the end: an empty page. Bad parameters: validation errors.
  auto past = call("GET", kZones + "?page=99&page_size=5", "", token);
  EXPECT_EQ(past.status, 200);
  EXPECT_EQ(past.body, "[]");
  EXPECT_EQ(past.header("x-total-count"), "23");
  struct Bad {
    std::string query, field;
  };
  for (const auto& b : std::vector<Bad>{{"page=0", "page"},
                                        {"page=-1", "page"},
                                        {"page=abc", "page"},
                                        {"page=1.5", "page"},
                                        {"page=", "page"},
                                        {"page=99999999999999999999", "page"},
                                        {"page_size=1001", "page_size"},
                                        {"page_size=0", "page_size"},
                                        {"page_size=5x", "page_size"},
                                        {"page_size=-5", "page_size"}}) {
    for (const std::string& path : {kZones, kZones + zone + "/records/", kRecords}) {
      auto r = call("GET", path + "?" + b.query, "", token);
      EXPECT_EQ(r.status, 400) << path << "?" << b.query << ": " << r.body;
      auto e = apiError(r);
      EXPECT_EQ(e.errorCode, "validation_error") << b.query;
      EXPECT_EQ(e.field, b.field) << b.query;
    }
  }
  auto max = call("GET", kZones + "?page_size=1000", "", token);
  EXPECT_EQ(max.status, 200);
  auto defaultSize = call("GET", kZones, "", token);
  EXPECT_EQ(defaultSize.status, 200);
  EXPECT_EQ(parseJson(defaultSize).Size(), 23u);
  EXPECT_EQ(defaultSize.header("link").find("rel=\"next\""), std::string::npos);

  // Filters: a bad record_type or zone is a validation error.
  auto badType = call("GET", kRecords + "?record_type=SPF", "", token);
  EXPECT_EQ(badType.status, 400);
  EXPECT_EQ(apiError(badType).field, "record_type");
  auto badZone = call("GET", kRecords + "?zone=not-a-uuid", "", token);
  EXPECT_EQ(badZone.status, 400);
  EXPECT_EQ(apiError(badZone).field, "zone");
}

TEST_F(ApiContractTest, OpenApiDocumentIsPublicAndListsEveryPath) {
  auto r = call("GET", "/api/v1/openapi.json");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = parseJson(r);
  EXPECT_EQ(str(d, "openapi").rfind("3.1", 0), 0u) << str(d, "openapi");
  ASSERT_TRUE(d.HasMember("paths") && d["paths"].IsObject());
  EXPECT_EQ(memberNames(d["paths"]),
            (std::set<std::string>{
                "/api/v1/dns-zones/", "/api/v1/dns-zones/{uuid}/",
                "/api/v1/dns-zones/{uuid}/records/", "/api/v1/dns-zones/{uuid}/export",
                "/api/v1/dns-zones/{uuid}/changes/", "/api/v1/dns-zones/{uuid}/changesets/",
                "/api/v1/dns-zones/{uuid}/rollback/", "/api/v1/dns-zones/{uuid}/import",
                "/api/v1/dns-records/", "/api/v1/dns-records/{uuid}/", "/api/v1/openapi.json",
                "/api/v1/tokens/", "/api/v1/tokens/{id}/", "/api/v1/changes/{change_id}/",
                "/api/v1/acme/httpreq/present", "/api/v1/acme/httpreq/cleanup"}));
}

TEST_F(ApiContractTest, UnknownPathsAre404Json) {
  for (const char* path : {"/", "/api/v1/", "/api/v1/dns-zonez/", "/api/v2/dns-zones/"}) {
    auto r = call("GET", path, "", admin());
    EXPECT_EQ(r.status, 404) << path << ": " << r.body;
    EXPECT_EQ(apiError(r).errorCode, "not_found");
  }
}

}  // namespace
}  // namespace zp::e2e::api
