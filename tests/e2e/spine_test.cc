// The spine of zonepipe end to end: REST API -> validator -> store -> renderer
// -> push -> a real named, each a separate process (tests/e2e/harness.h).

#include <gtest/gtest.h>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "tests/e2e/harness.h"

namespace zp::e2e {
namespace {

using std::chrono::milliseconds;
using Strings = std::vector<std::string>;

constexpr milliseconds kDnsDeadline{20000};  // commit -> named answering, generously
const std::string kZones = "/api/v1/dns-zones/";

rapidjson::Document parseJson(const HttpResponse& r) {
  rapidjson::Document d;
  d.Parse(r.body.c_str(), r.body.size());
  if (d.HasParseError()) {
    throw std::runtime_error("response (status " + std::to_string(r.status) + ") is not JSON: " +
                             rapidjson::GetParseError_En(d.GetParseError()) + ": " + r.body);
  }
  return d;
}

std::string str(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject() || !obj.HasMember(key) || !obj[key].IsString())
    return "<missing " + std::string(key) + ">";
  return obj[key].GetString();
}

// The error body of API.md: {"detail", "error_code", "field"?}.
struct ApiError {
  int status;
  std::string errorCode;
  std::string field;
};

ApiError apiError(const HttpResponse& r) {
  auto d = parseJson(r);
  EXPECT_TRUE(d.IsObject() && d.HasMember("detail") && d["detail"].IsString()) << r.body;
  return {r.status, str(d, "error_code"), d.HasMember("field") ? str(d, "field") : ""};
}

std::string recordJson(const std::string& type, const std::string& name, const std::string& value,
                       const std::string& extra = "") {
  return R"({"record_type": ")" + type + R"(", "name": ")" + name + R"(", "value": ")" + value +
         R"(")" + extra + "}";
}

// An escaped JSON string literal (for TXT values with quotes in tests).
std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

class SpineTest : public ::testing::Test {
 protected:
  void SetUp() override { stack_ = std::make_unique<Stack>(); }
  void TearDown() override { stack_.reset(); }

  // POSTs a zone and returns its uuid (fails the test on anything but 201).
  std::string createZone(const std::string& domain) {
    auto r = stack_->http("POST", kZones, R"({"domain": ")" + domain + R"("})", stack_->token());
    EXPECT_EQ(r.status, 201) << r.body;
    auto d = parseJson(r);
    EXPECT_EQ(str(d, "domain"), domain) << r.body;
    return str(d, "uuid");
  }

  HttpResponse postRecord(const std::string& zone, const std::string& body) {
    return stack_->http("POST", kZones + zone + "/records/", body, stack_->token());
  }

  // Polls named until it answers `want` for name/type; returns whether it did.
  bool dnsAnswers(const std::string& name, const std::string& type, const Strings& want,
                  Strings* last = nullptr) {
    Strings seen;
    const bool ok = Stack::waitFor(
        [&] {
          seen = stack_->dig(name, type);
          return seen == want;
        },
        kDnsDeadline);
    if (last) *last = seen;
    return ok;
  }

  std::unique_ptr<Stack> stack_;
};

std::string joined(const Strings& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " | ") + s;
  return "[" + out + "]";
}

TEST_F(SpineTest, CliTokenAuthenticatesAndRevocationTakesEffect) {
  auto created = stack_->cli({"token", "create", "--user", "alice", "--permissions", "dns:*"});
  ASSERT_EQ(created.exitCode, 0) << created.err;
  const std::string token = created.out.substr(0, created.out.find('\n'));
  ASSERT_EQ(token.rfind("vps_", 0), 0u) << "stdout must be only the token: " << created.out;
  ASSERT_EQ(created.out, token + "\n") << "stdout must be only the token";

  auto list = stack_->http("GET", kZones, "", token);
  EXPECT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.body, "[]");

  // The token id is on stderr ("created token ID for user alice").
  const std::string marker = "created token ";
  const auto at = created.err.find(marker);
  ASSERT_NE(at, std::string::npos) << created.err;
  const auto idStart = at + marker.size();
  const std::string id = created.err.substr(idStart, created.err.find(' ', idStart) - idStart);
  auto listed = stack_->cli({"token", "list"});
  ASSERT_EQ(listed.exitCode, 0) << listed.err;
  EXPECT_NE(listed.out.find(id), std::string::npos) << listed.out;
  EXPECT_EQ(listed.out.find(token), std::string::npos) << "token list must not show secrets";

  auto revoked = stack_->cli({"token", "revoke", id});
  ASSERT_EQ(revoked.exitCode, 0) << revoked.err;
  // API.md: revoking takes effect within a second (the API caches for 500 ms).
  const auto revokedAt = std::chrono::steady_clock::now();
  const bool refused = Stack::waitFor(
      [&] { return stack_->http("GET", kZones, "", token).status == 401; }, milliseconds(5000));
  const auto took =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - revokedAt);
  EXPECT_TRUE(refused) << "a revoked token was still accepted after 5 s";
  EXPECT_LE(took.count(), 1500) << "revocation took " << took.count() << " ms (API.md: 1 s)";

  auto unknown = stack_->cli({"token", "revoke", "no-such-token"});
  EXPECT_EQ(unknown.exitCode, 1) << unknown.out << unknown.err;
  auto badPermission =
      stack_->cli({"token", "create", "--user", "bob", "--permissions", "dns:fly"});
  EXPECT_NE(badPermission.exitCode, 0);
  EXPECT_EQ(badPermission.out, "") << "nothing on stdout when no token was made";
}

