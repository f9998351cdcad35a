// The store's history queries (zoneChanges, zoneAt) and their zone_events index.

#include <gtest/gtest.h>
#include <lmdb.h>

#include <string>
#include <vector>

#include "tests/store/store_fixture.h"

namespace zp::store::testing {
namespace {

using schema::ErrorKind;
using schema::RecordType;

QueryFill changes(std::string zoneUuid, uint32_t offset, uint32_t limit) {
  return [=](schema::Query::Builder q) {
    auto g = q.getBody().initZoneChanges();
    g.setZoneUuid(zoneUuid);
    g.setOffset(offset);
    g.setLimit(limit);
  };
}
QueryFill zoneAt(std::string zoneUuid, uint64_t serial) {
  return [=](schema::Query::Builder q) {
    auto g = q.getBody().initZoneAt();
    g.setZoneUuid(zoneUuid);
    g.setSerial(serial);
  };
}
std::vector<uint64_t> seqsOf(const Msg& m) {
  std::vector<uint64_t> out;
  for (auto e : m.reply().getBody().getEvents().getItems()) out.push_back(e.getSeq());
  return out;
}
// name=value pairs of a zone reply, in reply order.
std::vector<std::string> recordsOf(const Msg& m) {
  std::vector<std::string> out;
  for (auto r : m.reply().getBody().getZone().getRecords()) {
    out.push_back(std::string(r.getName().cStr()) + "=" + r.getValue().cStr());
  }
  return out;
}

class HistoryTest : public StoreTest {
 protected:
  // seq 1 zone a, 2 token, 3 www, 4 zone b, 5 mail, 6 update www, 7 delete mail, 8 b's record
  void SetUp() override {
    a_ = zone("alice", "a.test");
    ASSERT_TRUE(apply("admin-cli", createToken("alice", {"dns:*"}, bytes(hashOf(1))))
                    .reply()
                    .getBody()
                    .isTokenCreated());
    www_ = record("alice", a_, RecordType::A, "www", "192.0.2.1");
    b_ = zone("alice", "b.test");
    mail_ = record("alice", a_, RecordType::A, "mail", "192.0.2.2");
    ASSERT_TRUE(apply("alice", updateRecord(www_, RecordType::A, "www", "192.0.2.9"))
                    .reply()
                    .getBody()
                    .isRecord());
    ASSERT_FALSE(errorOf(apply("alice", deleteRecord(mail_))));
    record("alice", b_, RecordType::A, "x", "192.0.2.3");
    ASSERT_EQ(store().lastSeq(), 8u);
  }
  std::string a_, b_, www_, mail_;
};

TEST_F(HistoryTest, ZoneChangesNewestFirstPagedWithTotal) {
  struct Case {
    uint32_t offset, limit;
    std::vector<uint64_t> seqs;
  };
  for (const Case& c : std::vector<Case>{
           {0, 0, {7, 6, 5, 3, 1}},  // default limit
           {0, 2, {7, 6}},
           {2, 2, {5, 3}},
           {4, 10, {1}},
           {5, 10, {}},
           {99, 1, {}},
       }) {
    Msg m = query("alice", changes(a_, c.offset, c.limit));
    ASSERT_TRUE(m.reply().getBody().isEvents()) << c.offset;
    EXPECT_EQ(seqsOf(m), c.seqs) << c.offset << "/" << c.limit;
    EXPECT_EQ(m.reply().getBody().getEvents().getTotal(), 5u);
    EXPECT_EQ(m.reply().getBody().getEvents().getLastSeq(), 8u);
  }
  Msg m = query("alice", changes(b_, 0, 0));
  EXPECT_EQ(seqsOf(m), (std::vector<uint64_t>{8, 4}));
  // The events carry before/after and the actor.
  Msg top = query("alice", changes(a_, 1, 1));
  auto e = top.reply().getBody().getEvents().getItems()[0];
  ASSERT_TRUE(e.getChange().isRecordUpdated());
  EXPECT_STREQ(e.getChange().getRecordUpdated().getBefore().getValue().cStr(), "192.0.2.1");
  EXPECT_STREQ(e.getChange().getRecordUpdated().getAfter().getValue().cStr(), "192.0.2.9");
  EXPECT_STREQ(e.getActor().getUserId().cStr(), "alice");
  EXPECT_STREQ(e.getActor().getTokenId().cStr(), "tok_test");
}

TEST_F(HistoryTest, OtherUsersAndUnknownZonesAreNotFound) {
  for (const auto& [user, uuid] : std::vector<std::pair<std::string, std::string>>{
           {"bob", a_}, {"alice", "no-such-zone"}, {"alice", ""}, {"", a_}}) {
    EXPECT_EQ(errorOf(query(user, changes(uuid, 0, 10))), ErrorKind::NOT_FOUND) << user << uuid;
    EXPECT_EQ(errorOf(query(user, zoneAt(uuid, 1))), ErrorKind::NOT_FOUND) << user << uuid;
  }
}

TEST_F(HistoryTest, ZoneAtRebuildsEachVersion) {
  struct Case {
    uint64_t serial;
    std::vector<std::string> records;
  };
  for (const Case& c : std::vector<Case>{
           {1, {}},
           {3, {"www=192.0.2.1"}},
           {5, {"mail=192.0.2.2", "www=192.0.2.1"}},
           {6, {"mail=192.0.2.2", "www=192.0.2.9"}},
           {7, {"www=192.0.2.9"}},
       }) {
    Msg m = query("alice", zoneAt(a_, c.serial));
    ASSERT_TRUE(m.reply().getBody().isZone()) << c.serial;
    EXPECT_EQ(recordsOf(m), c.records) << c.serial;
    auto z = m.reply().getBody().getZone().getZone();
    EXPECT_EQ(z.getSerial(), c.serial);
    EXPECT_EQ(z.getRecordCount(), c.records.size());
    EXPECT_STREQ(z.getDomain().cStr(), "a.test");
  }
  // The latest version equals the live zone.
  Msg live = query("alice", [&](schema::Query::Builder q) { q.getBody().setGetZone(a_); });
  Msg at = query("alice", zoneAt(a_, 7));
  EXPECT_EQ(capnp::canonicalize(live.reply().getBody().getZone().getZone()).asBytes(),
            capnp::canonicalize(at.reply().getBody().getZone().getZone()).asBytes());
  // Serials that are not versions of this zone.
  for (uint64_t bad : {0ull, 2ull, 4ull, 8ull, 9ull, ~0ull}) {
    EXPECT_EQ(errorOf(query("alice", zoneAt(a_, bad))), ErrorKind::NOT_FOUND) << bad;
  }
}

TEST_F(HistoryTest, DeletedZoneTakesItsHistoryAlong) {
  ASSERT_FALSE(errorOf(apply("alice", deleteZone(b_))));
  EXPECT_EQ(errorOf(query("alice", changes(b_, 0, 10))), ErrorKind::NOT_FOUND);
  // A new zone with the same domain starts a fresh history.
  const std::string again = zone("alice", "b.test");
  EXPECT_EQ(seqsOf(query("alice", changes(again, 0, 10))), (std::vector<uint64_t>{10}));
  // The log itself keeps everything.
  Msg log = query("", [](schema::Query::Builder q) { q.getBody().initLogSince().setAfter(0); });
  EXPECT_EQ(log.reply().getBody().getEvents().getItems().size(), 10u);
}

TEST_F(HistoryTest, IndexIsRebuiltForAStoreWrittenWithoutIt) {
  ASSERT_FALSE(errorOf(apply("alice", deleteZone(b_))));
  store_.reset();
  {  // drop the index as if an older store had written this directory
    MDB_env* env = nullptr;
    ASSERT_EQ(mdb_env_create(&env), 0);
    mdb_env_set_maxdbs(env, 24);
    mdb_env_set_mapsize(env, size_t{64} << 20);
    ASSERT_EQ(mdb_env_open(env, options().dir.c_str(), 0, 0600), 0);
    MDB_txn* txn = nullptr;
    ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
    MDB_dbi dbi = 0;
    ASSERT_EQ(mdb_dbi_open(txn, "zone_events", 0, &dbi), 0);
    ASSERT_EQ(mdb_drop(txn, dbi, 1), 0);
    ASSERT_EQ(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
  }
  reopen();
  EXPECT_EQ(seqsOf(query("alice", changes(a_, 0, 0))), (std::vector<uint64_t>{7, 6, 5, 3, 1}));
  EXPECT_EQ(errorOf(query("alice", changes(b_, 0, 10))), ErrorKind::NOT_FOUND);
  EXPECT_TRUE(query("alice", zoneAt(a_, 5)).reply().getBody().isZone());
}

}  // namespace
}  // namespace zp::store::testing
