// The record list filters and the zone lookup by name (issue 11, items 2 and
// 3) over real HTTP: each filter alone and combined, on both lists, good and
// bad side by side; ?contains= finds the longest zone of the user.

#include "tests/e2e/api_helpers.h"

namespace zp::e2e::api {
namespace {

class ApiFiltersTest : public ApiTest {
 protected:
  // The `name value` pairs of a record list answer, sorted.
  std::set<std::string> listed(const std::string& path, const std::string& token = "") {
    auto r = call("GET", path, "", token.empty() ? admin() : token);
    EXPECT_EQ(r.status, 200) << path << " " << r.body;
    std::set<std::string> out;
    if (r.status != 200) return out;
    auto d = parseJson(r);
    for (const auto& rec : d.GetArray()) out.insert(str(rec, "name") + " " + str(rec, "value"));
    EXPECT_EQ(r.header("x-total-count"), std::to_string(out.size())) << path;
    return out;
  }
};

TEST_F(ApiFiltersTest, RecordFiltersAloneAndCombinedOnBothLists) {
  const std::string user = uniqueName("filters");
  const std::string token = tokenFor(user, "dns:*");
  const std::string domain = uniqueName("f") + ".test";
  const std::string other = uniqueName("g") + ".test";
  const std::string zone = createZone(domain, token);
  const std::string zone2 = createZone(other, token);
  ASSERT_FALSE(zone.empty());
  ASSERT_FALSE(zone2.empty());
  for (const auto& [z, type, name, value] :
       std::vector<std::tuple<std::string, std::string, std::string, std::string>>{
           {zone, "TXT", "_acme-challenge", "token-1"},
           {zone, "TXT", "_acme-challenge", "token-2"},
           {zone, "TXT", "@", "v=spf1 -all"},
           {zone, "TXT", "dkim._domainkey", "v=DKIM1; p=abc"},
           {zone, "A", "www", "192.0.2.1"},
           {zone2, "TXT", "_acme-challenge", "token-1"},
       }) {
    createRecord(z, recordJson(type, name, value), token);
  }
  const std::string inZone = kZones + zone + "/records/";
  using Set = std::set<std::string>;
  // The issue's script: zone + type + name must leave SPF and DKIM alone.
  EXPECT_EQ(listed(kRecords + "?zone=" + zone + "&record_type=TXT&name=_acme-challenge", token),
            (Set{"_acme-challenge token-1", "_acme-challenge token-2"}));
  EXPECT_EQ(listed(inZone + "?record_type=TXT&name=_acme-challenge", token),
            (Set{"_acme-challenge token-1", "_acme-challenge token-2"}));
  // name as FQDN, with a trailing dot, the apex by @ and by domain.
  EXPECT_EQ(listed(inZone + "?name=_acme-challenge." + domain + "&value=token-2", token),
            (Set{"_acme-challenge token-2"}));
  EXPECT_EQ(listed(kRecords + "?name=_acme-challenge." + domain + ".", token),
            (Set{"_acme-challenge token-1", "_acme-challenge token-2"}));
  EXPECT_EQ(listed(inZone + "?name=%40&record_type=TXT", token), (Set{"@ v=spf1 -all"}));
  EXPECT_EQ(listed(inZone + "?name=" + domain + "&record_type=TXT", token), (Set{"@ v=spf1 -all"}));
  // Across zones: the relative name matches in both, the FQDN in one.
  auto both = call("GET", kRecords + "?name=_acme-challenge&value=token-1", "", token);
  EXPECT_EQ(both.header("x-total-count"), "2") << both.body;
  EXPECT_EQ(parseJson(both).Size(), 2u) << both.body;
  auto one = call("GET", kRecords + "?name=_acme-challenge." + other + "&value=token-1", "", token);
  EXPECT_EQ(one.header("x-total-count"), "1") << one.body;
  EXPECT_EQ(listed(inZone + "?name_contains=ACME", token),
            (Set{"_acme-challenge token-1", "_acme-challenge token-2"}));
  EXPECT_EQ(listed(inZone + "?name_startswith=dkim", token),
            (Set{"dkim._domainkey v=DKIM1; p=abc"}));
  EXPECT_EQ(listed(inZone + "?name_startswith=_domainkey", token), Set{});
  EXPECT_EQ(listed(inZone + "?value=192.0.2.1", token), (Set{"www 192.0.2.1"}));
  EXPECT_EQ(listed(inZone + "?value=192.0.2.9", token), Set{});
  // Another user's token sees none of it.
  EXPECT_EQ(listed(kRecords + "?name=_acme-challenge", admin()).count("_acme-challenge token-1"),
            0u);
  // Paged filtered lists link to their next page with the filters.
  auto paged = call("GET", inZone + "?name_contains=acme&page_size=1", "", token);
  EXPECT_EQ(paged.header("x-total-count"), "2");
  EXPECT_NE(paged.header("link").find("name_contains=acme"), std::string::npos)
      << paged.header("link");

  // Bad filters: 400 naming the parameter, never a wider list.
  const std::pair<std::string, std::string> bad[] = {
      {inZone + "?name=", "name"},
      {inZone + "?value=", "value"},
      {inZone + "?name_contains=", "name_contains"},
      {inZone + "?name_startswith=", "name_startswith"},
      {inZone + "?zone=" + zone, "zone"},  // the zone is in the path
      {inZone + "?type=TXT", "type"},
      {kRecords + "?record_type=TXTX", "record_type"},
      {kRecords + "?names=www", "names"},
  };
  for (const auto& [path, field] : bad) {
    auto r = call("GET", path, "", token);
    const ApiError e = apiError(r);
    EXPECT_EQ(e.status, 400) << path << " " << r.body;
    EXPECT_EQ(e.field, field) << path << " " << r.body;
  }
}

TEST_F(ApiFiltersTest, ContainsFindsTheLongestZoneTheUserOwns) {
  const std::string token = tokenFor(uniqueName("owner"), "dns:*");
  const std::string parent = uniqueName("p") + ".test";
  const std::string child = "sub." + parent;
  const std::string parentUuid = createZone(parent, token);
  const std::string childUuid = createZone(child, token);
  ASSERT_FALSE(parentUuid.empty());
  ASSERT_FALSE(childUuid.empty());
  auto holder = [&](const std::string& name, const std::string& t) {
    auto r = call("GET", kZones + "?contains=" + name, "", t);
    EXPECT_EQ(r.status, 200) << name << " " << r.body;
    if (r.status != 200) return std::string("<error>");
    auto d = parseJson(r);
    EXPECT_EQ(r.header("x-total-count"), std::to_string(d.Size())) << name;
    return d.Size() == 0 ? std::string() : str(d[0], "uuid");
  };
  EXPECT_EQ(holder("_acme-challenge.www.sub." + parent, token), childUuid);
  EXPECT_EQ(holder("_acme-challenge.www.sub." + parent + ".", token), childUuid);
  EXPECT_EQ(holder("SUB." + parent, token), childUuid);
  EXPECT_EQ(holder("www." + parent, token), parentUuid);
  EXPECT_EQ(holder(parent, token), parentUuid);
  EXPECT_EQ(holder("_acme-challenge." + parent, token), parentUuid);
  EXPECT_EQ(holder("elsewhere.test", token), "");
  EXPECT_EQ(holder("www." + parent, admin()), "");  // not the admin's zone
  for (const std::string bad : {"", ".", "a..b", ".lead"}) {
    auto r = call("GET", kZones + "?contains=" + bad, "", token);
    EXPECT_EQ(apiError(r).field, "contains") << bad << " " << r.body;
  }
  auto both = call("GET", kZones + "?contains=www." + parent + "&domain=" + parent, "", token);
  EXPECT_EQ(apiError(both).field, "contains") << both.body;
}

}  // namespace
}  // namespace zp::e2e::api