TEST_F(SpineTest, RecordsReachNamedAndDeletingTheZoneRemovesThem) {
  const std::string domain = "spine.test";
  const std::string zone = createZone(domain);
  ASSERT_FALSE(zone.empty());

  struct Case {
    std::string body;
    std::string type, name, value;  // as the API shows them
    int priority;                   // -1: null
    std::string qname;              // what to ask named
    Strings answers;                // exactly what named must answer (dig +short form)
  };
  const std::vector<Case> cases = {
      {recordJson("A", "www", "192.0.2.10", R"(, "ttl": 300)"),
       "A",
       "www",
       "192.0.2.10",
       -1,
       "www.spine.test",
       {"192.0.2.10"}},
      {recordJson("AAAA", "www", "2001:0db8:0:0::1"),
       "AAAA",
       "www",
       "2001:db8::1",
       -1,
       "www.spine.test",
       {"2001:db8::1"}},
      {recordJson("MX", "@", "mail.spine.test.", R"(, "priority": 10)"),
       "MX",
       "@",
       "mail.spine.test",
       10,
       "spine.test",
       {"10 mail.spine.test."}},
      {R"({"record_type": "TXT", "name": "@", "value": )" + jsonString("hello \"quoted\" world") +
           "}",
       "TXT",
       "@",
       "hello \"quoted\" world",
       -1,
       "spine.test",
       {R"("hello \"quoted\" world")"}},
  };

  std::vector<std::string> uuids;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.type);
    auto r = postRecord(zone, c.body);
    ASSERT_EQ(r.status, 201) << c.body << " -> " << r.body;
    const auto committed = std::chrono::steady_clock::now();
    auto d = parseJson(r);
    EXPECT_EQ(str(d, "record_type"), c.type);
    EXPECT_EQ(str(d, "name"), c.name);
    EXPECT_EQ(str(d, "value"), c.value);
    ASSERT_TRUE(d.HasMember("priority")) << r.body;
    if (c.priority < 0) {
      EXPECT_TRUE(d["priority"].IsNull()) << r.body;
    } else {
      ASSERT_TRUE(d["priority"].IsInt()) << r.body;
      EXPECT_EQ(d["priority"].GetInt(), c.priority);
    }
    ASSERT_TRUE(d.HasMember("ttl") && d["ttl"].IsInt()) << r.body;
    EXPECT_EQ(d["ttl"].GetInt(), c.body.find("\"ttl\"") == std::string::npos ? 3600 : 300);
    uuids.push_back(str(d, "uuid"));

    Strings last;
    EXPECT_TRUE(dnsAnswers(c.qname, c.type, c.answers, &last))
        << "named never answered " << joined(c.answers) << " for " << c.qname << " " << c.type
        << "; last answer " << joined(last);
    const auto ms =
        std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - committed);
    // Informational only (never asserted): 201 -> named answering, including dig's own start-up.
    std::cout << "[ timing ] " << c.type << " record: 201 -> named answers in " << ms.count()
              << " ms\n";
    RecordProperty("ms_201_to_dns_" + c.type, static_cast<int>(ms.count()));
  }

  // named also serves the service's SOA and NS for the zone.
  auto soa = stack_->digQuery(domain, "SOA");
  EXPECT_EQ(soa.status, "NOERROR");
  EXPECT_EQ(soa.answers.size(), 1u) << joined(soa.answers);

  auto detail = stack_->http("GET", kZones + zone + "/", "", stack_->token());
  ASSERT_EQ(detail.status, 200) << detail.body;
  auto d = parseJson(detail);
  EXPECT_EQ(str(d, "uuid"), zone);
  EXPECT_EQ(str(d, "domain"), domain);
  ASSERT_TRUE(d.HasMember("records") && d["records"].IsArray()) << detail.body;
  for (size_t i = 0; i < cases.size(); ++i) {
    bool found = false;
    for (const auto& rec : d["records"].GetArray()) {
      if (str(rec, "uuid") != uuids[i]) continue;
      found = true;
      EXPECT_EQ(str(rec, "record_type"), cases[i].type);
      EXPECT_EQ(str(rec, "name"), cases[i].name);
      EXPECT_EQ(str(rec, "value"), cases[i].value);
    }
    EXPECT_TRUE(found) << "record " << cases[i].type << " " << uuids[i]
                       << " missing from the zone detail: " << detail.body;
  }
  EXPECT_EQ(d["records"].Size(), cases.size()) << detail.body;

  auto deleted = stack_->http("DELETE", kZones + zone + "/", "", stack_->token());
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_EQ(deleted.body, "");

  DigResult last;
  const bool gone = Stack::waitFor(
      [&] {
        last = stack_->digQuery("www.spine.test", "A");
        return last.status == "REFUSED" || last.status == "NXDOMAIN" ||
               (last.status == "NOERROR" && last.answers.empty());
      },
      kDnsDeadline);
  EXPECT_TRUE(gone) << "named still answers for a deleted zone: " << last.status << " "
                    << joined(last.answers);

  auto after = stack_->http("GET", kZones + zone + "/", "", stack_->token());
  EXPECT_EQ(after.status, 404) << after.body;
  EXPECT_EQ(apiError(after).errorCode, "not_found");
}

