// Quotas (API.md: configurable, 10,000 records per zone and 1,000 zones per
// user by default) over real HTTP: the store is restarted with small quotas.

#include <fstream>

#include "tests/e2e/api_helpers.h"

namespace zp::e2e::api {
namespace {

class ApiQuotaTest : public ApiTest {
 protected:
  // Appends small quotas to the stack's config file and restarts the store
  // (the process that enforces them); waits until reads work again.
  void lowerQuotas(int zonesPerUser, int recordsPerZone) {
    {
      std::ofstream conf(stack().configPath(), std::ios::app);
      conf << "quota.zones_per_user = " << zonesPerUser << "\n"
           << "quota.records_per_zone = " << recordsPerZone << "\n";
      ASSERT_TRUE(conf.flush());
    }
    ASSERT_EQ(stack().stop("store"), 0);
    stack().start("store");
    HttpResponse r;
    ASSERT_TRUE(Stack::waitFor(
        [&] {
          r = call("GET", kZones, "", admin());
          return r.status == 200;
        },
        milliseconds(20000)))
        << r.status << " " << r.body;
  }
};

TEST_F(ApiQuotaTest, ZonesPerUserAndRecordsPerZoneAreEnforced) {
  lowerQuotas(3, 4);
  const std::string token = tokenFor(uniqueName("quota"), "dns:*");
  std::vector<std::string> zones, domains;
  for (int i = 0; i < 3; ++i) {
    domains.push_back(uniqueName("q") + ".test");
    zones.push_back(createZone(domains.back(), token));
    ASSERT_FALSE(zones.back().empty());
  }
  auto fourth = call("POST", kZones, R"({"domain": ")" + uniqueName("q") + R"(.test"})", token);
  EXPECT_EQ(fourth.status, 400) << fourth.body;
  EXPECT_EQ(apiError(fourth).errorCode, "validation_error") << fourth.body;
  // Another user has a quota of their own.
  const std::string other = tokenFor(uniqueName("quota-other"), "dns:*");
  EXPECT_FALSE(createZone(uniqueName("q") + ".test", other).empty());

  std::vector<std::string> records;
  for (int i = 0; i < 4; ++i) {
    records.push_back(
        createRecord(zones[0], recordJson("A", "h" + std::to_string(i), "192.0.2.1"), token));
  }
  auto fifth = postRecord(zones[0], recordJson("A", "h4", "192.0.2.1"), token);
  EXPECT_EQ(fifth.status, 400) << fifth.body;
  EXPECT_EQ(apiError(fifth).errorCode, "validation_error") << fifth.body;
  // The quota is per zone, and freeing room makes room.
  EXPECT_FALSE(createRecord(zones[1], recordJson("A", "h4", "192.0.2.1"), token).empty());
  EXPECT_EQ(call("DELETE", kRecords + records[0] + "/", "", token).status, 204);
  EXPECT_FALSE(createRecord(zones[0], recordJson("A", "h4", "192.0.2.1"), token).empty());
  EXPECT_EQ(call("DELETE", kZones + zones[2] + "/", "", token).status, 204);
  EXPECT_FALSE(createZone(uniqueName("q") + ".test", token).empty());

  auto detail = call("GET", kZones + zones[0] + "/", "", token);
  EXPECT_EQ(num(parseJson(detail), "record_count"), 4) << detail.body;
  Strings last;
  EXPECT_TRUE(servedAs("h4." + domains[0], "A", {"192.0.2.1"}, &last)) << joined(last);
  EXPECT_TRUE(servedAs("h0." + domains[0], "A", {}, &last)) << joined(last);
}

}  // namespace
}  // namespace zp::e2e::api
