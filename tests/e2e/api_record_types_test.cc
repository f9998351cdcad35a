// Issue 10 over real HTTP and real named (primary and secondary): the new
// record types, created through the API and served as their canonical value;
// the RRset rules (one TTL per RRset, CNAME/DNAME/delegation/DS/null MX,
// duplicates up to canonical form) on create, PUT, PATCH and DELETE; '_' in
// host names served (named runs with check-names ignore); and a generated
// mix of records of every type and shape where every 201 is in the zone named
// serves, every refusal is a 400, and the zone keeps taking changes.

#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "common/dns/record_spec.h"
#include "common/dns/zone_text.h"
#include "tests/e2e/api_helpers.h"

namespace zp::e2e::api {
namespace {

const std::string kSha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const std::string kSha256Upper = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08";
const std::string kSha1 = "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3";

// Lower case without blanks: dig upper-cases hex and splits long rdata.
std::string squash(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == ' ' || c == '\t') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

Strings squashAll(Strings v) {
  for (auto& s : v) s = squash(s);
  std::sort(v.begin(), v.end());
  return v;
}

class ApiRecordTypesTest : public ApiTest {
 protected:
  // Polls the primary and the secondary until name/type answers `want`
  // (compared squashed and sorted).
  bool servedEverywhere(const std::string& name, const std::string& type, const Strings& want,
                        Strings* last) {
    const Strings wanted = squashAll(want);
    for (const std::string& server : {stack().primaryServer(), stack().secondaryServer()}) {
      const bool ok = Stack::waitFor(
          [&] {
            *last = squashAll(stack().digAt(server, name, type).answers);
            return *last == wanted;
          },
          kDnsDeadline);
      if (!ok) {
        last->insert(last->begin(), "(at " + server + ")");
        return false;
      }
    }
    return true;
  }

  void expectServedAsListed(const std::string& zone, const std::string& domain);

