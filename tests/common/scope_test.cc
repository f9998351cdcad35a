// Token scopes (issue 9): table-driven, good and bad cases side by side.
#include "common/auth/scope.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace zp::auth {
namespace {

constexpr int64_t kNow = 1700000000;
const std::string kZone = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
const std::string kOther = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

TEST(Scope, NamePatterns) {
  struct Case {
    std::string pattern, name;
    bool want;
  };
  const Case cases[] = {
      {"_acme-challenge", "_acme-challenge", true},
      {"_acme-challenge", "_ACME-Challenge", true},
      {"_acme-challenge", "_acme-challenge.www", false},
      {"_acme-challenge", "www", false},
      {"_acme-challenge.*", "_acme-challenge.www", true},
      {"_acme-challenge.*", "_acme-challenge.a.b", true},
      {"_acme-challenge.*", "_acme-challenge", false},
      {"_acme-challenge.*", "x_acme-challenge.www", false},
      {"_acme-challenge.*", "_acme-challengex.www", false},
      {"*.dev", "api.dev", true},
      {"*.dev", "a.b.dev", true},
      {"*.dev", "dev", false},
      {"*.dev", "xdev", false},
      {"@", "@", true},
      {"@", "www", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(nameMatches(c.pattern, c.name), c.want) << c.pattern << " ~ " << c.name;
  }
}

TEST(Scope, ValidateGoodAndBad) {
  struct Case {
    const char* what;
    Scope input;
    const char* badField;  // nullptr: valid
  };
  auto with = [](auto set) {
    Scope s;
    set(s);
    return s;
  };
  const Case cases[] = {
      {"empty", Scope{}, nullptr},
      {"zone", with([](Scope& s) { s.zones = {kZone}; }), nullptr},
      {"zone upper case",
       with([](Scope& s) { s.zones = {"3F2504E0-4F89-41D3-9A0C-0305E82C3301"}; }), nullptr},
      {"zone not a uuid", with([](Scope& s) { s.zones = {"example.com"}; }), "zones"},
      {"type", with([](Scope& s) { s.recordTypes = {"txt"}; }), nullptr},
      {"unknown type", with([](Scope& s) { s.recordTypes = {"BOGUS"}; }), "record_types"},
      {"exact name", with([](Scope& s) { s.names = {"_acme-challenge"}; }), nullptr},
      {"pattern last", with([](Scope& s) { s.names = {"_acme-challenge.*"}; }), nullptr},
      {"pattern first", with([](Scope& s) { s.names = {"*.dev"}; }), nullptr},
      {"apex", with([](Scope& s) { s.names = {"@"}; }), nullptr},
      {"star alone", with([](Scope& s) { s.names = {"*"}; }), "names"},
      {"star inside", with([](Scope& s) { s.names = {"a.*.b"}; }), "names"},
      {"two stars", with([](Scope& s) { s.names = {"*.a.*"}; }), "names"},
      {"partial star", with([](Scope& s) { s.names = {"_acme*"}; }), "names"},
      {"empty label", with([](Scope& s) { s.names = {"a..b"}; }), "names"},
      {"space", with([](Scope& s) { s.names = {"a b"}; }), "names"},
      {"future expiry", with([](Scope& s) { s.expiresAt = kNow + 1; }), nullptr},
      {"past expiry", with([](Scope& s) { s.expiresAt = kNow; }), "expires_at"},
      {"v4 cidr", with([](Scope& s) { s.allowedIps = {"192.0.2.0/24"}; }), nullptr},
      {"v6 cidr", with([](Scope& s) { s.allowedIps = {"2001:db8::/32"}; }), nullptr},
      {"bare address", with([](Scope& s) { s.allowedIps = {"192.0.2.7"}; }), nullptr},
      {"v4 prefix too long", with([](Scope& s) { s.allowedIps = {"192.0.2.0/33"}; }),
       "allowed_ips"},
      {"v6 prefix too long", with([](Scope& s) { s.allowedIps = {"::/129"}; }), "allowed_ips"},
      {"not an address", with([](Scope& s) { s.allowedIps = {"example.com/24"}; }), "allowed_ips"},
      {"empty prefix", with([](Scope& s) { s.allowedIps = {"10.0.0.0/"}; }), "allowed_ips"},
      {"too many", with([](Scope& s) { s.names.assign(101, "a"); }), "names"},
  };
  for (const auto& c : cases) {
    auto r = validateScope(c.input, kNow);
    if (c.badField == nullptr) {
      EXPECT_TRUE(r.ok()) << c.what << ": " << (r.ok() ? "" : r.error().detail);
    } else {
      ASSERT_FALSE(r.ok()) << c.what;
      EXPECT_EQ(r.error().field, c.badField) << c.what;
      EXPECT_EQ(r.error().kind, ErrorKind::kValidation) << c.what;
    }
  }
}

TEST(Scope, CanonicalForm) {
  Scope s;
  s.zones = {kOther, "3F2504E0-4F89-41D3-9A0C-0305E82C3301", kOther};
  s.recordTypes = {"txt", "A", "TXT"};
  s.names = {"_ACME-challenge", "www"};
  s.allowedIps = {"192.0.2.77/24", "2001:DB8:0:0::1/32", "10.1.2.3"};
  auto r = validateScope(s, kNow);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->zones, (std::vector<std::string>{kZone, kOther}));
  EXPECT_EQ(r->recordTypes, (std::vector<std::string>{"A", "TXT"}));
  EXPECT_EQ(r->names, (std::vector<std::string>{"_acme-challenge", "www"}));
  EXPECT_EQ(r->allowedIps,
            (std::vector<std::string>{"10.1.2.3/32", "192.0.2.0/24", "2001:db8::/32"}));
}

TEST(Scope, Addresses) {
  Scope s;
  s.allowedIps = {"192.0.2.0/24", "2001:db8::/32", "198.51.100.7/32"};
  struct Case {
    std::string address;
    bool want;
  };
  const Case cases[] = {
      {"192.0.2.1", true},
      {"192.0.2.255", true},
      {"192.0.3.1", false},
      {"198.51.100.7", true},
      {"198.51.100.8", false},
      {"::ffff:192.0.2.9", true},  // IPv4-mapped counts as IPv4
      {"::ffff:192.0.3.9", false},
      {"2001:db8::1", true},
      {"2001:db8:ffff::1", true},
      {"2001:db9::1", false},
      {"::1", false},
      {"", false},
      {"not-an-ip", false},
  };
  for (const auto& c : cases) EXPECT_EQ(addressAllowed(s, c.address), c.want) << c.address;
  EXPECT_TRUE(addressAllowed(Scope{}, "203.0.113.5"));  // no limit
  Scope any4;
  any4.allowedIps = {"0.0.0.0/0"};
  EXPECT_TRUE(addressAllowed(any4, "203.0.113.5"));
  EXPECT_FALSE(addressAllowed(any4, "2001:db8::1"));  // /0 of one family only
}

TEST(Scope, ZonesRecordsAndRequests) {
  Scope s;
  s.zones = {kZone};
  s.recordTypes = {"TXT"};
  s.names = {"_acme-challenge", "_acme-challenge.*"};
  s.expiresAt = kNow + 60;
  s.allowedIps = {"127.0.0.0/8"};
  EXPECT_TRUE(zoneInScope(s, kZone));
  EXPECT_TRUE(zoneInScope(s, "3F2504E0-4F89-41D3-9A0C-0305E82C3301"));
  EXPECT_FALSE(zoneInScope(s, kOther));
  EXPECT_TRUE(zoneInScope(Scope{}, kOther));

  struct Case {
    std::string type, name;
    bool ok;
    const char* mentions;
  };
  const Case cases[] = {
      {"TXT", "_acme-challenge", true, ""},
      {"TXT", "_acme-challenge.www", true, ""},
      {"A", "_acme-challenge", false, "type TXT"},
      {"TXT", "www", false, "named _acme-challenge, _acme-challenge.*"},
      {"TXT", "@", false, "named"},
  };
  for (const auto& c : cases) {
    const Status st = recordInScope(s, c.type, c.name);
    EXPECT_EQ(!st.has_value(), c.ok) << c.type << " " << c.name;
    if (st) {
      EXPECT_EQ(st->kind, ErrorKind::kPermission);
      EXPECT_NE(st->detail.find(c.mentions), std::string::npos) << st->detail;
    }
  }
  EXPECT_TRUE(zoneWritesInScope(s).has_value());
  EXPECT_FALSE(zoneWritesInScope(Scope{}).has_value());

  EXPECT_FALSE(checkRequest(s, kNow, "127.0.0.1").has_value());
  const Status late = checkRequest(s, kNow + 60, "127.0.0.1");
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(late->kind, ErrorKind::kAuthentication);
  EXPECT_NE(late->detail.find("expired"), std::string::npos);
  const Status away = checkRequest(s, kNow, "192.0.2.1");
  ASSERT_TRUE(away.has_value());
  EXPECT_EQ(away->kind, ErrorKind::kAuthentication);
  EXPECT_NE(away->detail.find("192.0.2.1"), std::string::npos);
}

}  // namespace
}  // namespace zp::auth
