// Issue 9 over real HTTP against the whole pipeline (API, validator, store,
// renderer, pusher, named): the token API, every scope rule, last uses, and
// accounts made with the admin CLI.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "common/util/ids.h"
#include "tests/e2e/api_helpers.h"

namespace zp::e2e::api {
namespace {

const std::string kTokens = "/api/v1/tokens/";

class ApiTokensTest : public ApiTest {
 protected:
  // POSTs a token with `manager`; returns the parsed 201 answer (a failure otherwise).
  rapidjson::Document mint(const std::string& manager, const std::string& body) {
    auto r = call("POST", kTokens, body, manager);
    EXPECT_EQ(r.status, 201) << body << " -> " << r.body;
    rapidjson::Document d;
    d.Parse(r.body.c_str(), r.body.size());
    return d;
  }
  std::string secretOf(const std::string& manager, const std::string& body) {
    auto d = mint(manager, body);
    return str(d, "token");
  }
  // Polls until `token` is refused with 401 (revocation and expiry take effect
  // within the API's 500 ms authentication cache).
  bool becomesUnauthorized(const std::string& token, const std::string& path) {
    return Stack::waitFor([&] { return call("GET", path, "", token).status == 401; },
                          milliseconds(10000));
  }
};

TEST_F(ApiTokensTest, TokensManageIsNeededAndNotPartOfDnsWildcard) {
  const std::string dnsOnly = tokenFor(uniqueName("u"), "dns:*");
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", kTokens}, {"POST", kTokens}, {"DELETE", kTokens + "tok_0123456789abcdef/"}}) {
    auto r =
        call(method, path, method == "POST" ? R"({"permissions": ["dns:read"]})" : "", dnsOnly);
    auto e = apiError(r);
    EXPECT_EQ(e.status, 403) << method << " " << path << ": " << r.body;
    EXPECT_EQ(e.errorCode, "permission_denied");
    EXPECT_NE(e.detail.find("tokens:manage"), std::string::npos) << e.detail;
  }
  EXPECT_EQ(call("GET", kTokens).status, 401);
}

TEST_F(ApiTokensTest, CreateListRevokeAndTheSecretOnlyOnce) {
  const std::string user = uniqueName("owner");
  const std::string manager = tokenFor(user, "dns:*,tokens:manage");
  auto created = mint(manager, R"({"name": "ci deploy", "permissions": ["dns:read", "dns:list"]})");
  const std::string secret = str(created, "token");
  const std::string id = str(created, "id");
  ASSERT_EQ(secret.rfind("vps_", 0), 0u);
  EXPECT_EQ(id.rfind("tok_", 0), 0u);
  EXPECT_EQ(str(created, "prefix"), secret.substr(0, 8));
  EXPECT_EQ(str(created, "name"), "ci deploy");
  EXPECT_TRUE(created["expires_at"].IsNull());
  EXPECT_EQ(created["permissions"].Size(), 2u);

  // The new token works, with its own permissions.
  EXPECT_EQ(call("GET", kZones, "", secret).status, 200);
  EXPECT_EQ(apiError(call("POST", kZones, R"({"domain": "x.example"})", secret)).status, 403);

  auto list = call("GET", kTokens, "", manager);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.body.find(secret), std::string::npos) << "a listing never shows a secret";
  EXPECT_EQ(list.body.find("\"token\""), std::string::npos);
  auto tokens = parseJson(list);
  ASSERT_TRUE(tokens.IsArray());
  bool found = false;
  for (const auto& t : tokens.GetArray()) {
    if (str(t, "id") != id) continue;
    found = true;
    EXPECT_EQ(str(t, "prefix"), secret.substr(0, 8));
    EXPECT_TRUE(t["last_used_at"].IsString()) << "it was used above";
  }
  EXPECT_TRUE(found) << list.body;

  // Another user's manager cannot see or revoke it.
  const std::string stranger = tokenFor(uniqueName("stranger"), "tokens:manage");
  EXPECT_EQ(call("GET", kTokens, "", stranger).body.find(id), std::string::npos);
  EXPECT_EQ(apiError(call("DELETE", kTokens + id + "/", "", stranger)).status, 404);
  EXPECT_EQ(apiError(call("DELETE", kTokens + "not-a-token/", "", manager)).status, 404);

