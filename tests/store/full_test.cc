// Issue 12, a full disk: the store grows its LMDB map by itself up to
// store.map_size_max; at the ceiling every write of a batch is refused with
// insufficientStorage (the API's 507), reads keep working and nothing
// acknowledged is lost.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/store/store_fixture.h"

namespace zp::store::testing {
namespace {

using schema::ErrorKind;
using schema::RecordType;

class StoreFullTest : public StoreTest {
 protected:
  // Writes batches of TXT records into `zone` until a batch is refused;
  // returns how many records were acknowledged. Every reply of the refused
  // batch must be insufficientStorage.
  size_t fillUntilRefused(const std::string& zone, const std::string& prefix = "r") {
    size_t acknowledged = 0;
    const std::string value(200, 'x');
    for (int round = 0; round < 10000; ++round) {
      std::vector<Cmd> cmds;
      cmds.reserve(50);
      for (int i = 0; i < 50; ++i) {
        cmds.emplace_back(
            kAlice, createRecord(zone, RecordType::TXT,
                                 prefix + std::to_string(round) + "-" + std::to_string(i), value));
      }
      std::vector<const Cmd*> pointers;
      for (const auto& c : cmds) pointers.push_back(&c);
      const std::vector<Msg> replies = batch(pointers);
      size_t refused = 0;
      for (const auto& r : replies) {
        if (errorOf(r) == ErrorKind::INSUFFICIENT_STORAGE) {
          ++refused;
        } else {
          EXPECT_TRUE(r.reply().getBody().isRecord());
          ++acknowledged;
        }
      }
      if (refused > 0) {
        EXPECT_EQ(refused, replies.size()) << "a batch is refused whole";
        return acknowledged;
      }
    }
    ADD_FAILURE() << "the store never filled up";
    return acknowledged;
  }

  uint32_t recordCount(const std::string& zone) {
    Msg detail = query(kAlice, [&](schema::Query::Builder q) { q.getBody().setGetZone(zone); });
    EXPECT_TRUE(detail.reply().getBody().isZone());
    return detail.reply().getBody().getZone().getZone().getRecordCount();
  }
};

TEST_F(StoreFullTest, TheMapGrowsUpToItsCeilingThenWritesAreRefusedAndReadsWork) {
  mapSize_ = size_t{1} << 20;
  mapSizeMax_ = size_t{8} << 20;
  recordsPerZone_ = 1000000;
  const std::string z = zone(kAlice, "full.example");
  ASSERT_FALSE(z.empty());
  EXPECT_EQ(store().mapSize(), size_t{1} << 20);

  const size_t acknowledged = fillUntilRefused(z);
  EXPECT_GT(acknowledged, 1000u) << "the map grew past its first megabyte";
  EXPECT_EQ(store().mapSize(), mapSizeMax_);
  EXPECT_TRUE(store().full());

  // Reads keep working and see every acknowledged record.
  EXPECT_EQ(recordCount(z), acknowledged);
  // Writing on is refused again, whole batches at a time (no crash, no
  // partial write). Pages freed by the aborted batch may take a batch or a
  // few more first.
  const size_t more = fillUntilRefused(z, "again");
  EXPECT_LT(more, 1000u);
  const size_t total = acknowledged + more;
  EXPECT_EQ(recordCount(z), total);

  // Nothing acknowledged is lost across a restart; with a higher ceiling
  // writes work again.
  mapSizeMax_ = size_t{16} << 20;
  reopen();
  EXPECT_EQ(recordCount(z), total);
  EXPECT_FALSE(record(kAlice, z, RecordType::A, "late", "192.0.2.1").empty());
  EXPECT_FALSE(store().full());
}

TEST_F(StoreFullTest, AStoreThatMayNotGrowRefusesAtItsSize) {
  mapSize_ = size_t{1} << 20;
  mapSizeMax_ = size_t{1} << 20;
  recordsPerZone_ = 1000000;
  const std::string z = zone(kAlice, "small.example");
  ASSERT_FALSE(z.empty());
  const size_t acknowledged = fillUntilRefused(z);
  EXPECT_GT(acknowledged, 0u);
  EXPECT_EQ(store().mapSize(), size_t{1} << 20);
  EXPECT_EQ(recordCount(z), acknowledged);
}

}  // namespace
}  // namespace zp::store::testing
