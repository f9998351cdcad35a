// All eight record types over real HTTP, valid and invalid values side by
// side, and named serving exactly the valid ones (NS below the apex as a
// delegation, SRV, CAA, wildcard, null MX, FQDN names). Zone rules: CNAME
// apex/beside data in either order, NS apex, duplicates.

#include "tests/e2e/api_helpers.h"

namespace zp::e2e::api {
namespace {

class ApiRecordsTest : public ApiTest {};

struct TypeCase {
  std::string type, name, value;
  std::string extra;  // raw JSON members: ", \"priority\": 10"
  // Outcome: 201, or 400 with error code and field.
  int status;
  std::string errorCode, field;
  // For 201: what the API shows and what named serves (dig rdata).
  std::string shownName = {}, shownValue = {};
  std::string qname = {};  // relative to the zone ("" = apex)
  std::string served = {};
};

TEST_F(ApiRecordsTest, EveryTypeValidAndInvalidSideBySideAndServedByNamed) {
  const std::string domain = uniqueName("types") + ".test";
  const std::string zone = createZone(domain);
  ASSERT_FALSE(zone.empty());
  const std::string txt4000(4000, 'x');
  const std::vector<TypeCase> cases = {
      // A
      {"A", "www", "192.0.2.1", "", 201, "", "", "www", "192.0.2.1", "www", "192.0.2.1"},
      {"A", "@", "192.0.2.2", R"(, "ttl": 60)", 201, "", "", "@", "192.0.2.2", "", "192.0.2.2"},
      {"A", "*.wild", "192.0.2.3", R"(, "ttl": 604800)", 201, "", "", "*.wild", "192.0.2.3",
       "anything.wild", "192.0.2.3"},
      {"A", "fqdn." + domain + ".", "192.0.2.4", "", 201, "", "", "fqdn", "192.0.2.4", "fqdn",
       "192.0.2.4"},
      {"A", "a.b.deep", "192.0.2.5", "", 201, "", "", "a.b.deep", "192.0.2.5", "a.b.deep",
       "192.0.2.5"},
      {"A", "lead", "192.0.2.01", "", 400, "validation_error", "value"},
      {"A", "big", "256.0.0.1", "", 400, "validation_error", "value"},
      {"A", "short", "192.0.2", "", 400, "validation_error", "value"},
      {"A", "v6", "2001:db8::1", "", 400, "validation_error", "value"},
      {"A", "space", " 192.0.2.1", "", 400, "validation_error", "value"},
      {"A", "prio", "192.0.2.6", R"(, "priority": 10)", 400, "validation_error", "priority"},
      {"A", "ttl59", "192.0.2.7", R"(, "ttl": 59)", 400, "validation_error", "ttl"},
      {"A", "ttlmax", "192.0.2.7", R"(, "ttl": 604801)", 400, "validation_error", "ttl"},
      {"A", "out.elsewhere.test.", "192.0.2.8", "", 400, "validation_error", "name"},
      {"A", "bad name", "192.0.2.8", "", 400, "validation_error", "name"},
      {"A", "a.*.mid", "192.0.2.8", "", 400, "validation_error", "name"},
      {"A", std::string(64, 'l'), "192.0.2.8", "", 400, "validation_error", "name"},
      {"A", "", "192.0.2.8", "", 400, "validation_error", "name"},
      {"A", "empty", "", "", 400, "validation_error", "value"},
      // AAAA
      {"AAAA", "v6", "2001:0db8::1", "", 201, "", "", "v6", "2001:db8::1", "v6", "2001:db8::1"},
      {"AAAA", "v6b", "2001:DB8:0:0:0:0:0:2", "", 201, "", "", "v6b", "2001:db8::2", "v6b",
       "2001:db8::2"},
      {"AAAA", "bad6", "2001:db8::g", "", 400, "validation_error", "value"},
      {"AAAA", "bad6", "192.0.2.1", "", 400, "validation_error", "value"},
      {"AAAA", "bad6", "fe80::1%eth0", "", 400, "validation_error", "value"},
      // CNAME
      {"CNAME", "alias", "target.example.com", "", 201, "", "", "alias", "target.example.com",
       "alias", "target.example.com."},
      {"CNAME", "alias2", "Target.Example.COM.", "", 201, "", "", "alias2", "target.example.com",
       "alias2", "target.example.com."},
      {"CNAME", "@", "target.example.com", "", 400, "validation_error", "name"},
      {"CNAME", "badc", "not a host", "", 400, "validation_error", "value"},
      {"CNAME", "badc", "a..b", "", 400, "validation_error", "value"},
      // MX
      {"MX", "@", "mail.example.com", R"(, "priority": 10)", 201, "", "", "@", "mail.example.com",
       "", "10 mail.example.com."},
      {"MX", "mx0", "mx.example.com", R"(, "priority": 0)", 201, "", "", "mx0", "mx.example.com",
       "mx0", "0 mx.example.com."},
      {"MX", "mxmax", "mx.example.com", R"(, "priority": 65535)", 201, "", "", "mxmax",
       "mx.example.com", "mxmax", "65535 mx.example.com."},
      {"MX", "nullmx", ".", R"(, "priority": 0)", 201, "", "", "nullmx", ".", "nullmx", "0 ."},
      {"MX", "nop", "mail.example.com", "", 400, "validation_error", "priority"},
      {"MX", "nop", "mail.example.com", R"(, "priority": null)", 400, "validation_error",
       "priority"},
      {"MX", "bigp", "mail.example.com", R"(, "priority": 65536)", 400, "validation_error",
       "priority"},
      {"MX", "negp", "mail.example.com", R"(, "priority": -1)", 400, "validation_error",
       "priority"},
      {"MX", "badmx", "mail example", R"(, "priority": 1)", 400, "validation_error", "value"},
      // TXT
      {"TXT", "@", "v=spf1 include:_spf.google.com ~all", "", 201, "", "", "@",
       "v=spf1 include:_spf.google.com ~all", "", "\"v=spf1 include:_spf.google.com ~all\""},
      {"TXT", "_dmarc", "v=DMARC1; p=none", "", 201, "", "", "_dmarc", "v=DMARC1; p=none", "_dmarc",
       "\"v=DMARC1; p=none\""},
      {"TXT", "sel._domainkey", "v=DKIM1; k=rsa; p=MIGf", "", 201, "", "", "sel._domainkey",
       "v=DKIM1; k=rsa; p=MIGf", "sel._domainkey", "\"v=DKIM1; k=rsa; p=MIGf\""},
      {"TXT", "long", txt4000, "", 201, "", "", "long", txt4000, "long", digTxt(txt4000)},
      {"TXT", "toolong", txt4000 + "x", "", 400, "validation_error", "value"},
      {"TXT", "ctl", "tab\there", "", 400, "validation_error", "value"},
      {"TXT", "ctl", "new\nline", "", 400, "validation_error", "value"},
      {"TXT", "ctl", "del\x7f", "", 400, "validation_error", "value"},
      {"TXT", "txtp", "x", R"(, "priority": 1)", 400, "validation_error", "priority"},
      // NS (below the apex: a delegation)
      {"NS", "sub", "ns1.example.com", "", 201, "", "", "sub", "ns1.example.com", "sub",
       "ns1.example.com."},
      {"NS", "sub", "ns2.example.com.", "", 201, "", "", "sub", "ns2.example.com", "sub",
       "ns2.example.com."},
      {"NS", "@", "ns1.example.com", "", 400, "validation_error", "name"},
      {"NS", "badns", "ns 1", "", 400, "validation_error", "value"},
      // SRV
      {"SRV", "_sip._tcp", "10 5060 sip.example.com", R"(, "priority": 10)", 201, "", "",
       "_sip._tcp", "10 5060 sip.example.com", "_sip._tcp", "10 10 5060 sip.example.com."},
      {"SRV", "_xmpp._udp", "0 0 .", R"(, "priority": 0)", 201, "", "", "_xmpp._udp", "0 0 .",
       "_xmpp._udp", "0 0 0 ."},
      {"SRV", "_sip._tcp", "10 5061 sip.example.com", "", 400, "validation_error", "priority"},
      {"SRV", "sip", "10 5060 sip.example.com", R"(, "priority": 1)", 400, "validation_error",
       "name"},
      {"SRV", "_sip.tcp", "10 5060 sip.example.com", R"(, "priority": 1)", 400, "validation_error",
       "name"},
      {"SRV", "_sip._tcp", "10 5060", R"(, "priority": 1)", 400, "validation_error", "value"},
      {"SRV", "_sip._tcp", "70000 5060 sip.example.com", R"(, "priority": 1)", 400,
       "validation_error", "value"},
      {"SRV", "_sip._tcp", "1 65536 sip.example.com", R"(, "priority": 1)", 400, "validation_error",
       "value"},
      {"SRV", "_sip._tcp", "1 2 3 sip.example.com", R"(, "priority": 1)", 400, "validation_error",
       "value"},
      // CAA
      {"CAA", "@", "0 issue \"letsencrypt.org\"", "", 201, "", "", "@",
       "0 issue \"letsencrypt.org\"", "", "0 issue \"letsencrypt.org\""},
      {"CAA", "@", "128 issuewild \";\"", "", 201, "", "", "@", "128 issuewild \";\"", "",
       "128 issuewild \";\""},
      {"CAA", "@", "0 iodef \"mailto:security@example.com\"", "", 201, "", "", "@",
       "0 iodef \"mailto:security@example.com\"", "", "0 iodef \"mailto:security@example.com\""},
      {"CAA", "caa", "0 issue letsencrypt.org", "", 400, "validation_error", "value"},
      {"CAA", "caa", "256 issue \"x.org\"", "", 400, "validation_error", "value"},
      {"CAA", "caa", "0 policy \"x.org\"", "", 400, "validation_error", "value"},
      {"CAA", "caa", "0 issue \"a\"b\"", "", 400, "validation_error", "value"},
      {"CAA", "caa", "0 issue \"x.org\"", R"(, "priority": 0)", 400, "validation_error",
       "priority"},
      // Unknown types
      {"SPF", "spf", "v=spf1 -all", "", 400, "validation_error", "record_type"},
      {"HINFO", "hinfo", "\"PC\" \"Linux\"", "", 400, "validation_error", "record_type"},
      {"", "x", "192.0.2.9", "", 400, "validation_error", "record_type"},
  };

  for (const auto& c : cases) {
    const std::string body = recordJson(c.type, c.name, c.value, c.extra);
    SCOPED_TRACE(c.type + " " + c.name + " " + c.value.substr(0, 60) + c.extra);
    auto r = postRecord(zone, body);
    ASSERT_EQ(r.status, c.status) << r.body;
    if (c.status == 201) {
      auto d = parseJson(r);
      EXPECT_EQ(str(d, "record_type"), c.type);
      EXPECT_EQ(str(d, "name"), c.shownName);
      EXPECT_EQ(str(d, "value"), c.shownValue);
      const bool hasPriority = c.type == "MX" || c.type == "SRV";
      EXPECT_EQ(d["priority"].IsNull(), !hasPriority) << r.body;
    } else {
      auto e = apiError(r);
      EXPECT_EQ(e.errorCode, c.errorCode) << r.body;
      EXPECT_EQ(e.field, c.field) << r.body;
    }
  }

  // named serves exactly the valid records (grouped by name and type).
  std::map<std::pair<std::string, std::string>, Strings> want;
  for (const auto& c : cases) {
    if (c.status != 201) continue;
    const std::string qname = c.qname.empty() ? domain : c.qname + "." + domain;
    want[{qname, c.type}].push_back(c.served);
  }
  for (auto& [key, answers] : want) {
    const auto& [qname, type] = key;
    SCOPED_TRACE(qname + " " + type);
    if (type == "NS") {  // a delegation: the NS set comes back in the AUTHORITY section
      Strings seen;
      const bool ok = Stack::waitFor(
          [&] {
            seen.clear();
            for (const auto& row : digRows(qname, "NS")) {
              if (row.type == "NS" && row.owner == qname + ".") seen.push_back(row.rdata);
            }
            std::sort(seen.begin(), seen.end());
            std::sort(answers.begin(), answers.end());
            return seen == answers;
          },
          kDnsDeadline);
      EXPECT_TRUE(ok) << "delegation " << joined(seen) << " instead of " << joined(answers);
      continue;
    }
    Strings last;
    EXPECT_TRUE(servedAs(qname, type, answers, &last)) << joined(last);
  }
  // TTLs as given (60 at the apex A, 604800 on the wildcard).
  bool ttlOk = false;
  for (const auto& row : digRows(domain, "A")) ttlOk = ttlOk || row.ttl == 60;
  EXPECT_TRUE(ttlOk);
  ttlOk = false;
  for (const auto& row : digRows("x.wild." + domain, "A")) ttlOk = ttlOk || row.ttl == 604800;
  EXPECT_TRUE(ttlOk);
  // Invalid ones are not there.
  EXPECT_EQ(stack().dig("lead." + domain, "A"), Strings{});
  EXPECT_EQ(stack().dig("caa." + domain, "CAA"), Strings{});

  // The API lists exactly the valid ones.
  size_t valid = 0;
  for (const auto& c : cases) valid += c.status == 201 ? 1 : 0;
  auto detail = call("GET", kZones + zone + "/", "", admin());
  ASSERT_EQ(detail.status, 200);
  EXPECT_EQ(num(parseJson(detail), "record_count"), static_cast<int64_t>(valid));
}

TEST_F(ApiRecordsTest, ZoneRulesCnameNsAndDuplicates) {
  const std::string domain = uniqueName("rules") + ".test";
  const std::string zone = createZone(domain);
  ASSERT_FALSE(zone.empty());
  struct Case {
    std::string what, body;
    int status;
    std::string errorCode;
  };
  const std::vector<Case> cases = {
      {"A", recordJson("A", "host", "192.0.2.1"), 201, ""},
      {"the same A again", recordJson("A", "host", "192.0.2.1"), 400, "record_conflict"},
      {"the same A as FQDN", recordJson("A", "host." + domain + ".", "192.0.2.1"), 400,
       "record_conflict"},
      {"the same A, other TTL", recordJson("A", "HOST", "192.0.2.1", R"(, "ttl": 300)"), 400,
       "record_conflict"},
      {"a second A", recordJson("A", "host", "192.0.2.2"), 201, ""},
      {"CNAME beside A", recordJson("CNAME", "host", "t.example.com"), 400, "record_conflict"},
      {"CNAME alone", recordJson("CNAME", "alias", "t.example.com"), 201, ""},
      {"A beside CNAME", recordJson("A", "alias", "192.0.2.3"), 400, "record_conflict"},
      {"TXT beside CNAME", recordJson("TXT", "alias", "x"), 400, "record_conflict"},
      {"second CNAME", recordJson("CNAME", "alias", "u.example.com"), 400, "record_conflict"},
      {"CNAME at the apex", recordJson("CNAME", "@", "t.example.com"), 400, "validation_error"},
      {"CNAME at the apex as FQDN", recordJson("CNAME", domain + ".", "t.example.com"), 400,
       "validation_error"},
      {"NS at the apex", recordJson("NS", "@", "ns9.example.com"), 400, "validation_error"},
      {"NS below", recordJson("NS", "deleg", "ns9.example.com"), 201, ""},
      {"duplicate TXT", recordJson("TXT", "t", "same"), 201, ""},
      {"duplicate TXT again", recordJson("TXT", "t", "same"), 400, "record_conflict"},
      {"MX same host other priority", recordJson("MX", "@", "m.example.com", R"(, "priority": 1)"),
       201, ""},
      {"MX same host again", recordJson("MX", "@", "m.example.com", R"(, "priority": 2)"), 400,
       "record_conflict"},
  };
  for (const auto& c : cases) {
    auto r = postRecord(zone, c.body);
    EXPECT_EQ(r.status, c.status) << c.what << ": " << r.body;
    if (c.status != 201) {
      EXPECT_EQ(apiError(r).errorCode, c.errorCode) << c.what << ": " << r.body;
    }
  }
  // Updates follow the same rules: turning the second A into a CNAME conflicts.
  auto list = parseJson(call("GET", kRecords + "?zone=" + zone + "&record_type=A", "", admin()));
  ASSERT_EQ(list.Size(), 2u);
  const std::string a2 = str(list[1], "uuid");
  auto toCname =
      call("PUT", kRecords + a2 + "/", recordJson("CNAME", "host", "t.example.com"), admin());
  EXPECT_EQ(toCname.status, 400) << toCname.body;
  EXPECT_EQ(apiError(toCname).errorCode, "record_conflict");
  // One RRset, one TTL (RFC 2181 5.2): a TTL apart from the other A record's is refused...
  auto otherTtl = call("PATCH", kRecords + a2 + "/", R"({"ttl": 120})", admin());
  EXPECT_EQ(otherTtl.status, 400) << otherTtl.body;
  EXPECT_EQ(apiError(otherTtl).errorCode, "record_conflict");
  EXPECT_EQ(apiError(otherTtl).field, "ttl");
  // ...but a record may be replaced by itself (no conflict with its old self).
  auto self = call("PATCH", kRecords + a2 + "/", R"({"ttl": 3600})", admin());
  EXPECT_EQ(self.status, 200) << self.body;

  Strings last;
  EXPECT_TRUE(servedAs("host." + domain, "A", {"192.0.2.1", "192.0.2.2"}, &last)) << joined(last);
  EXPECT_TRUE(servedAs("alias." + domain, "CNAME", {"t.example.com."}, &last)) << joined(last);
  auto detail = call("GET", kZones + zone + "/", "", admin());
  EXPECT_EQ(num(parseJson(detail), "record_count"), 6) << detail.body;
}

}  // namespace
}  // namespace zp::e2e::api