  // The response's status, and for a 400 its error_code and field.
  struct Outcome {
    int status;
    std::string errorCode, field;
  };
  static Outcome outcomeOf(const HttpResponse& r) {
    if (r.status == 201 || r.status == 200 || r.status == 204) return {r.status, "", ""};
    auto e = apiError(r);
    return {r.status, e.errorCode, e.field};
  }
};

struct TypeCase {
  std::string type, name, value;
  int status;
  std::string field = {};       // for a 400: the field named
  std::string shownValue = {};  // for a 201: the canonical value
  std::string qname = {};       // relative ("" = apex)
  std::string served = {};      // what dig answers
};

TEST_F(ApiRecordTypesTest, NewTypesAreServedByPrimaryAndSecondary) {
  const std::string domain = uniqueName("types") + ".test";
  const std::string zone = createZone(domain);
  ASSERT_FALSE(zone.empty());
  const std::string ech =
      "AEn+DQBFKwAgACABWIHUGj4u+"
      "PIggYXcR5JF0gYk3dCRioBW8uJq9H4mKAAIAAEAAQABAANAEnB1YmxpYy50bHMtZWNoLmRldgAA";
  const std::vector<TypeCase> cases = {
      {"PTR", "ptr", "Host.Example.NET.", 201, "", "host.example.net", "ptr", "host.example.net."},
      {"PTR", "ptr2", "192.0.2.1", 400, "value"},
      {"TLSA", "_443._tcp.www", "3 1 1 " + kSha256Upper, 201, "", "3 1 1 " + kSha256,
       "_443._tcp.www", "3 1 1 " + kSha256},
      {"TLSA", "www", "3 1 1 " + kSha256, 400, "name"},
      {"TLSA", "_443._tcp.www", "3 1 1 " + kSha1, 400, "value"},
      {"SSHFP", "www", "4 2 " + kSha256, 201, "", "4 2 " + kSha256, "www", "4 2 " + kSha256},
      {"SSHFP", "www", "1 1 " + kSha1, 201, "", "1 1 " + kSha1, "www", "1 1 " + kSha1},
      {"SSHFP", "www", "9 2 " + kSha256, 400, "value"},
      {"NS", "child", "ns1.example.net", 201, "", "ns1.example.net"},
      {"DS", "child", "12345 13 2 " + kSha256, 201, "", "12345 13 2 " + kSha256, "child",
       "12345 13 2 " + kSha256},
      {"DS", "child", "12345 13 2 " + kSha1, 400, "value"},
      {"NAPTR", "@", R"(100 10 "s" "SIP+D2U" "" _sip._udp.Example.NET.)", 201, "",
       R"(100 10 "S" "SIP+D2U" "" _sip._udp.example.net)", "",
       R"(100 10 "S" "SIP+D2U" "" _sip._udp.example.net.)"},
      {"NAPTR", "@", R"(100 20 "U" "E2U+sip" "!^.*$!sip:info@example.net!" .)", 201, "",
       R"(100 20 "U" "E2U+sip" "!^.*$!sip:info@example.net!" .)", "",
       R"(100 20 "U" "E2U+sip" "!^.*$!sip:info@example.net!" .)"},
      {"NAPTR", "@", R"(100 10 S SIP+D2U "" .)", 400, "value"},
      {"DNAME", "old", "Example.NET.", 201, "", "example.net", "old", "example.net."},
      {"DNAME", "old2", ".", 400, "value"},
      {"HTTPS", "@", "1 . port=443 alpn=h2,h3", 201, "", R"(1 . alpn="h2,h3" port=443)", "",
       R"(1 . alpn="h2,h3" port=443)"},
      {"HTTPS", "www", "1 . alpn=h2 ipv4hint=192.0.2.1 ech=" + ech + " ipv6hint=2001:DB8::1", 201,
       "", R"(1 . alpn="h2" ipv4hint=192.0.2.1 ech=)" + ech + " ipv6hint=2001:db8::1", "www",
       R"(1 . alpn="h2" ipv4hint=192.0.2.1 ech=)" + ech + " ipv6hint=2001:db8::1"},
      {"HTTPS", "alias", "0 cdn.example.net", 201, "", "0 cdn.example.net", "alias",
       "0 cdn.example.net."},
      {"HTTPS", "alias2", "0 cdn.example.net alpn=h2", 400, "value"},
      {"SVCB", "_8443._api", "2 svc.example.net mandatory=port port=8443", 201, "",
       "2 svc.example.net mandatory=port port=8443", "_8443._api",
       "2 svc.example.net. mandatory=port port=8443"},
      {"SVCB", "_8443._api", "2 svc.example.net mandatory=alpn port=8443", 400, "value"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.type + " " + c.name + " " + c.value);
    auto r = postRecord(zone, recordJson(c.type, c.name, c.value));
    ASSERT_EQ(r.status, c.status) << r.body;
    if (c.status == 201) {
      auto d = parseJson(r);
      EXPECT_EQ(str(d, "value"), c.shownValue);
      EXPECT_TRUE(d["priority"].IsNull()) << r.body;
    } else {
      EXPECT_EQ(apiError(r).errorCode, "validation_error") << r.body;
      EXPECT_EQ(apiError(r).field, c.field) << r.body;
    }
  }
  std::map<std::pair<std::string, std::string>, Strings> want;
  for (const auto& c : cases) {
    if (c.status != 201 || c.served.empty()) continue;
    want[{c.qname.empty() ? domain : c.qname + "." + domain, c.type}].push_back(c.served);
  }
  for (const auto& [key, answers] : want) {
    SCOPED_TRACE(key.first + " " + key.second);
    Strings last;
    EXPECT_TRUE(servedEverywhere(key.first, key.second, answers, &last)) << joined(last);
  }
  // The DNAME rewrites names below it (RFC 6672): named answers with the DNAME
  // and the CNAME it synthesises.
  Strings last;
  EXPECT_TRUE(
      servedEverywhere("www.old." + domain, "CNAME", {"example.net.", "www.example.net."}, &last))
      << joined(last);
}

TEST_F(ApiRecordTypesTest, ReverseZonesAreCreatableAndServePtr) {
  const std::string domain = "2.0.192.in-addr.arpa";
  const std::string zone = createZone(domain);
  ASSERT_FALSE(zone.empty());
  createRecord(zone, recordJson("PTR", "1", "host1.example.com"));
  createRecord(zone, recordJson("PTR", "10." + domain + ".", "www.example.com."));
  Strings last;
  EXPECT_TRUE(servedEverywhere("1." + domain, "PTR", {"host1.example.com."}, &last))
      << joined(last);
  EXPECT_TRUE(servedEverywhere("10." + domain, "PTR", {"www.example.com."}, &last)) << joined(last);
  const std::string v6 = createZone("8.b.d.0.1.0.0.2.ip6.arpa");
  ASSERT_FALSE(v6.empty());
  createRecord(v6, recordJson("PTR", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0",
                              "host6.example.com"));
  EXPECT_TRUE(
      servedEverywhere("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
                       "PTR", {"host6.example.com."}, &last))
      << joined(last);
}

TEST_F(ApiRecordTypesTest, RrsetRulesOnCreatePutPatchAndDelete) {
  const std::string domain = uniqueName("rrset") + ".test";
  const std::string zone = createZone(domain);
  ASSERT_FALSE(zone.empty());
  std::map<std::string, std::string> ids;  // label -> uuid
  struct Step {
    std::string label, method, target, body;  // target: "" = POST to the zone; else a label
    int status;
    std::string errorCode = {}, field = {};
  };
  const std::string mx = R"(, "priority": 10)";
  const std::vector<Step> steps = {
      // One TTL per RRset (RFC 2181 5.2): the issue's case, refused, not misreported.
      {"rr1", "POST", "", recordJson("A", "rr", "192.0.2.50", R"(, "ttl": 300)"), 201},
      {"", "POST", "", recordJson("A", "rr", "192.0.2.51", R"(, "ttl": 3600)"), 400,
       "record_conflict", "ttl"},
      {"", "POST", "", recordJson("A", "rr", "192.0.2.51"), 400, "record_conflict", "ttl"},
      {"rr2", "POST", "", recordJson("A", "rr", "192.0.2.51", R"(, "ttl": 300)"), 201},
      {"", "PUT", "rr2", recordJson("A", "rr", "192.0.2.51", R"(, "ttl": 600)"), 400,
       "record_conflict", "ttl"},
      {"", "PATCH", "rr2", R"({"ttl": 600})", 400, "record_conflict", "ttl"},
      {"", "PATCH", "rr2", R"({"value": "192.0.2.52"})", 200},
      {"solo", "POST", "", recordJson("A", "solo", "192.0.2.60", R"(, "ttl": 300)"), 201},
      {"", "PATCH", "solo", R"({"ttl": 900})", 200},
      {"", "PUT", "solo", recordJson("A", "rr", "192.0.2.60", R"(, "ttl": 900)"), 400,
       "record_conflict", "ttl"},
      // CNAME and DNAME: alone at their name, nothing below a DNAME.
      {"", "POST", "", recordJson("TXT", "t.moved", "below"), 201},
      {"", "POST", "", recordJson("DNAME", "moved", "example.net"), 400, "record_conflict", "name"},
      {"dn", "POST", "", recordJson("DNAME", "gone", "example.net"), 201},
      {"", "POST", "", recordJson("DNAME", "gone", "example.org"), 400, "record_conflict", "name"},
      {"", "POST", "", recordJson("CNAME", "gone", "x.example.net"), 400, "record_conflict",
       "name"},
      {"", "POST", "", recordJson("A", "x.gone", "192.0.2.1"), 400, "record_conflict", "name"},
      {"", "POST", "", recordJson("A", "a.b.gone", "192.0.2.1"), 400, "record_conflict", "name"},
      // Delegations: NS, DS and glue only; DS needs NS; the last NS stays while DS does.
      {"", "POST", "", recordJson("DS", "kid", "12345 13 2 " + kSha256), 400, "record_conflict",
       "name"},
      {"ns", "POST", "", recordJson("NS", "kid", "ns.kid." + domain), 201},
      {"ds", "POST", "", recordJson("DS", "kid", "12345 13 2 " + kSha256), 201},
      {"", "POST", "", recordJson("A", "ns.kid", "192.0.2.53"), 201},
      {"", "POST", "", recordJson("A", "kid", "192.0.2.54"), 201},
      {"", "POST", "", recordJson("TXT", "kid", "occluded"), 400, "record_conflict", "name"},
      {"", "POST", "", recordJson("TXT", "www.kid", "occluded"), 400, "record_conflict", "name"},
      {"", "POST", "", recordJson("A", "*.kid", "192.0.2.55"), 400, "record_conflict", "name"},
      {"", "POST", "", recordJson("DS", "@", "12345 13 2 " + kSha256), 400, "validation_error",
       "name"},
      {"", "POST", "", recordJson("NS", "*", "ns1.example.net"), 400, "validation_error", "name"},
      {"", "POST", "", recordJson("NS", "*.w", "ns1.example.net"), 400, "validation_error", "name"},
      {"", "POST", "", recordJson("TXT", "t.sub2", "x"), 201},
      {"", "POST", "", recordJson("NS", "sub2", "ns1.example.net"), 400, "record_conflict", "name"},
      {"", "DELETE", "ns", "", 400, "record_conflict", "name"},
      {"", "PATCH", "ns", R"({"name": "kid2"})", 400, "record_conflict", "name"},
      {"", "DELETE", "ds", "", 204},
      {"", "DELETE", "ns", "", 204},
      // Null MX (RFC 7505 3): priority 0 and no other MX beside it.
      {"", "POST", "", recordJson("MX", "nm", ".", R"(, "priority": 5)"), 400, "validation_error",
       "priority"},
      {"", "POST", "", recordJson("MX", "nm", ".", R"(, "priority": 0)"), 201},
      {"", "POST", "", recordJson("MX", "nm", "mail.example.net", mx), 400, "record_conflict",
       "value"},
      {"", "POST", "", recordJson("MX", "m2", "mail.example.net", mx), 201},
      {"", "POST", "", recordJson("MX", "m2", ".", R"(, "priority": 0)"), 400, "record_conflict",
       "value"},
      // Duplicates are compared in canonical form (hex case, pieces).
      {"", "POST", "", recordJson("SSHFP", "h", "4 2 " + kSha256), 201},
      {"", "POST", "", recordJson("SSHFP", "h", "4 2 " + kSha256Upper), 400, "record_conflict",
       "value"},
      {"", "POST", "", recordJson("TLSA", "_443._tcp.h", "3 1 1 " + kSha256), 201},
      {"", "POST", "",
       recordJson("TLSA", "_443._tcp.h",
                  "3 1 1 " + kSha256Upper.substr(0, 32) + " " + kSha256Upper.substr(32)),
       400, "record_conflict", "value"},
  };
  for (const Step& s : steps) {
    SCOPED_TRACE(s.method + " " + s.target + " " + s.body);
    HttpResponse r;
    if (s.method == "POST") {
      r = postRecord(zone, s.body);
    } else {
      ASSERT_TRUE(ids.count(s.target)) << "no record labelled " << s.target;
      r = call(s.method, kRecords + ids[s.target] + "/", s.body, admin());
    }
    const Outcome got = outcomeOf(r);
    EXPECT_EQ(got.status, s.status) << r.body;
    EXPECT_EQ(got.errorCode, s.errorCode) << r.body;
    EXPECT_EQ(got.field, s.field) << r.body;
    if (!s.label.empty() && r.status == 201) ids[s.label] = str(parseJson(r), "uuid");
  }
  // What the API says is what named serves: both A records of rr at 300.
  waitDeployed(zone, domain);
  const auto answersOf = [&](const std::string& name) {
    std::vector<DnsRow> out;
    for (const auto& row : digRows(name, "A")) {
      if (row.type == "A") out.push_back(row);
    }
    return out;
  };
  const auto rows = answersOf("rr." + domain);
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) EXPECT_EQ(row.ttl, 300) << row.rdata;
  const auto soloRows = answersOf("solo." + domain);
  ASSERT_EQ(soloRows.size(), 1u);
  EXPECT_EQ(soloRows[0].ttl, 900);
  auto list = parseJson(call("GET", kRecords + "?zone=" + zone + "&record_type=A", "", admin()));
  for (const auto& rec : list.GetArray()) {
    if (str(rec, "name") == "rr") {
      EXPECT_EQ(num(rec, "ttl"), 300);
    }
  }
}

TEST_F(ApiRecordTypesTest, UnderscoreHostNamesAreServed) {
  const std::string domain = uniqueName("underscore") + ".test";
  const std::string zone = createZone(domain);
  ASSERT_FALSE(zone.empty());
  createRecord(zone, recordJson("A", "_x", "192.0.2.1"));
  createRecord(zone, recordJson("AAAA", "_x", "2001:db8::1"));
  createRecord(zone, recordJson("MX", "_mail", "_mx.example.net", R"(, "priority": 10)"));
  createRecord(zone,
               recordJson("SRV", "_sip._tcp", "5 5060 _sip.example.net", R"(, "priority": 1)"));
  createRecord(zone, recordJson("NS", "deleg", "_ns.example.net"));
  Strings last;
  EXPECT_TRUE(servedEverywhere("_x." + domain, "A", {"192.0.2.1"}, &last)) << joined(last);
  EXPECT_TRUE(servedEverywhere("_x." + domain, "AAAA", {"2001:db8::1"}, &last)) << joined(last);
  EXPECT_TRUE(servedEverywhere("_mail." + domain, "MX", {"10 _mx.example.net."}, &last))
      << joined(last);
  EXPECT_TRUE(servedEverywhere("_sip._tcp." + domain, "SRV", {"1 5 5060 _sip.example.net."}, &last))
      << joined(last);
  // The zone keeps taking changes after them.
  createRecord(zone, recordJson("A", "after", "192.0.2.2"));
  EXPECT_TRUE(servedEverywhere("after." + domain, "A", {"192.0.2.2"}, &last)) << joined(last);
  waitDeployed(zone, domain);
}

// A record drawn from pools of owner forms and values of every type, valid
// and invalid; the zone rules decide the rest.
struct Drawn {
  std::string type, name, value;
  std::optional<int> priority;
  int ttl;
};

Drawn draw(std::mt19937& rng) {
  auto pick = [&](const Strings& v) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
  };
  const Strings owners = {
      "@",         "www",   "_x",       "*",       "*.w",           "a.b",   "_443._tcp.www",
      "_sip._tcp", "deleg", "ns.deleg", "x.deleg", "old",           "y.old", "_dmarc",
      "Mixed",     "a-b",   "x.www",    "1",       "_25._tcp.mail", "mail"};
  const Strings hosts = {"mail.example.net", "_mx.example.net", ".",    "www",
                         "ns.deleg.REPLACE", "192.0.2.1",       "a..b", "xn--bcher-kva.example"};
  Drawn d;
  const auto& specs = dns::recordSpecs();
  const dns::RecordSpec& spec =
      specs[std::uniform_int_distribution<size_t>(0, specs.size() - 1)(rng)];
  d.type = std::string(spec.name);
  d.name = pick(owners);
  d.ttl = std::uniform_int_distribution<int>(0, 3)(rng) == 0 ? 300 : 3600;
  const std::string host = pick(hosts);
  switch (spec.type) {
    case dns::RecordType::kA:
      d.value = pick({"192.0.2.1", "192.0.2.2", "192.0.2.01", "198.51.100.7"});
      break;
    case dns::RecordType::kAaaa:
      d.value = pick({"2001:db8::1", "2001:DB8::2", "::ffff:192.0.2.1", "2001:db8::g"});
      break;
    case dns::RecordType::kTxt:
      d.value = pick({"v=spf1 -all", "hello world", "x", std::string(300, 'a')});
      break;
    case dns::RecordType::kMx:
      d.value = host;
      d.priority = pick({"0", "10"}) == "0" ? 0 : 10;
      break;
    case dns::RecordType::kSrv:
      d.value = "5 443 " + host;
      d.priority = 1;
      break;
    case dns::RecordType::kCaa:
      d.value = pick({"0 issue \"ca.example\"", "128 issuewild \";\"", "0 bogus \"x\""});
      break;
    case dns::RecordType::kTlsa:
      d.value = pick({"3 1 1 " + kSha256, "3 1 1 " + kSha1});
      break;
    case dns::RecordType::kSshfp:
      d.value = pick({"4 2 " + kSha256, "1 1 " + kSha1, "4 2 " + kSha1});
      break;
    case dns::RecordType::kDs:
      d.value = pick({"12345 13 2 " + kSha256, "1 8 1 " + kSha1});
      break;
    case dns::RecordType::kNaptr:
      d.value = pick({R"(10 0 "S" "SIP+D2T" "" _sip._tcp.example.net)",
                      R"(10 0 "U" "E2U+sip" "!^.*$!sip:a@example.net!" .)",
                      R"(10 0 "U" "E2U+sip" "!x!y!" host.example.net)"});
      break;
    case dns::RecordType::kHttps:
    case dns::RecordType::kSvcb:
      d.value = pick({"1 . alpn=h2,h3 port=443", "0 " + host, "1 " + host + " ipv4hint=192.0.2.1",
                      "0 . port=1"});
      break;
    default:  // CNAME, NS, PTR, DNAME: a host name
      d.value = host;
      break;
  }
  return d;
}

