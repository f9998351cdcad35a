// The replay benchmark's workload: the log it makes has exactly the promised
// shape, exports to a file that `zonepipe replay`'s code rebuilds into an
// equal store, and bad options or a used store are refused as values.

#include <capnp/serialize.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "bench/replay/workload.h"
#include "pipelines/replay/log_file.h"
#include "pipelines/replay/replay.h"
#include "tests/store/store_fixture.h"

namespace zp::bench {
namespace {

using store::Store;
using store::StoreOptions;
using store::testing::TempDir;

StoreOptions storeOptions(const std::string& dir) {
  StoreOptions o;
  o.dir = dir;
  o.mapSize = size_t{256} << 20;
  o.zonesPerUser = 100000;
  o.recordsPerZone = 100000;
  uint64_t ticks = 0;
  o.clock = [ticks]() mutable { return int64_t{1700000000} + static_cast<int64_t>(ticks++ / 10); };
  return o;
}

// Every event of a store's log, as flat arrays.
std::vector<replay::EventWords> wholeLog(const Store& s) {
  InProcessLogSource source(s, 97);
  std::vector<replay::EventWords> out;
  EXPECT_TRUE(source.open().ok());
  while (true) {
    auto page = source.nextPage();
    EXPECT_TRUE(page.ok());
    if (!page || page->empty()) break;
    for (auto& w : page.value()) out.push_back(std::move(w));
  }
  return out;
}

TEST(Workload, MakesExactlyTheLogAskedForAndItReplaysIntoAnEqualStore) {
  struct Case {
    const char* name;
    WorkloadOptions options;
  };
  const Case cases[] = {
      {"more zones than a batch", {600, 20, 3, 7}},
      {"batch larger than the zones", {1000, 9, 2, 50}},
      {"only tokens and zones", {12, 10, 2, 4}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    TempDir dir;
    Store source(storeOptions(dir.path() + "/gen"));
    auto stats = generateWorkload(source, c.options);
    ASSERT_TRUE(stats.ok()) << stats.error().detail;
    EXPECT_EQ(source.lastSeq(), c.options.events);
    EXPECT_EQ(stats->events, c.options.events);
    EXPECT_EQ(stats->tokens, c.options.users);
    EXPECT_EQ(stats->zones, c.options.zones);
    EXPECT_EQ(stats->tokens + stats->zones + stats->recordsCreated + stats->recordsUpdated +
                  stats->recordsDeleted,
              stats->events);
    EXPECT_EQ(stats->recordsCreated - stats->recordsDeleted, stats->liveRecords);
    if (c.options.events > 100) {
      EXPECT_GT(stats->recordsUpdated, 0u);
      EXPECT_GT(stats->recordsDeleted, 0u);
    }

    // The first events are the tokens, then the zones.
    const auto log = wholeLog(source);
    ASSERT_EQ(log.size(), c.options.events);
    for (size_t i = 0; i < log.size(); ++i) {
      capnp::FlatArrayMessageReader r(log[i].asPtr());
      auto e = r.getRoot<schema::Event>();
      ASSERT_EQ(e.getSeq(), i + 1);
      if (i < c.options.users) {
        EXPECT_TRUE(e.getChange().isTokenCreated()) << i;
      } else if (i < c.options.users + c.options.zones) {
        EXPECT_TRUE(e.getChange().isZoneCreated()) << i;
      }
    }

    // Export like `zonepipe log export`, rebuild like `zonepipe replay`.
    const std::string file = dir.path() + "/log.capnp";
    InProcessLogSource exporter(source, 50);
    auto written = replay::writeLogFile(exporter, file);
    ASSERT_TRUE(written.ok()) << written.error().detail;
    EXPECT_EQ(written->count, c.options.events);

    Store rebuilt(storeOptions(dir.path() + "/rebuilt"));
    replay::FileLogSource reader(file);
    auto result = replay::rebuildStore(reader, rebuilt);
    ASSERT_TRUE(result.ok()) << result.error().detail;
    EXPECT_EQ(result->range.count, c.options.events);
    EXPECT_EQ(result->domains.size(), c.options.zones);
    const auto again = wholeLog(rebuilt);
    ASSERT_EQ(again.size(), log.size());
    for (size_t i = 0; i < log.size(); ++i) {
      ASSERT_EQ(again[i].asBytes(), log[i].asBytes()) << "event " << i + 1;
    }

    dns::ZoneFileSettings settings;
    settings.nameservers = {"ns1.zonepipe.test", "ns2.zonepipe.test"};
    settings.soaRname = "hostmaster.zonepipe.test";
    auto rendered = replay::renderZones(rebuilt, result->domains, settings, dir.path() + "/zones");
    ASSERT_TRUE(rendered.ok()) << rendered.error().detail;
    EXPECT_EQ(*rendered, c.options.zones);
  }
}

TEST(Workload, IsDeterministic) {
  TempDir dir;
  Store a(storeOptions(dir.path() + "/a"));
  Store b(storeOptions(dir.path() + "/b"));
  const WorkloadOptions o{300, 10, 2, 6};
  ASSERT_TRUE(generateWorkload(a, o).ok());
  ASSERT_TRUE(generateWorkload(b, o).ok());
  const auto la = wholeLog(a), lb = wholeLog(b);
  ASSERT_EQ(la.size(), lb.size());
  // Uuids are random; the shape (change kinds and record values) is not.
  for (size_t i = 0; i < la.size(); ++i) {
    capnp::FlatArrayMessageReader ra(la[i].asPtr()), rb(lb[i].asPtr());
    auto ea = ra.getRoot<schema::Event>().getChange(), eb = rb.getRoot<schema::Event>().getChange();
    ASSERT_EQ(ea.which(), eb.which()) << i;
    if (ea.isRecordCreated()) {
      EXPECT_EQ(ea.getRecordCreated().getValue(), eb.getRecordCreated().getValue()) << i;
      EXPECT_EQ(ea.getRecordCreated().getName(), eb.getRecordCreated().getName()) << i;
    }
  }
}

TEST(Workload, RefusesBadOptionsAndAUsedStore) {
  struct Case {
    const char* name;
    WorkloadOptions options;
    bool usedStore;
    const char* detailPart;
  };
  const Case cases[] = {
      {"no users", {100, 10, 0, 5}, false, "at least 1"},
      {"no zones", {100, 0, 2, 5}, false, "at least 1"},
      {"no batch", {100, 10, 2, 0}, false, "at least 1"},
      {"fewer events than tokens and zones", {11, 10, 2, 5}, false, "at least one event"},
      {"a store that already has a log", {100, 10, 2, 5}, true, "not empty"},
      {"good options", {100, 10, 2, 5}, false, nullptr},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    TempDir dir;
    Store s(storeOptions(dir.path() + "/s"));
    if (c.usedStore) {
      ASSERT_TRUE(generateWorkload(s, WorkloadOptions{20, 3, 1, 4}).ok());
    }
    auto stats = generateWorkload(s, c.options);
    if (c.detailPart == nullptr) {
      ASSERT_TRUE(stats.ok()) << stats.error().detail;
      EXPECT_EQ(s.lastSeq(), c.options.events);
    } else {
      ASSERT_FALSE(stats.ok());
      EXPECT_NE(stats.error().detail.find(c.detailPart), std::string::npos) << stats.error().detail;
    }
  }
}

}  // namespace
}  // namespace zp::bench