  EXPECT_EQ(call("DELETE", kTokens + id + "/", "", manager).status, 204);
  EXPECT_TRUE(becomesUnauthorized(secret, kZones));
  EXPECT_EQ(call("GET", kTokens, "", manager).body.find(id), std::string::npos);
}

TEST_F(ApiTokensTest, BadBodiesAndEscalationsAreRefused) {
  const std::string user = uniqueName("grantor");
  const std::string manager = tokenFor(user, "dns:read,tokens:manage");
  struct Case {
    std::string body;
    int status;
    std::string field;
  };
  const std::vector<Case> cases = {
      {R"({"permissions": ["dns:read"]})", 201, ""},
      {R"({"permissions": ["dns:read", "tokens:manage"]})", 201, ""},
      {R"({"permissions": ["dns:*"]})", 403, "permissions"},
      {R"({"permissions": ["dns:delete"]})", 403, "permissions"},
      {R"({"permissions": []})", 400, "permissions"},
      {R"({"name": "x"})", 400, "permissions"},
      {R"({"permissions": ["dns:fly"]})", 400, "permissions"},
      {R"({"permissions": ["dns:read"], "zones": ["example.com"]})", 400, "zones"},
      {R"({"permissions": ["dns:read"], "record_types": ["BOGUS"]})", 400, "record_types"},
      {R"({"permissions": ["dns:read"], "names": ["a.*.b"]})", 400, "names"},
      {R"({"permissions": ["dns:read"], "expires_at": "2000-01-01T00:00:00Z"})", 400, "expires_at"},
      {R"({"permissions": ["dns:read"], "expires_at": "tomorrow"})", 400, "expires_at"},
      {R"({"permissions": ["dns:read"], "allowed_ips": ["10.0.0.0/33"]})", 400, "allowed_ips"},
      {R"({"permissions": ["dns:read"], "allowed_ips": "10.0.0.0/8"})", 400, "allowed_ips"},
      {R"({"permissions": ["dns:read"], "colour": "red"})", 400, "colour"},
      {R"({"permissions": ["dns:read"],)", 400, ""},
  };
  for (const auto& c : cases) {
    auto r = call("POST", kTokens, c.body, manager);
    EXPECT_EQ(r.status, c.status) << c.body << " -> " << r.body;
    if (c.status != 201) {
      auto e = apiError(r);
      EXPECT_EQ(e.field, c.field) << c.body << " -> " << r.body;
    }
  }
  // A scoped token may not mint tokens, even with tokens:manage.
  const std::string scoped = secretOf(
      manager, R"({"permissions": ["dns:read", "tokens:manage"], "record_types": ["TXT"]})");
  auto refused = apiError(call("POST", kTokens, R"({"permissions": ["dns:read"]})", scoped));
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.detail.find("scope"), std::string::npos) << refused.detail;
}