TEST_F(SpineTest, RequestsWithoutAValidTokenGet401) {
  const std::string unknownToken = "vps_" + std::string(40, 'a');
  struct Case {
    std::string what, method, path, body;
    std::vector<std::pair<std::string, std::string>> headers;
  };
  const std::vector<Case> cases = {
      {"no Authorization header", "GET", kZones, "", {}},
      {"no token, bad body (authentication comes first)", "POST", kZones, "{nope", {}},
      {"unknown vps_ token", "GET", kZones, "", {{"Authorization", "Bearer " + unknownToken}}},
      {"token without vps_ prefix", "GET", kZones, "", {{"Authorization", "Bearer abcdef"}}},
      {"Basic scheme", "GET", kZones, "", {{"Authorization", "Basic dXNlcjpwYXNz"}}},
      {"record list without token", "GET", "/api/v1/dns-records/", "", {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto r = stack_->request(c.method, c.path, c.body, c.headers);
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_EQ(apiError(r).errorCode, "authentication_failed") << r.body;
  }
  // The same request with the admin token is fine.
  EXPECT_EQ(stack_->http("GET", kZones, "", stack_->token()).status, 200);
}

TEST_F(SpineTest, InvalidRecordsGet400NamingTheField) {
  const std::string zone = createZone("check.test");
  ASSERT_FALSE(zone.empty());
  struct Case {
    std::string body;
    int status;
    std::string errorCode, field;  // for errors
  };
  const std::vector<Case> cases = {
      {recordJson("A", "www", "192.0.2.1"), 201, "", ""},
      {recordJson("A", "bad", "999.1.1.1"), 400, "validation_error", "value"},
      {recordJson("A", "lead", "192.0.2.01"), 400, "validation_error", "value"},
      {recordJson("AAAA", "v6", "2001:db8::1"), 201, "", ""},
      {recordJson("AAAA", "v6", "2001:db8::g"), 400, "validation_error", "value"},
      {recordJson("MX", "@", "mail.check.test", R"(, "priority": 5)"), 201, "", ""},
      {recordJson("MX", "@", "mx2.check.test"), 400, "validation_error", "priority"},
      {recordJson("A", "short", "192.0.2.2", R"(, "ttl": 59)"), 400, "validation_error", "ttl"},
      {recordJson("A", "www.elsewhere.test.", "192.0.2.3"), 400, "validation_error", "name"},
      {recordJson("A", "www", "192.0.2.1"), 400, "record_conflict", ""},
      {R"({"record_type": "A", "name": "x", "value": "192.0.2.4")", 400, "parse_error", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    auto r = postRecord(zone, c.body);
    EXPECT_EQ(r.status, c.status) << r.body;
    if (c.status >= 400) {
      auto e = apiError(r);
      EXPECT_EQ(e.errorCode, c.errorCode) << r.body;
      if (!c.field.empty()) {
        EXPECT_EQ(e.field, c.field) << r.body;
      }
    }
  }
  // Only the good records were stored.
  auto detail = stack_->http("GET", kZones + zone + "/", "", stack_->token());
  ASSERT_EQ(detail.status, 200) << detail.body;
  auto d = parseJson(detail);
  ASSERT_TRUE(d.HasMember("records") && d["records"].IsArray()) << detail.body;
  EXPECT_EQ(d["records"].Size(), 3u) << detail.body;
}

TEST_F(SpineTest, RendererCatchesUpAfterARestart) {
  EXPECT_EQ(stack_->stop("renderer"), 0) << "zonepipe-renderer should exit 0 on SIGTERM";

  // Committed while nothing renders: the store's log keeps them.
  const std::string zone = createZone("restart.test");
  ASSERT_FALSE(zone.empty());
  auto a = postRecord(zone, recordJson("A", "www", "192.0.2.20"));
  ASSERT_EQ(a.status, 201) << a.body;
  auto txt = postRecord(zone, recordJson("TXT", "note", "written while the renderer was down"));
  ASSERT_EQ(txt.status, 201) << txt.body;
  EXPECT_EQ(stack_->dig("www.restart.test", "A"), Strings{}) << "nothing can deploy yet";

  stack_->start("renderer");
  Strings last;
  EXPECT_TRUE(dnsAnswers("www.restart.test", "A", {"192.0.2.20"}, &last)) << joined(last);
  EXPECT_TRUE(
      dnsAnswers("note.restart.test", "TXT", {R"("written while the renderer was down")"}, &last))
      << joined(last);

  // And it keeps following live changes after catching up.
  auto more = postRecord(zone, recordJson("A", "api", "192.0.2.21"));
  ASSERT_EQ(more.status, 201) << more.body;
  EXPECT_TRUE(dnsAnswers("api.restart.test", "A", {"192.0.2.21"}, &last)) << joined(last);
}

TEST_F(SpineTest, StoreRestartKeepsZonesAndTokens) {
  const std::string zone = createZone("durable.test");
  ASSERT_FALSE(zone.empty());
  ASSERT_EQ(postRecord(zone, recordJson("A", "www", "192.0.2.30")).status, 201);

  EXPECT_EQ(stack_->stop("store"), 0) << "zonepipe-store should exit 0 on SIGTERM";
  stack_->start("store");

  // The admin token (stored as a hash) and the zone survived.
  HttpResponse detail;
  EXPECT_TRUE(Stack::waitFor(
      [&] {
        detail = stack_->http("GET", kZones + zone + "/", "", stack_->token());
        return detail.status == 200;
      },
      milliseconds(20000)))
      << detail.status << " " << detail.body;
  auto d = parseJson(detail);
  ASSERT_TRUE(d.HasMember("records") && d["records"].IsArray()) << detail.body;
  EXPECT_EQ(d["records"].Size(), 1u) << detail.body;

  // Writes work again after the restart and reach named. A 503 may mean the
  // write committed but the answer was late, so a retry may find it already there.
  HttpResponse r;
  EXPECT_TRUE(Stack::waitFor(
      [&] {
        r = postRecord(zone, recordJson("A", "after", "192.0.2.31"));
        return r.status != 503;
      },
      milliseconds(20000)))
      << r.status << " " << r.body;
  EXPECT_TRUE(r.status == 201 || (r.status == 400 && apiError(r).errorCode == "record_conflict"))
      << r.status << " " << r.body;
  Strings last;
  EXPECT_TRUE(dnsAnswers("after.durable.test", "A", {"192.0.2.31"}, &last)) << joined(last);
}

// STYLE.md: exit 0 for a clean stop, so a supervisor does not restart a
// program that was asked to stop. Each program is stopped while the rest runs.
TEST_F(SpineTest, EveryProgramExitsZeroOnSigterm) {
  for (const auto& program : Stack::programs()) {
    SCOPED_TRACE(program);
    ASSERT_TRUE(stack_->running(program));
    EXPECT_EQ(stack_->stop(program), 0) << "zonepipe-" << program << " on SIGTERM; see "
                                        << stack_->dir() << "/" << program << ".log";
  }
}

}  // namespace
}  // namespace zp::e2e
