// Concurrent writers against the real pipeline: 50 parallel creates in one
// zone and 50 spread across zones, each thread with its own connection. All
// succeed, record_count agrees, and named serves every record. And zone reads
// answered from the API's cache (pipelines/api/zone_versions.h) always show
// every write acknowledged before them, while other readers hammer the zone.

#include <atomic>
#include <thread>

#include "tests/e2e/api_helpers.h"

namespace zp::e2e::api {
namespace {

class ApiConcurrencyTest : public ApiTest {
 protected:
  struct Outcome {
    int status = 0;
    std::string body;
  };

  // Runs the POSTs at once, one thread (and connection) each, released
  // together. No retries: a 503 under this load is a finding.
  std::vector<Outcome> postAll(const std::vector<std::pair<std::string, std::string>>& requests) {
    std::vector<Outcome> out(requests.size());
    std::atomic<bool> go{false};
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    const uint16_t port = stack().apiPort();
    const std::string token = admin();
    for (size_t i = 0; i < requests.size(); ++i) {
      threads.emplace_back([&, i] {
        ready.fetch_add(1);
        while (!go.load()) std::this_thread::yield();
        const auto& [path, body] = requests[i];
        try {
          auto r = httpTo(port, "POST", path, body, token);
          out[i] = {r.status, r.body};
        } catch (const std::exception& e) {
          out[i] = {-1, e.what()};
        }
      });
    }
    while (ready.load() < static_cast<int>(requests.size())) std::this_thread::yield();
    go.store(true);
    for (auto& t : threads) t.join();
    return out;
  }
};

TEST_F(ApiConcurrencyTest, FiftyParallelCreatesInOneZone) {
  const std::string domain = uniqueName("par") + ".test";
  const std::string zone = createZone(domain);
  ASSERT_FALSE(zone.empty());
  std::vector<std::pair<std::string, std::string>> requests;
  for (int i = 0; i < 50; ++i) {
    requests.emplace_back(kZones + zone + "/records/",
                          recordJson("A", "h" + std::to_string(i), "192.0.2." + std::to_string(i)));
  }
  const auto out = postAll(requests);
  std::set<std::string> uuids;
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].status, 201) << "request " << i << ": " << out[i].body;
    if (out[i].status == 201) uuids.insert(str(parseJson({201, {}, out[i].body}), "uuid"));
  }
  EXPECT_EQ(uuids.size(), 50u) << "50 distinct records";

  auto detail = call("GET", kZones + zone + "/", "", admin());
  ASSERT_EQ(detail.status, 200);
  auto d = parseJson(detail);
  EXPECT_EQ(num(d, "record_count"), 50);
  EXPECT_EQ(d["records"].Size(), 50u);

  waitDeployed(zone, domain);
  for (int i = 0; i < 50; ++i) {
    Strings last;
    EXPECT_TRUE(servedAs("h" + std::to_string(i) + "." + domain, "A",
                         {"192.0.2." + std::to_string(i)}, &last))
        << i << ": " << joined(last);
  }
  // And the primary serves exactly 50 A records.
  auto dump =
      runCommand({"named-checkzone", "-q", "-D", "-o", "-", domain, stack().servedZoneFile(domain)},
                 milliseconds(30000));
  EXPECT_EQ(dump.exitCode, 0) << dump.err;
  size_t as = 0;
  std::istringstream in(dump.out);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string owner, ttl, klass, type;
    fields >> owner >> ttl >> klass >> type;
    as += type == "A" ? 1 : 0;
  }
  EXPECT_EQ(as, 50u) << dump.out;
}

