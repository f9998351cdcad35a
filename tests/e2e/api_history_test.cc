// Issues 4 and 5 over real HTTP against the real pipeline (primary and
// secondary named): a zone's history at GET .../changes/, its deployed zone
// file at GET .../export (and every earlier version at ?serial=N, rebuilt from
// the log), and the live nameserver status in the zone detail.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/api_helpers.h"

namespace zp::e2e::api {
namespace {

class ApiHistoryTest : public ApiTest {
 protected:
  // The serial in a rendered zone file's SOA line (0 when there is none).
  static uint64_t soaSerialOf(const std::string& zoneFile) {
    std::istringstream in(zoneFile);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == ';') continue;
      std::istringstream fields(line);
      std::string owner, ttl, klass, type, mname, rname;
      uint64_t serial = 0;
      if (fields >> owner >> ttl >> klass >> type >> mname >> rname >> serial && type == "SOA") {
        return serial;
      }
    }
    return 0;
  }

  // Waits until the deployed zone file (GET .../export) carries the zone's
  // current serial and named serves it; returns that file.
  std::string deployedFile(const std::string& zone, const std::string& domain) {
    const uint64_t serial = waitDeployed(zone, domain);
    HttpResponse last;
    const bool ok = Stack::waitFor(
        [&] {
          last = call("GET", kZones + zone + "/export", "", admin());
          return last.status == 200 && soaSerialOf(last.body) == serial;
        },
        kDnsDeadline);
    EXPECT_TRUE(ok) << "export never showed serial " << serial << ": " << last.status << " "
                    << last.body;
    EXPECT_EQ(last.header("content-type"), "text/dns");
    return last.body;
  }
};

TEST_F(ApiHistoryTest, ChangesExportAndNameserverStatusFollowEveryWrite) {
  const std::string domain = uniqueName("history") + ".test";
  const std::string zone = createZone(domain);
  ASSERT_FALSE(zone.empty());

  std::map<uint64_t, std::string> files;  // serial -> the zone file served then
  auto remember = [&] {
    std::string file = deployedFile(zone, domain);
    const uint64_t serial = soaSerialOf(file);
    EXPECT_GT(serial, 0u) << file;
    EXPECT_EQ(serial, servedSerial(domain)) << "dig's SOA serial and the export disagree";
    files[serial] = std::move(file);
    return serial;
  };
  const uint64_t created = remember();

  const std::string www = createRecord(zone, recordJson("A", "www", "192.0.2.1"));
  ASSERT_FALSE(www.empty());
  const uint64_t added = remember();
  auto patched = call("PATCH", kRecords + www + "/", R"({"value": "192.0.2.2"})", admin());
  ASSERT_EQ(patched.status, 200) << patched.body;
  const uint64_t updated = remember();
  auto deleted = call("DELETE", kRecords + www + "/", "", admin());
  ASSERT_EQ(deleted.status, 204) << deleted.body;
  const uint64_t removed = remember();
  EXPECT_LT(created, added);
  EXPECT_LT(added, updated);
  EXPECT_LT(updated, removed);
  EXPECT_NE(files[added].find("192.0.2.1"), std::string::npos) << files[added];
  EXPECT_NE(files[updated].find("192.0.2.2"), std::string::npos) << files[updated];
  EXPECT_EQ(files[removed].find("192.0.2."), std::string::npos) << files[removed];

  // The history, newest first, with the record before and after.
  auto changes = call("GET", kZones + zone + "/changes/", "", admin());
  ASSERT_EQ(changes.status, 200) << changes.body;
  EXPECT_EQ(changes.header("x-total-count"), "4");
  auto list = parseJson(changes);
  ASSERT_TRUE(list.IsArray());
  ASSERT_EQ(list.Size(), 4u) << changes.body;
  const char* actions[] = {"record_deleted", "record_updated", "record_created", "zone_created"};
  const uint64_t seqs[] = {removed, updated, added, created};
  for (unsigned i = 0; i < 4; ++i) {
    const auto& c = list[i];
    EXPECT_EQ(str(c, "action"), actions[i]) << changes.body;
    EXPECT_EQ(num(c, "seq"), static_cast<int64_t>(seqs[i])) << changes.body;
    EXPECT_EQ(str(c, "time").size(), 20u) << str(c, "time");  // 2024-01-02T03:04:05Z
    EXPECT_EQ(str(c, "token_id").rfind("tok_", 0), 0u) << changes.body;
    EXPECT_EQ(changes.body.find("vps_"), std::string::npos) << "no token secret, ever";
  }
  EXPECT_TRUE(list[0]["after"].IsNull());
  EXPECT_EQ(str(list[0]["before"], "value"), "192.0.2.2");
  EXPECT_EQ(str(list[1]["before"], "value"), "192.0.2.1");
  EXPECT_EQ(str(list[1]["after"], "value"), "192.0.2.2");
  EXPECT_EQ(str(list[1]["after"], "uuid"), www);
  EXPECT_TRUE(list[2]["before"].IsNull());
  EXPECT_EQ(str(list[2]["after"], "value"), "192.0.2.1");
  EXPECT_TRUE(list[3]["before"].IsNull() && list[3]["after"].IsNull());

  // Paged like every list.
  auto page = call("GET", kZones + zone + "/changes/?page=2&page_size=1", "", admin());
  ASSERT_EQ(page.status, 200) << page.body;
  auto one = parseJson(page);
  ASSERT_EQ(one.Size(), 1u);
  EXPECT_EQ(num(one[0], "seq"), static_cast<int64_t>(updated));
  EXPECT_NE(page.header("link").find("rel=\"next\""), std::string::npos) << page.header("link");
  EXPECT_NE(page.header("link").find("rel=\"prev\""), std::string::npos) << page.header("link");

  // Every earlier version, rebuilt from the log, equals what was served then.
  for (const auto& [serial, file] : files) {
    auto at = call("GET", kZones + zone + "/export?serial=" + std::to_string(serial), "", admin());
    ASSERT_EQ(at.status, 200) << serial << ": " << at.body;
    EXPECT_EQ(at.header("content-type"), "text/dns");
    EXPECT_EQ(at.body, file) << "serial " << serial;
  }
  auto unknown =
      call("GET", kZones + zone + "/export?serial=" + std::to_string(removed + 1000), "", admin());
  EXPECT_EQ(apiError(unknown).status, 404) << unknown.body;
  EXPECT_EQ(apiError(unknown).errorCode, "not_found");
  for (const char* bad : {"abc", "0", "-3", "1e3"}) {
    auto r = call("GET", kZones + zone + "/export?serial=" + bad, "", admin());
    EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
    EXPECT_EQ(apiError(r).field, "serial") << bad;
  }

  // Both nameservers report the current serial, in sync.
  HttpResponse detail;
  const bool inSync = Stack::waitFor(
      [&] {
        detail = call("GET", kZones + zone + "/", "", admin());
        if (detail.status != 200) return false;
        auto d = parseJson(detail);
        if (!d["nameservers"].IsArray() || d["nameservers"].Size() != 2) return false;
        for (const auto& ns : d["nameservers"].GetArray()) {
          if (!ns["in_sync"].IsBool() || !ns["in_sync"].GetBool()) return false;
        }
        return true;
      },
      kDnsDeadline);
  ASSERT_TRUE(inSync) << detail.body;
  auto d = parseJson(detail);
  EXPECT_EQ(num(d, "serial"), static_cast<int64_t>(removed));
  EXPECT_EQ(num(d, "deployed_serial"), static_cast<int64_t>(removed));
  EXPECT_TRUE(d["last_error"].IsNull()) << detail.body;
  std::vector<std::string> addresses;
  for (const auto& ns : d["nameservers"].GetArray()) {
    EXPECT_EQ(num(ns, "serial"), static_cast<int64_t>(removed)) << detail.body;
    addresses.push_back(str(ns, "address"));
  }
  ASSERT_EQ(addresses.size(), 2u);
  // Each address is one a client can query as written: with its port (not 53 here).
  EXPECT_EQ(addresses[0], stack().primaryServer()) << detail.body;
  EXPECT_EQ(addresses[1], stack().secondaryServer()) << detail.body;
  EXPECT_EQ(stack().digAt(stack().secondaryServer(), domain, "SOA").answers.size(), 1u);
}

