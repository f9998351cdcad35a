// Zone-file import (issue 10): libzscanner reads the file, the service's own
// records are skipped and said so, $INCLUDE and unknown types are refused
// naming the line, and the plan against the stored zone is added / changed /
// removed / unchanged.
#include "common/dns/zone_import.h"

#include <gtest/gtest.h>

#include "common/dns/import_plan.h"

namespace zp::dns {
namespace {

const char* const kZone = R"($ORIGIN example.com.
$TTL 300
@   3600 IN SOA ns1.zonepipe.test. hostmaster.example.com. ( 7 3600 600
                604800 300 )
    3600 IN NS  ns1.zonepipe.test.
@        IN MX  10 mail
www      IN A   192.0.2.1
*.wild   IN A   192.0.2.2
_sip._tcp 600 IN SRV 5 10 5060 sip.example.com.
_dmarc   IN TXT "v=DMARC1; p=none" " more"
@        IN CAA 128 issue "letsencrypt.org"
xn--bcher-kva IN AAAA 2001:DB8::0001
sub      IN NS  ns.elsewhere.test.
)";

TEST(ZoneImport, ReadsEveryShapeAndSkipsTheServicesRecords) {
  auto parsed = parseZoneFile(kZone, "example.com");
  ASSERT_TRUE(parsed) << parsed.error().detail;
  struct Want {
    std::string type, name, value;
    int64_t ttl;
    std::optional<int64_t> priority;
  };
  const std::vector<Want> want = {
      {"MX", "example.com.", "mail.example.com.", 300, 10},
      {"A", "www.example.com.", "192.0.2.1", 300, std::nullopt},
      {"A", "*.wild.example.com.", "192.0.2.2", 300, std::nullopt},
      {"SRV", "_sip._tcp.example.com.", "10 5060 sip.example.com.", 600, 5},
      {"TXT", "_dmarc.example.com.", "v=DMARC1; p=none more", 300, std::nullopt},
      {"CAA", "example.com.", "128 issue \"letsencrypt.org\"", 300, std::nullopt},
      {"AAAA", "xn--bcher-kva.example.com.", "2001:db8::1", 300, std::nullopt},
      {"NS", "sub.example.com.", "ns.elsewhere.test.", 300, std::nullopt},
  };
  ASSERT_EQ(parsed->records.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    const auto& r = parsed->records[i];
    EXPECT_EQ(r.type, want[i].type) << i;
    EXPECT_EQ(r.name, want[i].name) << i;
    EXPECT_EQ(r.value, want[i].value) << i;
    EXPECT_EQ(r.ttl, want[i].ttl) << i;
    EXPECT_EQ(r.priority, want[i].priority) << i;
  }
  ASSERT_EQ(parsed->skipped.size(), 2u);
  EXPECT_NE(parsed->skipped[0].why.find("SOA"), std::string::npos);
  EXPECT_EQ(parsed->skipped[0].line, 4u);  // the SOA's last line
  EXPECT_NE(parsed->skipped[1].why.find("apex NS"), std::string::npos);
  EXPECT_EQ(parsed->skipped[1].line, 5u);
}

// Found by fuzz_zone_import: an apex NS written in another case was imported
// as a record instead of being skipped (names compare case-insensitively, RFC 4343).
TEST(ZoneImport, TheApexIsTheApexInAnyCase) {
  const struct {
    const char* owner;
    bool skipped;
  } cases[] = {{"example.com.", true}, {"EXAMPLE.COM.", true},
               {"Example.Com.", true}, {"@", true},
               {"sub", false},         {"SUB.example.com.", false}};
  for (const auto& c : cases) {
    auto parsed =
        parseZoneFile(std::string(c.owner) + " 300 IN NS ns.elsewhere.test.\n", "example.com");
    ASSERT_TRUE(parsed) << c.owner << ": " << parsed.error().detail;
    EXPECT_EQ(parsed->skipped.size(), c.skipped ? 1u : 0u) << c.owner;
    EXPECT_EQ(parsed->records.size(), c.skipped ? 0u : 1u) << c.owner;
  }
}

TEST(ZoneImport, BadFilesAreRefusedNamingTheLine) {
  struct Case {
    const char* what;
    std::string text;
    std::string detailStart;
  };
  const std::vector<Case> cases = {
      {"$INCLUDE", "www IN A 192.0.2.1\n$INCLUDE /etc/passwd\n", "line 2: $INCLUDE is refused"},
      {"unknown type",
       "www IN A 192.0.2.1\nloc IN LOC 52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m\n",
       "line 2: record type LOC is not offered"},
      {"bad data", "www IN A 192.0.2.1\nwww IN A 300.1.1.1\n", "line 2: "},
      {"class CH", "www CH TXT \"x\"\n", "line 1: "},
  };
  for (const auto& c : cases) {
    auto parsed = parseZoneFile(c.text, "example.com");
    ASSERT_FALSE(parsed) << c.what;
    EXPECT_EQ(parsed.error().kind, ErrorKind::kValidation) << c.what;
    EXPECT_EQ(parsed.error().field, "body") << c.what;
    EXPECT_EQ(parsed.error().detail.substr(0, c.detailStart.size()), c.detailStart)
        << c.what << ": " << parsed.error().detail;
  }
}

dns::Record stored(std::string uuid, dns::RecordType type, std::string name, std::string value,
                   uint32_t ttl = 300) {
  dns::Record r;
  r.uuid = std::move(uuid);
  r.data.type = type;
  r.data.name = std::move(name);
  r.data.value = std::move(value);
  r.data.ttl = ttl;
  return r;
}

TEST(ZoneImport, MergeAndReplacePlans) {
  auto parsed = parseZoneFile(
      "www 300 IN A 192.0.2.1\nnew 300 IN A 192.0.2.3\nttl 600 IN A 192.0.2.4\n"
      "www 300 IN A 192.0.2.1\n",
      "example.com");
  ASSERT_TRUE(parsed);
  const std::vector<dns::Record> current = {
      stored("u1", dns::RecordType::kA, "www", "192.0.2.1"),
      stored("u2", dns::RecordType::kA, "ttl", "192.0.2.4", 300),
      stored("u3", dns::RecordType::kTxt, "old", "bye"),
  };
  auto zone = dns::DnsName::parseZoneDomain("example.com");
  auto merge = planImport(*parsed, current, *zone, ImportMode::kMerge);
  ASSERT_TRUE(merge);
  EXPECT_EQ(merge->added, 1u);
  EXPECT_EQ(merge->changed, 1u);
  EXPECT_EQ(merge->removed, 0u);
  EXPECT_EQ(merge->unchanged, 1u);  // the duplicate line counts once
  ASSERT_EQ(merge->items.size(), 3u);
  EXPECT_EQ(merge->items[1].action, ChangeItem::Action::kDelete);  // a new TTL: delete + create
  EXPECT_EQ(merge->items[1].uuid, "u2");
  EXPECT_EQ(merge->items[2].action, ChangeItem::Action::kCreate);
  auto replace = planImport(*parsed, current, *zone, ImportMode::kReplace);
  ASSERT_TRUE(replace);
  EXPECT_EQ(replace->removed, 1u);
  ASSERT_EQ(replace->items.size(), 4u);
  EXPECT_EQ(replace->items[3].action, ChangeItem::Action::kDelete);
  EXPECT_EQ(replace->items[3].uuid, "u3");

  auto bad = parseZoneFile("www 30 IN A 192.0.2.9\n", "example.com");  // ttl under 60
  ASSERT_TRUE(bad) << bad.error().detail;
  auto refused = planImport(*bad, current, *zone, ImportMode::kMerge);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().detail.substr(0, 7), "line 1:") << refused.error().detail;
  EXPECT_FALSE(parseImportMode("upsert"));
}

}  // namespace
}  // namespace zp::dns
