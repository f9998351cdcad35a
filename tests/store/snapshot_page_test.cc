// Query.zoneSnapshotPage (issue 8): a zone read in pages of bounded size.

#include <string>
#include <vector>

#include "tests/store/store_fixture.h"

namespace zp::store::testing {
namespace {

class SnapshotPageTest : public StoreTest {
 protected:
  Msg page(const std::string& user, const std::string& domain, const std::string& after,
           uint32_t limit) {
    return query(user, [&](schema::Query::Builder q) {
      auto p = q.getBody().initZoneSnapshotPage();
      p.setDomain(domain);
      p.setAfter(kj::arrayPtr(reinterpret_cast<const kj::byte*>(after.data()), after.size()));
      p.setLimit(limit);
    });
  }
  static std::string nextOf(const Msg& m) {
    auto next = m.reply().getBody().getSnapshotPage().getNext();
    return {reinterpret_cast<const char*>(next.begin()), next.size()};
  }
  // Record uuids of the whole zone in one zoneSnapshot (the reference order).
  std::vector<std::string> whole(const std::string& domain) {
    Msg all = query("", [&](schema::Query::Builder q) { q.getBody().setZoneSnapshot(domain); });
    std::vector<std::string> out;
    for (auto r : all.reply().getBody().getZone().getRecords()) out.emplace_back(r.getUuid());
    return out;
  }
};

TEST_F(SnapshotPageTest, PagesCoverTheZoneInOrderAndTheLastHasNoNext) {
  const std::string z = zone(kAlice, "paged.test");
  for (int i = 0; i < 25; ++i) {
    record(kAlice, z, schema::RecordType::A, "r" + std::to_string(i), "192.0.2.1");
  }
  record(kAlice, zone(kAlice, "other.test"), schema::RecordType::A, "www", "192.0.2.2");
  const std::vector<std::string> want = whole("paged.test");
  ASSERT_EQ(want.size(), 25u);

  struct Case {
    const char* what;
    uint32_t limit;
    size_t pages;
  } cases[] = {{"pages of 10", 10, 3},
               {"pages of 25", 25, 1},
               {"pages of 1", 1, 25},
               {"the store's default", 0, 1},
               {"more than the zone", 100, 1}};
  for (const auto& c : cases) {
    std::vector<std::string> got;
    std::string after;
    size_t pages = 0;
    do {
      Msg m = page("", "paged.test", after, c.limit);
      ASSERT_TRUE(m.reply().getBody().isSnapshotPage()) << c.what;
      auto p = m.reply().getBody().getSnapshotPage();
      EXPECT_EQ(std::string(p.getZone().getDomain().cStr()), "paged.test");
      if (c.limit != 0) {
        EXPECT_LE(p.getRecords().size(), c.limit) << c.what;
      }
      for (auto r : p.getRecords()) got.emplace_back(r.getUuid());
      after = nextOf(m);
      ++pages;
    } while (!after.empty() && pages < 100);
    EXPECT_EQ(pages, c.pages) << c.what;
    EXPECT_EQ(got, want) << c.what;
  }
}

TEST_F(SnapshotPageTest, BadCursorsStartAtTheFirstAndOthersZonesAreNotFound) {
  const std::string z = zone(kAlice, "paged.test");
  for (int i = 0; i < 3; ++i) {
    record(kAlice, z, schema::RecordType::A, "r" + std::to_string(i), "192.0.2.1");
  }
  const std::string o = zone(kAlice, "other.test");
  record(kAlice, o, schema::RecordType::A, "www", "192.0.2.2");
  record(kAlice, o, schema::RecordType::A, "www2", "192.0.2.3");
  Msg other = page("", "other.test", "", 10);
  const std::string otherKey = nextOf(page("", "other.test", "", 1));  // a real key of other.test
  ASSERT_FALSE(otherKey.empty());
  const std::vector<std::string> firstTwo = {whole("paged.test")[0], whole("paged.test")[1]};
  struct Case {
    const char* what;
    std::string after;
  } cases[] = {{"garbage", "\x01garbage"}, {"another zone's key", otherKey}, {"empty", ""}};
  for (const auto& c : cases) {
    Msg m = page("", "paged.test", c.after, 2);
    ASSERT_TRUE(m.reply().getBody().isSnapshotPage()) << c.what;
    std::vector<std::string> got;
    for (auto r : m.reply().getBody().getSnapshotPage().getRecords()) got.emplace_back(r.getUuid());
    EXPECT_EQ(got, firstTwo) << c.what;
    EXPECT_FALSE(nextOf(m).empty()) << c.what;
  }
  EXPECT_EQ(errorOf(page("", "missing.test", "", 10)), schema::ErrorKind::NOT_FOUND);
  EXPECT_EQ(errorOf(page(kBob, "paged.test", "", 10)), schema::ErrorKind::NOT_FOUND);
  EXPECT_EQ(errorOf(page(kAlice, "paged.test", "", 10)), std::nullopt);
  EXPECT_EQ(other.reply().getBody().getSnapshotPage().getRecords().size(), 2u);
}

}  // namespace
}  // namespace zp::store::testing