// Checks that named took every change of the zone (the serial the API
// reports is served) and that both nameservers serve exactly the records the
// API lists (by AXFR, compared as zone-file lines without blanks or case).
void ApiRecordTypesTest::expectServedAsListed(const std::string& zone, const std::string& domain) {
  waitDeployed(zone, domain);
  // Both nameservers serve exactly the records the API lists.
  auto list = parseJson(call("GET", kZones + zone + "/records/?page_size=1000", "", admin()));
  Strings want;
  for (const auto& rec : list.GetArray()) {
    dns::Record record;
    record.uuid = str(rec, "uuid");
    auto type = dns::recordTypeFromString(str(rec, "record_type"));
    ASSERT_TRUE(type.has_value());
    record.data.type = *type;
    record.data.name = str(rec, "name");
    record.data.value = str(rec, "value");
    record.data.ttl = static_cast<uint32_t>(num(rec, "ttl"));
    if (rec["priority"].IsInt64())
      record.data.priority = static_cast<uint16_t>(num(rec, "priority"));
    want.push_back(squash(dns::recordLine(record, domain)));
  }
  std::sort(want.begin(), want.end());
  for (const std::string& server : {stack().primaryServer(), stack().secondaryServer()}) {
    Strings served;
    const bool ok = Stack::waitFor(
        [&] {
          served.clear();
          for (const auto& line : stack().axfr(server, domain)) {
            const std::string s = squash(line);
            if (s.find("insoa") != std::string::npos) continue;
            const std::string apex = squash(domain) + ".";
            if (s.rfind(apex, 0) == 0 && s.size() > apex.size() &&
                std::isdigit(static_cast<unsigned char>(s[apex.size()])) &&
                s.find("inns", apex.size()) != std::string::npos) {
              continue;  // the service's apex NS set
            }
            served.push_back(s);
          }
          std::sort(served.begin(), served.end());
          return served == want;
        },
        kDnsDeadline);
    Strings missing, extra;
    std::set_difference(want.begin(), want.end(), served.begin(), served.end(),
                        std::back_inserter(missing));
    std::set_difference(served.begin(), served.end(), want.begin(), want.end(),
                        std::back_inserter(extra));
    EXPECT_TRUE(ok) << server << ": not served: " << joined(missing)
                    << "; served but not listed: " << joined(extra);
  }
}