// The classic case: an ACME client that may only touch one zone's
// _acme-challenge TXT records.
TEST_F(ApiTokensTest, AcmeTokenScopeOnEveryEndpoint) {
  const std::string user = uniqueName("acme");
  const std::string manager = tokenFor(user, "dns:*,tokens:manage");
  const std::string domain = user + ".example";
  const std::string other = user + "-other.example";
  const std::string zone = createZone(domain, manager);
  const std::string otherZone = createZone(other, manager);
  auto a = call("POST", kZones + zone + "/records/", recordJson("A", "www", "192.0.2.10"), manager);
  ASSERT_EQ(a.status, 201) << a.body;
  const std::string aRecord = str(parseJson(a), "uuid");
  auto otherTxt = call("POST", kZones + otherZone + "/records/",
                       recordJson("TXT", "_acme-challenge", "old"), manager);
  ASSERT_EQ(otherTxt.status, 201);
  const std::string otherRecord = str(parseJson(otherTxt), "uuid");

  const std::string acme = secretOf(
      manager,
      R"({"name": "acme", "permissions": ["dns:*"], "zones": [")" + zone +
          R"("], "record_types": ["TXT"], "names": ["_acme-challenge", "_acme-challenge.*"]})");
  const std::string records = kZones + zone + "/records/";

  // Allowed: TXT at _acme-challenge and below, in the zone, served by named.
  auto txt = call("POST", records, recordJson("TXT", "_acme-challenge", "proof-1"), acme);
  ASSERT_EQ(txt.status, 201) << txt.body;
  const std::string txtRecord = str(parseJson(txt), "uuid");
  EXPECT_EQ(call("POST", records, recordJson("TXT", "_acme-challenge.www", "proof-2"), acme).status,
            201);
  EXPECT_TRUE(Stack::waitFor(
      [&] { return stack().dig("_acme-challenge." + domain, "TXT") == Strings{"\"proof-1\""}; },
      kDnsDeadline));

  // A record type or name outside: 403 naming the limit.
  auto wrongType =
      apiError(call("POST", records, recordJson("A", "_acme-challenge", "192.0.2.1"), acme));
  EXPECT_EQ(wrongType.status, 403);
  EXPECT_EQ(wrongType.errorCode, "permission_denied");
  EXPECT_NE(wrongType.detail.find("TXT"), std::string::npos) << wrongType.detail;
  auto wrongName = apiError(call("POST", records, recordJson("TXT", "www", "x"), acme));
  EXPECT_EQ(wrongName.status, 403);
  EXPECT_NE(wrongName.detail.find("_acme-challenge"), std::string::npos) << wrongName.detail;
  EXPECT_EQ(apiError(call("PUT", kRecords + aRecord + "/",
                          recordJson("TXT", "_acme-challenge", "x"), acme))
                .status,
            403);
  EXPECT_EQ(apiError(call("PATCH", kRecords + txtRecord + "/", R"({"record_type": "A",
                          "value": "192.0.2.3"})",
                          acme))
                .status,
            403);
  EXPECT_EQ(apiError(call("DELETE", kRecords + aRecord + "/", "", acme)).status, 403);
  EXPECT_EQ(apiError(call("POST", kZones, R"({"domain": "new-)" + domain + R"("})", acme)).status,
            403);
  EXPECT_EQ(apiError(call("DELETE", kZones + zone + "/", "", acme)).status, 403);

  // A zone outside the scope does not exist for it.
  for (const auto& path : {kZones + otherZone + "/", kZones + otherZone + "/records/",
                           kZones + otherZone + "/changes/", kZones + otherZone + "/export",
                           kRecords + otherRecord + "/"}) {
    EXPECT_EQ(apiError(call("GET", path, "", acme)).status, 404) << path;
  }
  EXPECT_EQ(apiError(call("POST", kZones + otherZone + "/records/",
                          recordJson("TXT", "_acme-challenge", "x"), acme))
                .status,
            404);
  EXPECT_EQ(apiError(call("DELETE", kRecords + otherRecord + "/", "", acme)).status, 404);
  auto zones = parseJson(call("GET", kZones, "", acme));
  ASSERT_EQ(zones.Size(), 1u);
  EXPECT_EQ(str(zones[0], "uuid"), zone);
  auto all = call("GET", kRecords, "", acme);
  EXPECT_EQ(all.body.find(otherRecord), std::string::npos);
  EXPECT_NE(all.body.find(txtRecord), std::string::npos);

  // Reads of its zone are not narrowed by type or name; writes in scope work.
  EXPECT_EQ(call("GET", kZones + zone + "/", "", acme).status, 200);
  EXPECT_EQ(call("GET", kRecords + aRecord + "/", "", acme).status, 200);
  EXPECT_EQ(call("PATCH", kRecords + txtRecord + "/", R"({"value": "proof-3"})", acme).status, 200);
  EXPECT_EQ(call("DELETE", kRecords + txtRecord + "/", "", acme).status, 204);
  EXPECT_TRUE(Stack::waitFor(
      [&] { return stack().dig("_acme-challenge." + domain, "TXT").empty(); }, kDnsDeadline));
}