TEST_F(ApiConcurrencyTest, FiftyParallelCreatesAcrossZones) {
  const int kZoneCount = 10;
  std::vector<std::string> domains, zones;
  for (int z = 0; z < kZoneCount; ++z) {
    domains.push_back(uniqueName("across" + std::to_string(z)) + ".test");
    zones.push_back(createZone(domains.back()));
    ASSERT_FALSE(zones.back().empty());
  }
  std::vector<std::pair<std::string, std::string>> requests;
  for (int i = 0; i < 50; ++i) {
    requests.emplace_back(
        kZones + zones[static_cast<size_t>(i % kZoneCount)] + "/records/",
        recordJson("TXT", "n" + std::to_string(i / kZoneCount), "v" + std::to_string(i)));
  }
  const auto out = postAll(requests);
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].status, 201) << "request " << i << ": " << out[i].body;
  }
  // Plus 50 zone creations at once (distinct domains) from as many threads.
  std::vector<std::pair<std::string, std::string>> zoneRequests;
  const std::string prefix = uniqueName("pz");
  for (int i = 0; i < 50; ++i) {
    zoneRequests.emplace_back(kZones,
                              R"({"domain": ")" + prefix + "-" + std::to_string(i) + R"(.test"})");
  }
  const auto zoneOut = postAll(zoneRequests);
  for (size_t i = 0; i < zoneOut.size(); ++i) {
    EXPECT_EQ(zoneOut[i].status, 201) << "zone " << i << ": " << zoneOut[i].body;
  }

  for (int z = 0; z < kZoneCount; ++z) {
    SCOPED_TRACE(domains[static_cast<size_t>(z)]);
    auto detail = call("GET", kZones + zones[static_cast<size_t>(z)] + "/", "", admin());
    ASSERT_EQ(detail.status, 200);
    EXPECT_EQ(num(parseJson(detail), "record_count"), 5);
    waitDeployed(zones[static_cast<size_t>(z)], domains[static_cast<size_t>(z)]);
    for (int k = 0; k < 5; ++k) {
      Strings last;
      EXPECT_TRUE(servedAs("n" + std::to_string(k) + "." + domains[static_cast<size_t>(z)], "TXT",
                           {"\"v" + std::to_string(k * kZoneCount + z) + "\""}, &last))
          << joined(last);
    }
  }
  // The zones list agrees: every new zone is listed once, and named serves each.
  auto list = call("GET", kZones + "?page_size=1000", "", admin());
  ASSERT_EQ(list.status, 200);
  std::set<std::string> listed;
  const auto listDoc = parseJson(list);  // the document must outlive the loop over it
  for (const auto& z : listDoc.GetArray()) {
    if (str(z, "domain").rfind(prefix + "-", 0) == 0) listed.insert(str(z, "domain"));
  }
  EXPECT_EQ(listed.size(), 50u);
  for (const auto& name : listed) {
    EXPECT_TRUE(Stack::waitFor([&] { return servedSerial(name) > 0; }, kDnsDeadline))
        << "named does not serve " << name;
  }
}

// Each acknowledged write is in the very next read of the zone, whether the
// read is served from the API's cache or asks the store, while 4 other
// connections read the same zone as fast as they can (so reads share store
// queries and the cache is hot). Another user's token never sees the zone.
TEST_F(ApiConcurrencyTest, EveryReadShowsEveryWriteAcknowledgedBeforeIt) {
  const std::string domain = uniqueName("ryw") + ".test";
  const std::string zone = createZone(domain);
  ASSERT_FALSE(zone.empty());
  const std::string token = admin();
  const uint16_t port = stack().apiPort();
  std::atomic<bool> stop{false};
  std::atomic<int> readerErrors{0};
  std::vector<std::thread> readers;
  struct JoinAll {  // also when an ASSERT returns early
    std::atomic<bool>& stop;
    std::vector<std::thread>& threads;
    ~JoinAll() {
      stop.store(true);
      for (auto& t : threads) t.join();
    }
  } joinAll{stop, readers};
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        try {
          const int status = httpTo(port, "GET", kZones + zone + "/", "", token).status;
          if (status != 200 && status != 404) ++readerErrors;  // 404: racing the deletion
        } catch (const std::exception&) {
          ++readerErrors;
        }
      }
    });
  }
  std::vector<std::string> uuids;
  for (int i = 0; i < 60; ++i) {
    auto created = call("POST", kZones + zone + "/records/",
                        recordJson("A", "w" + std::to_string(i), "198.51.100.7"), token);
    ASSERT_EQ(created.status, 201) << created.body;
    uuids.push_back(str(parseJson(created), "uuid"));
    auto detail = call("GET", kZones + zone + "/", "", token);
    ASSERT_EQ(detail.status, 200);
    EXPECT_EQ(num(parseJson(detail), "record_count"), i + 1) << "read after write " << i;
    EXPECT_NE(detail.body.find(uuids.back()), std::string::npos) << "write " << i;
  }
  for (int i = 0; i < 10; ++i) {
    auto gone = call("DELETE", kRecords + uuids[i] + "/", "", token);
    ASSERT_EQ(gone.status, 204);
    auto detail = call("GET", kZones + zone + "/", "", token);
    ASSERT_EQ(detail.status, 200);
    EXPECT_EQ(detail.body.find(uuids[i]), std::string::npos) << "deleted record " << i;
  }
  const std::string stranger = tokenFor(uniqueName("stranger"), "dns:*");
  EXPECT_EQ(call("GET", kZones + zone + "/", "", stranger).status, 404);
  ASSERT_EQ(call("DELETE", kZones + zone + "/", "", token).status, 204);
  EXPECT_EQ(call("GET", kZones + zone + "/", "", token).status, 404) << "a deleted zone";
  stop.store(true);
  for (auto& t : readers) t.join();
  readers.clear();
  EXPECT_EQ(readerErrors.load(), 0);
}

}  // namespace
}  // namespace zp::e2e::api