TEST_F(ApiRecordTypesTest, GeneratedRecordsEvery201IsServedEveryRefusalIs400) {
  const std::string domain = uniqueName("gen") + ".test";
  const std::string zone = createZone(domain);
  ASSERT_FALSE(zone.empty());
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  const auto bodyOf = [&](Drawn d) {
    if (auto at = d.value.find("REPLACE"); at != std::string::npos) d.value.replace(at, 7, domain);
    std::string extra = R"(, "ttl": )" + std::to_string(d.ttl);
    if (d.priority) extra += R"(, "priority": )" + std::to_string(*d.priority);
    return recordJson(d.type, d.name, d.value, extra);
  };
  const auto expectRefusal = [](const HttpResponse& r) {
    const auto e = apiError(r);
    EXPECT_TRUE(e.errorCode == "validation_error" || e.errorCode == "record_conflict") << r.body;
  };
  int created = 0, refused = 0;
  std::vector<std::string> uuids;
  for (int i = 0; i < 200; ++i) {
    const std::string body = bodyOf(draw(rng));
    auto r = postRecord(zone, body);
    ASSERT_TRUE(r.status == 201 || r.status == 400) << body << " -> " << r.status << " " << r.body;
    if (r.status == 201) {
      ++created;
      uuids.push_back(str(parseJson(r), "uuid"));
    } else {
      ++refused;
      expectRefusal(r);
    }
  }
  EXPECT_GT(created, 20);
  EXPECT_GT(refused, 20);
  expectServedAsListed(zone, domain);

  // Then PUTs of whole drawn records, PATCHes of a value or TTL, and DELETEs.
  int changed = 0;
  for (int i = 0; i < 100 && !uuids.empty(); ++i) {
    const size_t at = std::uniform_int_distribution<size_t>(0, uuids.size() - 1)(rng);
    const std::string path = kRecords + uuids[at] + "/";
    const int op = std::uniform_int_distribution<int>(0, 2)(rng);
    HttpResponse r;
    std::string body;
    if (op == 0) {
      body = bodyOf(draw(rng));
      r = call("PUT", path, body, admin());
    } else if (op == 1) {
      body = std::uniform_int_distribution<int>(0, 1)(rng) == 0
                 ? R"({"ttl": 300})"
                 : R"({"value": )" + jsonString(draw(rng).value) + "}";
      r = call("PATCH", path, body, admin());
    } else {
      r = call("DELETE", path, "", admin());
    }
    ASSERT_TRUE(r.status == 200 || r.status == 204 || r.status == 400)
        << op << " " << body << " -> " << r.status << " " << r.body;
    if (r.status == 400) {
      expectRefusal(r);
    } else {
      ++changed;
    }
    if (r.status == 204) uuids.erase(uuids.begin() + static_cast<std::ptrdiff_t>(at));
  }
  EXPECT_GT(changed, 10);
  expectServedAsListed(zone, domain);
}

}  // namespace
}  // namespace zp::e2e::api

