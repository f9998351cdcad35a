// Zone file injection over the real pipeline: names and values carrying
// newlines, quotes, backslashes, semicolons, $INCLUDE/$ORIGIN/$GENERATE and
// the longest legal TXT. Afterwards the deployed zone loads (named serves the
// latest serial, named-checkzone accepts the file) and holds exactly the
// records that were created: the invalid inputs were rejected with 400.

#include <fstream>

#include "tests/e2e/api_helpers.h"

namespace zp::e2e::api {
namespace {

class ApiInjectionTest : public ApiTest {};

struct Attempt {
  std::string type, name, value, extra;
  bool accepted;
  std::string served;  // dig rdata when accepted
};

// `named-checkzone -D` canonical dump of the file -> "owner ttl type rdata"
// lines (class dropped, SOA/apex NS kept), sorted.
Strings canonicalRecords(const std::string& domain, const std::string& file) {
  auto r =
      runCommand({"named-checkzone", "-q", "-D", "-o", "-", domain, file}, milliseconds(30000));
  EXPECT_EQ(r.exitCode, 0) << "named-checkzone rejected " << file << ": " << r.err << r.out;
  Strings rows;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == ';') continue;
    std::istringstream f(line);
    std::string owner, ttl, klass, type;
    f >> owner >> ttl >> klass >> type;
    std::string rdata;
    std::getline(f, rdata);
    while (!rdata.empty() && std::isspace(static_cast<unsigned char>(rdata.front()))) {
      rdata.erase(0, 1);
    }
    rows.push_back(owner + " " + type + " " + rdata);
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

TEST_F(ApiInjectionTest, HostileNamesAndValuesCannotChangeTheZoneFile) {
  const std::string domain = uniqueName("inj") + ".test";
  const std::string zone = createZone(domain);
  ASSERT_FALSE(zone.empty());
  const std::string longest(4000, 'L');
  std::string longestMixed;
  const std::string hostile = "a\";\\ $INCLUDE ()";
  for (size_t i = 0; longestMixed.size() < 4000; ++i) longestMixed += hostile[i % hostile.size()];
  const std::vector<Attempt> attempts = {
      // Values that are legal TXT text: stored and served verbatim, escaped in the file.
      {"TXT", "q", "say \"hi\"; then leave", "", true, R"("say \"hi\"; then leave")"},
      {"TXT", "bs", R"(back\slash\\ and \" \065 \)", "", true,
       R"("back\\slash\\\\ and \\\" \\065 \\")"},
      {"TXT", "inc", "$INCLUDE /etc/passwd", "", true, R"("$INCLUDE /etc/passwd")"},
      {"TXT", "org", "$ORIGIN evil.test.", "", true, R"("$ORIGIN evil.test.")"},
      {"TXT", "gen", "$GENERATE 1-100 host$ A 192.0.2.$", "", true,
       R"("$GENERATE 1-100 host$ A 192.0.2.$")"},
      {"TXT", "paren", ") ( evil IN A 192.0.2.66 ;", "", true, R"(") ( evil IN A 192.0.2.66 ;")"},
      {"TXT", "at", "@ IN NS evil.test.", "", true, R"("@ IN NS evil.test.")"},
      {"TXT", "utf", "h\xc3\xa9llo w\xc3\xb6rld", "", true, digTxt("h\xc3\xa9llo w\xc3\xb6rld")},
      {"TXT", "longest", longest, "", true, digTxt(longest)},
      {"TXT", "longmix", longestMixed, "", true, digTxt(longestMixed)},
      {"TXT", "spaces", "  padded  ", "", true, R"("  padded  ")"},
      // Control characters and line breaks: rejected.
      {"TXT", "nl", "x\n$INCLUDE /etc/passwd", "", false, ""},
      {"TXT", "cr", "x\r@ IN A 192.0.2.66", "", false, ""},
      {"TXT", "nul", std::string("x\0y", 3), "", false, ""},
      {"TXT", "c1", "x\xc2\x85y", "", false, ""},  // U+0085 NEL, a C1 control character
      {"TXT", "toolong", longest + "L", "", false, ""},
      {"TXT", "badutf", "x\xff", "", false, ""},
      // Hostile names: rejected.
      {"A", "evil\nwww", "192.0.2.66", "", false, ""},
      {"A", "$INCLUDE", "192.0.2.66", "", false, ""},
      {"A", "$ORIGIN", "192.0.2.66", "", false, ""},
      {"A", "a;b", "192.0.2.66", "", false, ""},
      {"A", "a\"b", "192.0.2.66", "", false, ""},
      {"A", "a\\b", "192.0.2.66", "", false, ""},
      {"A", "a b", "192.0.2.66", "", false, ""},
      {"A", "a(b", "192.0.2.66", "", false, ""},
      {"A", "a\\046b", "192.0.2.66", "", false, ""},
      {"A", "@ IN NS evil.test.", "192.0.2.66", "", false, ""},
      {"TXT", "x.\n$INCLUDE /etc/passwd", "v", "", false, ""},
      // Hostile values of the structured types: rejected.
      {"A", "v4", "192.0.2.66\n@ IN NS evil.test.", "", false, ""},
      {"A", "v4", "192.0.2.66 ; comment", "", false, ""},
      {"AAAA", "v6", "2001:db8::1\n", "", false, ""},
      {"CNAME", "c", "evil.test.\n$INCLUDE /etc/passwd", "", false, ""},
      {"CNAME", "c", "evil.test. ; x", "", false, ""},
      {"CNAME", "c", "evil\"test", "", false, ""},
      {"MX", "@", "mail.test. ; x", R"(, "priority": 1)", false, ""},
      {"MX", "@", "mail.test\\.", R"(, "priority": 1)", false, ""},
      {"NS", "sub", "ns.test.\n@ IN NS evil.test.", "", false, ""},
      {"SRV", "_s._tcp", "1 2 t.test. ; x", R"(, "priority": 1)", false, ""},
      {"SRV", "_s._tcp", "1 2 t.test\nevil IN A 1.2.3.4", R"(, "priority": 1)", false, ""},
      {"CAA", "@", "0 issue \"x\"; evil", "", false, ""},
      {"CAA", "@", "0 issue \"x\\\"\"", "", false, ""},
      {"CAA", "@", "0 issue \"x\ny\"", "", false, ""},
      // Legal structured values with punctuation where allowed.
      {"CAA", "@", "0 issue \"ca.test; account=1\"", "", true, R"(0 issue "ca.test; account=1")"},
      {"A", "ok", "192.0.2.77", "", true, "192.0.2.77"},
  };

  std::map<std::pair<std::string, std::string>, Strings> want;  // (qname, type) -> rdata
  size_t created = 0;
  for (const auto& a : attempts) {
    SCOPED_TRACE(a.type + " name " + jsonString(a.name) + " value " +
                 jsonString(a.value.substr(0, 60)));
    auto r = postRecord(zone, recordJson(a.type, a.name, a.value, a.extra));
    if (a.accepted) {
      ASSERT_EQ(r.status, 201) << r.body;
      auto d = parseJson(r);
      if (a.type == "TXT") {
        EXPECT_EQ(str(d, "value"), a.value) << "TXT is stored verbatim";
      }
      ++created;
      const std::string qname = a.name == "@" ? domain : a.name + "." + domain;
      want[{qname, a.type}].push_back(a.served);
    } else {
      ASSERT_EQ(r.status, 400) << r.body;
      auto e = apiError(r);
      EXPECT_TRUE(e.errorCode == "validation_error" || e.errorCode == "parse_error") << r.body;
    }
  }

  // The zone loads: named serves the latest serial.
  const uint64_t serial = waitDeployed(zone, domain);
  EXPECT_GT(serial, 0u);

  // Every accepted record is served exactly as created.
  for (const auto& [key, answers] : want) {
    SCOPED_TRACE(key.first + " " + key.second);
    Strings last;
    EXPECT_TRUE(servedAs(key.first, key.second, answers, &last)) << joined(last);
  }
  // Nothing the hostile inputs tried to add exists.
  EXPECT_EQ(stack().dig("evil." + domain, "A"), Strings{});
  EXPECT_EQ(stack().dig("www." + domain, "A"), Strings{});
  EXPECT_EQ(stack().dig("host1." + domain, "A"), Strings{});
  auto ns = stack().dig(domain, "NS");
  for (const auto& n : ns) EXPECT_EQ(n.find("evil"), std::string::npos) << joined(ns);

  // What the primary serves (by AXFR): named-checkzone accepts it, and it holds exactly the
  // service's SOA and apex NS plus the created records.
  const std::string file = stack().servedZoneFile(domain);
  ASSERT_TRUE(std::ifstream(file).good()) << "no deployed zone file at " << file;
  const Strings rows = canonicalRecords(domain, file);
  size_t soa = 0, apexNs = 0, users = 0;
  for (const auto& row : rows) {
    if (row.find(" SOA ") != std::string::npos) {
      ++soa;
    } else if (row.rfind(domain + ". NS ", 0) == 0) {
      ++apexNs;
    } else {
      ++users;
    }
    EXPECT_EQ(row.find("evil.test. NS"), std::string::npos) << row;
    EXPECT_EQ(row.rfind("evil.", 0), std::string::npos) << row;
  }
  EXPECT_EQ(soa, 1u);
  EXPECT_GE(apexNs, 1u);
  EXPECT_EQ(users, created) << "exactly the created records, no more:\n" << joined(rows);

  auto detail = call("GET", kZones + zone + "/", "", admin());
  EXPECT_EQ(num(parseJson(detail), "record_count"), static_cast<int64_t>(created));
}

}  // namespace
}  // namespace zp::e2e::api
