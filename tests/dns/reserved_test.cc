#include "common/dns/reserved.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace zp::dns {
namespace {

const std::vector<std::string> kNameservers = {"ns1.zonepipe.test", "NS2.zonepipe.test."};

// One row: a zone domain as a client sends it, and whether it is refused.
struct Case {
  std::string domain;
  bool reserved;
  std::string why;  // a word the refusal's detail must contain ("" when accepted)
};

// Issue 8, item 7: zones the nameservers can never serve answered 201 and then
// retried their deploy every 5 s forever.
TEST(ReservedZone, Issue8Item7RefusedBeforeStoredAndNearMissesAccepted) {
  const std::vector<Case> cases = {
      // the service's own catalog zone and its namespace
      {"catalog.zonepipe.invalid", true, "zonepipe"},
      {"CATALOG.zonepipe.invalid.", true, "zonepipe"},
      {"zonepipe.invalid", true, "zonepipe"},
      {"zones.catalog.zonepipe.invalid", true, "zonepipe"},
      {"x.zonepipe.invalid", true, "zonepipe"},
      {"notzonepipe.invalid", false, ""},
      {"zonepipe.invalid.example", false, ""},
      {"catalog.zonepipe.test.example", false, ""},
      // named's built-in CHAOS names and their parents
      {"version.bind", true, ".bind"},
      {"hostname.bind", true, ".bind"},
      {"authors.bind", true, ".bind"},
      {"Version.Bind.", true, ".bind"},
      {"x.version.bind", true, ".bind"},
      {"anything.bind", true, ".bind"},
      {"id.server", true, ".server"},
      {"version.server", true, ".server"},
      {"hostname.server", true, ".server"},
      {"a.b.server", true, ".server"},
      {"bindery.test", false, ""},
      {"bind.test", false, ""},
      {"version.bind.test", false, ""},
      {"version.binder", false, ""},
      {"myserver.test", false, ""},
      {"server.test", false, ""},
      {"id.servers", false, ""},
      {"id.myserver", false, ""},
      // at or above a nameserver: its NS names would be in-zone without addresses
      {"zonepipe.test", true, "ns1.zonepipe.test"},
      {"ZonePipe.Test.", true, "ns1.zonepipe.test"},
      {"ns1.zonepipe.test", true, "ns1.zonepipe.test"},
      {"ns2.zonepipe.test", true, "ns2.zonepipe.test"},
      {"notzonepipe.test", false, ""},
      {"zonepipe.test.example", false, ""},
      {"ns3.zonepipe.test", false, ""},
      {"a.ns1.zonepipe.test", false, ""},  // below a nameserver: NS names stay outside it
      {"ns1.zonepipe.testing", false, ""},
      {"example.com", false, ""},
  };
  for (const Case& c : cases) {
    auto zone = DnsName::parseZoneDomain(c.domain);
    ASSERT_TRUE(zone.ok()) << c.domain << ": " << zone.error().detail;
    const Status got = checkZoneNotReserved(*zone, kNameservers);
    if (!c.reserved) {
      EXPECT_FALSE(got.has_value()) << c.domain << " refused: " << got->detail;
      continue;
    }
    ASSERT_TRUE(got.has_value()) << c.domain << " accepted";
    EXPECT_EQ(got->kind, ErrorKind::kValidation) << c.domain;
    EXPECT_EQ(got->field, "domain") << c.domain;
    EXPECT_NE(got->detail.find(zone->text()), std::string::npos) << got->detail;
    EXPECT_NE(got->detail.find(c.why), std::string::npos) << c.domain << ": " << got->detail;
  }
}

TEST(ReservedZone, NameserverRuleFollowsTheConfiguredNames) {
  auto zone = DnsName::parseZoneDomain("zonepipe.test");
  ASSERT_TRUE(zone.ok());
  // Other nameservers: the service's default names are an ordinary zone.
  const std::vector<std::string> others = {"ns1.example.net", "ns2.example.net"};
  EXPECT_FALSE(checkZoneNotReserved(*zone, others).has_value());
  EXPECT_FALSE(checkZoneNotReserved(*zone, {}).has_value());
  // ...but the zone holding them is not.
  auto holding = DnsName::parseZoneDomain("example.net");
  ASSERT_TRUE(holding.ok());
  auto refused = checkZoneNotReserved(*holding, others);
  ASSERT_TRUE(refused.has_value());
  EXPECT_NE(refused->detail.find("ns1.example.net"), std::string::npos) << refused->detail;
  EXPECT_NE(refused->detail.find("nameserver"), std::string::npos) << refused->detail;
  // A nameserver entry that is not a hostname is skipped, not a crash.
  const std::vector<std::string> broken = {"", "not a name", "ns1.example.net"};
  EXPECT_TRUE(checkZoneNotReserved(*holding, broken).has_value());
  EXPECT_FALSE(checkZoneNotReserved(*zone, broken).has_value());
  // The fixed names stay reserved whatever the nameservers are.
  auto catalog = DnsName::parseZoneDomain(kCatalogZone);
  ASSERT_TRUE(catalog.ok());
  EXPECT_TRUE(checkZoneNotReserved(*catalog, {}).has_value());
}

}  // namespace
}  // namespace zp::dns