namespace zp::e2e::api {
namespace {

std::string readText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The renderer's audits compare named's copy (AXFR, parsed by libknot) with
// the store's rendering (parsed by libzscanner) record by record in wire
// form: every type, written as we write it, must compare equal, or each audit
// would "repair" it again.
TEST(RecordTypesAudit, AuditsFindNothingToRepairForAnyType) {
  Stack stack(StackOptions{true, {"renderer.audit_interval_ms = 1000", "log.level = debug"}});
  const std::string domain = "audit-types.test";
  auto created = stack.http("POST", kZones, R"({"domain": ")" + domain + R"("})", stack.token());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string zone = str(parseJson(created), "uuid");
  const std::vector<std::pair<dns::RecordType, std::string>> order = {
      {dns::RecordType::kNs, "sub"},
      {dns::RecordType::kDs, "sub"},
      {dns::RecordType::kCname, "alias"},
      {dns::RecordType::kDname, "dn"}};
  auto post = [&](const dns::RecordSpec& spec, const std::string& name) {
    std::string extra;
    if (spec.examplePriority >= 0)
      extra = R"(, "priority": )" + std::to_string(spec.examplePriority);
    auto r = stack.http("POST", kZones + zone + "/records/",
                        recordJson(std::string(spec.name), name, std::string(spec.example), extra),
                        stack.token());
    EXPECT_EQ(r.status, 201) << spec.name << ": " << r.body;
  };
  for (const auto& [type, name] : order) post(dns::specFor(type), name);
  for (const dns::RecordSpec& spec : dns::recordSpecs()) {
    if (!spec.atApex || spec.singleton || spec.exclusive) continue;  // placed above
    post(spec, spec.owner == dns::OwnerRule::kServiceProto ? "_sip._tcp"
               : spec.owner == dns::OwnerRule::kPortProto  ? "_443._tcp.www"
                                                           : "@");
  }
  auto detail = stack.http("GET", kZones + zone + "/", "", stack.token());
  ASSERT_EQ(detail.status, 200);
  const int64_t serial = num(parseJson(detail), "serial");
  const std::string pushLog = stack.dir() + "/push.log";
  const std::string clean = "audit: named serves " + domain + " serial " + std::to_string(serial);
  EXPECT_TRUE(Stack::waitFor([&] { return readText(pushLog).find(clean) != std::string::npos; },
                             kDnsDeadline))
      << "no audit of " << domain << " at serial " << serial << " found nothing to repair";
  EXPECT_EQ(readText(pushLog).find("named's copy of " + domain), std::string::npos)
      << "an audit repaired " << domain << ": our rendering and named's copy differ";
}

}  // namespace
}  // namespace zp::e2e::api