TEST_F(ApiHistoryTest, AnotherUsersZoneIs404AndPermissionsApply) {
  const std::string domain = uniqueName("private") + ".test";
  const std::string zone = createZone(domain);
  ASSERT_FALSE(zone.empty());
  const uint64_t serial = waitDeployed(zone, domain);
  const std::string other = tokenFor(uniqueName("mallory"), "dns:list,dns:read");
  const std::string listOnly = tokenFor(uniqueName("lister"), "dns:list");
  const std::vector<std::string> paths = {
      kZones + zone + "/changes/", kZones + zone + "/export",
      kZones + zone + "/export?serial=" + std::to_string(serial)};
  for (const auto& path : paths) {
    auto mine = call("GET", path, "", admin());
    EXPECT_EQ(mine.status, 200) << path << ": " << mine.body;
    auto foreign = call("GET", path, "", other);
    EXPECT_EQ(apiError(foreign).status, 404) << path << ": " << foreign.body;
    EXPECT_EQ(apiError(foreign).errorCode, "not_found") << path;
    EXPECT_EQ(foreign.body.find(domain), std::string::npos) << "nothing of the zone leaks";
    auto denied = call("GET", path, "", listOnly);
    EXPECT_EQ(apiError(denied).status, 403) << path << ": " << denied.body;
    auto anonymous = call("GET", path);
    EXPECT_EQ(apiError(anonymous).status, 401) << path << ": " << anonymous.body;
    auto posted = call("POST", path, "{}", admin());
    EXPECT_EQ(apiError(posted).status, 405) << path << ": " << posted.body;
    EXPECT_EQ(posted.header("allow"), "GET, HEAD") << path;
  }
  auto missing = call("GET", kZones + std::string("99999999-0000-4000-8000-000000000099/changes/"),
                      "", admin());
  EXPECT_EQ(apiError(missing).status, 404) << missing.body;
}

}  // namespace
}  // namespace zp::e2e::api