TEST_F(ApiTokensTest, ExpiryAndAddressesAre401) {
  const std::string manager = tokenFor(uniqueName("limits"), "dns:*,tokens:manage");
  const std::string soon = secretOf(manager, R"({"permissions": ["dns:list"], "expires_at": ")" +
                                                 isoTime(nowSeconds() + 2) + "\"}");
  EXPECT_EQ(call("GET", kZones, "", soon).status, 200);
  ASSERT_TRUE(becomesUnauthorized(soon, kZones));
  EXPECT_NE(apiError(call("GET", kZones, "", soon)).detail.find("expired"), std::string::npos);

  struct Case {
    std::string allowed;
    int status;
  };
  const Case cases[] = {
      {R"(["127.0.0.0/8"])", 200},
      {R"(["127.0.0.1"])", 200},
      {R"(["192.0.2.0/24", "127.0.0.1/32"])", 200},
      {R"(["192.0.2.0/24"])", 401},
      {R"(["::1/128"])", 401},  // the test connects over IPv4
      {R"(["2001:db8::/32"])", 401},
  };
  for (const auto& c : cases) {
    const std::string t =
        secretOf(manager, R"({"permissions": ["dns:list"], "allowed_ips": )" + c.allowed + "}");
    auto r = call("GET", kZones, "", t);
    EXPECT_EQ(r.status, c.status) << c.allowed << ": " << r.body;
    if (c.status == 401) {
      EXPECT_NE(apiError(r).detail.find("127.0.0.1"), std::string::npos);
    }
  }
}

TEST_F(ApiTokensTest, AccountsFromTheCliAreEventsWithoutPasswords) {
  const std::string user = uniqueName("person");
  const std::string password = "a long password 4 " + user;
  auto create = [&](const std::string& verb, const std::string& pw) {
    const std::string cmd = "printf '%s\\n' '" + pw + "' | " + std::string(ZP_BIN_DIR) +
                            "/zonepipe --config " + stack().configPath() + " user " + verb + " " +
                            user;
    return runCommand({"/bin/sh", "-c", cmd}, milliseconds(30000));
  };
  auto made = create("create", password);
  ASSERT_EQ(made.exitCode, 0) << made.err;
  EXPECT_EQ(create("create", password).exitCode, 1);  // exists
  auto shortPw =
      runCommand({"/bin/sh", "-c",
                  "printf 'short\\n' | " + std::string(ZP_BIN_DIR) + "/zonepipe --config " +
                      stack().configPath() + " user create " + user + "-2"},
                 milliseconds(30000));
  EXPECT_EQ(shortPw.exitCode, 1);
  EXPECT_NE(shortPw.err.find("password"), std::string::npos) << shortPw.err;
  EXPECT_EQ(create("passwd", password + " new").exitCode, 0);

  auto list = stack().cli({"user", "list"});
  ASSERT_EQ(list.exitCode, 0) << list.err;
  EXPECT_NE(list.out.find(user), std::string::npos) << list.out;

  // The log holds hashes, never the password.
  const std::string file = stack().dir() + "/" + user + ".zplog";
  auto exported = stack().cli({"log", "export", file});
  ASSERT_EQ(exported.exitCode, 0) << exported.err;
  std::ifstream in(file, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  EXPECT_EQ(bytes.str().find(password), std::string::npos);
  EXPECT_NE(bytes.str().find("$argon2id$"), std::string::npos);

  // Disabling the account stops its tokens (the old --user tokens keep working).
  const std::string token = tokenFor(user, "dns:list");
  EXPECT_EQ(call("GET", kZones, "", token).status, 200);
  auto disabled = stack().cli({"user", "disable", user});
  ASSERT_EQ(disabled.exitCode, 0) << disabled.err;
  EXPECT_TRUE(becomesUnauthorized(token, kZones));
  EXPECT_EQ(call("GET", kZones, "", admin()).status, 200);
}

}  // namespace
}  // namespace zp::e2e::api
