// Atomic change sets (issue 11 item 4) in the store: all or none in one
// transaction, one event per item with consecutive seqs and ONE SOA serial,
// errors naming the item, dry runs that leave no trace, and replay.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/store/store_fixture.h"

namespace zp::store::testing {
namespace {

using schema::ErrorKind;
using schema::RecordType;

// One item of a validated set.
struct Item {
  enum Kind { kCreate, kUpdate, kDelete } kind;
  std::string uuid;  // update, delete
  RecordType type = RecordType::A;
  std::string name;
  std::string value;
  uint32_t ttl;
};

Item create(RecordType type, std::string name, std::string value, uint32_t ttl = 3600) {
  return {Item::kCreate, "", type, std::move(name), std::move(value), ttl};
}
Item update(std::string uuid, RecordType type, std::string name, std::string value,
            uint32_t ttl = 3600) {
  return {Item::kUpdate, std::move(uuid), type, std::move(name), std::move(value), ttl};
}
Item remove(std::string uuid) {
  return {Item::kDelete, std::move(uuid), RecordType::A, "", "", 3600};
}

BodyFill changeSet(std::string zoneUuid, std::vector<Item> items) {
  return [=](schema::Command::Body::Builder b) {
    auto g = b.initChangeSetValid();
    g.setZoneUuid(zoneUuid);
    auto list = g.initItems(static_cast<unsigned>(items.size()));
    for (unsigned i = 0; i < list.size(); ++i) {
      const Item& it = items[i];
      auto fill = [&](schema::ValidRecord::Builder r) {
        r.setType(it.type);
        r.setName(it.name);
        r.setValue(it.value);
        r.setTtl(it.ttl);
      };
      switch (it.kind) {
        case Item::kCreate:
          fill(list[i].initCreate());
          break;
        case Item::kUpdate: {
          auto u = list[i].initUpdate();
          u.setRecordUuid(it.uuid);
          fill(u.initRecord());
          break;
        }
        case Item::kDelete:
          list[i].setDelete(it.uuid);
          break;
      }
    }
  };
}

class ChangeSetTest : public StoreTest {
 protected:
  Msg applySet(const std::string& user, BodyFill fill, bool dryRun = false) {
    capnp::MallocMessageBuilder m;
    auto c = m.initRoot<schema::Command>();
    c.setVersion(schema::PROTOCOL_VERSION);
    c.setRequestId(11);
    c.getActor().setUserId(user);
    c.getActor().setTokenId("tok_test");
    c.setDryRun(dryRun);
    fill(c.getBody());
    std::vector<schema::Command::Reader> readers = {c.asReader()};
    BatchResult r = store().applyBatch(readers);
    for (auto& w : r.events) events_.emplace_back(w.asPtr());
    return Msg(r.replies.front().asPtr());
  }
  uint32_t recordCount(const std::string& zoneUuid) {
    Msg z = query(kAlice, [&](schema::Query::Builder q) { q.getBody().setGetZone(zoneUuid); });
    return z.reply().getBody().getZone().getZone().getRecordCount();
  }
};

TEST_F(ChangeSetTest, AGoodSetIsOneVersionWithOneEventPerChange) {
  const std::string z = zone(kAlice, "example.com");
  const std::string www = record(kAlice, z, RecordType::A, "www", "192.0.2.1");
  const std::string old = record(kAlice, z, RecordType::TXT, "old", "\"bye\"");
  const size_t before = events_.size();
  Msg r =
      applySet(kAlice, changeSet(z, {create(RecordType::A, "new.example.com", "192.0.2.9"),
                                     update(www, RecordType::A, "www", "192.0.2.2"), remove(old)}));
  ASSERT_TRUE(r.reply().getBody().isChangeSet())
      << r.reply().getBody().getError().getDetail().cStr();
  auto set = r.reply().getBody().getChangeSet();
  ASSERT_EQ(events_.size(), before + 3);
  // Deletes, then updates, then creates; consecutive seqs; one serial.
  auto e0 = events_[before].event(), e1 = events_[before + 1].event(),
       e2 = events_[before + 2].event();
  EXPECT_TRUE(e0.getChange().isRecordDeleted());
  EXPECT_TRUE(e1.getChange().isRecordUpdated());
  EXPECT_TRUE(e2.getChange().isRecordCreated());
  EXPECT_EQ(e1.getSeq(), e0.getSeq() + 1);
  EXPECT_EQ(e2.getSeq(), e0.getSeq() + 2);
  EXPECT_EQ(e0.getSetRemaining(), 2u);
  EXPECT_EQ(e1.getSetRemaining(), 1u);
  EXPECT_EQ(e2.getSetRemaining(), 0u);
  EXPECT_EQ(e0.getSoaSerial(), e2.getSoaSerial());
  EXPECT_EQ(e1.getSoaSerial(), e2.getSoaSerial());
  EXPECT_EQ(e2.getSoaSerial(), static_cast<uint32_t>(e2.getSeq()));
  EXPECT_EQ(set.getZone().getSerial(), e2.getSeq());
  EXPECT_EQ(set.getZone().getSoaSerial(), e2.getSoaSerial());
  EXPECT_EQ(set.getZone().getRecordCount(), 2u);
  ASSERT_EQ(set.getChanges().size(), 3u);
  EXPECT_EQ(set.getChanges()[2].getSeq(), e2.getSeq());
  EXPECT_EQ(std::string(set.getChanges()[2].getChange().getRecordCreated().getName()), "new");
  EXPECT_EQ(recordCount(z), 2u);
  // History and replay still work: the set's serial is a version.
  Msg at = query(kAlice, [&](schema::Query::Builder q) {
    auto g = q.getBody().initZoneAt();
    g.setZoneUuid(z);
    g.setSerial(e2.getSoaSerial());
  });
  ASSERT_TRUE(at.reply().getBody().isZone());
  EXPECT_EQ(at.reply().getBody().getZone().getRecords().size(), 2u);
  EXPECT_EQ(replayAll(), std::nullopt);
  EXPECT_EQ(rebuilt().lastSeq(), store().lastSeq());
}

// One bad item, wherever it is, changes nothing and names its index and field.
TEST_F(ChangeSetTest, OneBadItemChangesNothingAndNamesTheItem) {
  const std::string z = zone(kAlice, "example.com");
  const std::string other = zone(kAlice, "example.org");
  const std::string www = record(kAlice, z, RecordType::A, "www", "192.0.2.1");
  const std::string cname = record(kAlice, z, RecordType::CNAME, "alias", "www.example.com");
  const std::string foreign = record(kAlice, other, RecordType::A, "x", "192.0.2.7");
  struct Case {
    const char* what;
    std::vector<Item> items;
    ErrorKind kind;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"duplicate of a stored record",
       {create(RecordType::A, "a", "192.0.2.3"), create(RecordType::A, "www", "192.0.2.1")},
       ErrorKind::RECORD_CONFLICT,
       "changes[1]"},
      {"duplicate inside the set",
       {create(RecordType::A, "b", "192.0.2.3"), create(RecordType::A, "b", "192.0.2.3")},
       ErrorKind::RECORD_CONFLICT,
       "changes[1]"},
      {"data beside a CNAME",
       {create(RecordType::A, "alias", "192.0.2.3")},
       ErrorKind::RECORD_CONFLICT,
       "changes[0]"},
      {"update of an unknown record",
       {update("00000000-0000-4000-8000-000000000000", RecordType::A, "www", "192.0.2.5")},
       ErrorKind::NOT_FOUND,
       "changes[0]"},
      {"delete of another zone's record",
       {remove(www), remove(foreign)},
       ErrorKind::NOT_FOUND,
       "changes[1]"},
  };
  for (const auto& c : cases) {
    const uint64_t seq = store().lastSeq();
    const size_t events = events_.size();
    Msg r = applySet(kAlice, changeSet(z, c.items));
    ASSERT_EQ(errorOf(r), c.kind) << c.what;
    auto error = r.reply().getBody().getError();
    const std::string field = error.getField();
    EXPECT_EQ(field.substr(0, c.field.size()), c.field) << c.what << ": " << field;
    EXPECT_EQ(std::string(error.getDetail()).rfind("change ", 0), 0u) << c.what;
    EXPECT_EQ(store().lastSeq(), seq) << c.what;
    EXPECT_EQ(events_.size(), events) << c.what;
    EXPECT_EQ(recordCount(z), 2u) << c.what;
  }
  // Another user's zone is not found; so is an empty or unknown zone.
  EXPECT_EQ(errorOf(applySet(kBob, changeSet(z, {create(RecordType::A, "d", "192.0.2.3")}))),
            ErrorKind::NOT_FOUND);
  EXPECT_EQ(errorOf(applySet(kAlice, changeSet(z, {}))), ErrorKind::VALIDATION_ERROR);
}

// Deletes go first, so a set may replace a CNAME by other data in any order.
TEST_F(ChangeSetTest, DeletesApplyFirstWhateverTheOrder) {
  const std::string z = zone(kAlice, "example.com");
  const std::string cname = record(kAlice, z, RecordType::CNAME, "alias", "www.example.com");
  Msg r = applySet(kAlice,
                   changeSet(z, {create(RecordType::A, "alias", "192.0.2.3"),
                                 create(RecordType::AAAA, "alias", "2001:db8::1"), remove(cname)}));
  ASSERT_TRUE(r.reply().getBody().isChangeSet())
      << r.reply().getBody().getError().getDetail().cStr();
  EXPECT_EQ(recordCount(z), 2u);
}

TEST_F(ChangeSetTest, DryRunAnswersTheSameAndLeavesNoTrace) {
  const std::string z = zone(kAlice, "example.com");
  const std::string www = record(kAlice, z, RecordType::A, "www", "192.0.2.1");
  const uint64_t seq = store().lastSeq();
  const size_t events = events_.size();
  const std::vector<Item> items = {create(RecordType::A, "new", "192.0.2.9"), remove(www)};
  Msg dry = applySet(kAlice, changeSet(z, items), true);
  ASSERT_TRUE(dry.reply().getBody().isChangeSet());
  EXPECT_EQ(store().lastSeq(), seq);
  EXPECT_EQ(events_.size(), events);
  EXPECT_EQ(recordCount(z), 1u);
  EXPECT_EQ(dry.reply().getBody().getChangeSet().getChanges().size(), 2u);
  EXPECT_EQ(dry.reply().getBody().getChangeSet().getZone().getSerial(), seq + 2);
  // A bad dry run answers the same error as the real one would.
  EXPECT_EQ(
      errorOf(applySet(kAlice, changeSet(z, {create(RecordType::A, "www", "192.0.2.1")}), true)),
      ErrorKind::RECORD_CONFLICT);
  Msg real = applySet(kAlice, changeSet(z, items));
  ASSERT_TRUE(real.reply().getBody().isChangeSet());
  EXPECT_EQ(real.reply().getBody().getChangeSet().getZone().getSerial(), seq + 2);
  EXPECT_EQ(store().lastSeq(), seq + 2);
}

// A set in a batch with lone commands: the lone ones around a failing set
// still commit, with gap-free seqs.
TEST_F(ChangeSetTest, AFailingSetDoesNotDisturbItsBatch) {
  const std::string z = zone(kAlice, "example.com");
  record(kAlice, z, RecordType::A, "www", "192.0.2.1");
  const uint64_t seq = store().lastSeq();
  Cmd a(kAlice, createRecord(z, RecordType::A, "a", "192.0.2.10"));
  Cmd set(kAlice, changeSet(z, {create(RecordType::A, "b", "192.0.2.11"),
                                create(RecordType::A, "www", "192.0.2.1")}));
  Cmd good(kAlice, changeSet(z, {create(RecordType::A, "c", "192.0.2.12"),
                                 create(RecordType::A, "d", "192.0.2.13")}));
  Cmd c(kAlice, createRecord(z, RecordType::A, "e", "192.0.2.14"));
  auto replies = batch({&a, &set, &good, &c});
  ASSERT_EQ(replies.size(), 4u);
  EXPECT_EQ(errorOf(replies[0]), std::nullopt);
  EXPECT_EQ(errorOf(replies[1]), ErrorKind::RECORD_CONFLICT);
  EXPECT_EQ(errorOf(replies[2]), std::nullopt);
  EXPECT_EQ(errorOf(replies[3]), std::nullopt);
  EXPECT_EQ(store().lastSeq(), seq + 4);
  EXPECT_EQ(recordCount(z), 5u);
  EXPECT_EQ(replayAll(), std::nullopt);
}

// One TTL per RRset (RFC 2181 5.2) holds after every change of a set: the
// TTL of an RRset of several records changes by delete + create (deletes go
// first), not by updating them one by one. Import and rollback do so.
TEST_F(ChangeSetTest, AnRRsetChangesItsTtlByDeleteAndCreate) {
  const std::string z = zone(kAlice, "example.com");
  const std::string a = record(kAlice, z, RecordType::A, "www", "192.0.2.1");
  const std::string b = record(kAlice, z, RecordType::A, "www", "192.0.2.2");
  Msg oneByOne =
      applySet(kAlice, changeSet(z, {update(a, RecordType::A, "www", "192.0.2.1", 600),
                                     update(b, RecordType::A, "www", "192.0.2.2", 600)}));
  EXPECT_EQ(errorOf(oneByOne), ErrorKind::RECORD_CONFLICT);
  Msg replaced = applySet(
      kAlice, changeSet(z, {create(RecordType::A, "www", "192.0.2.1", 600),
                            create(RecordType::A, "www", "192.0.2.2", 600), remove(a), remove(b)}));
  ASSERT_TRUE(replaced.reply().getBody().isChangeSet())
      << replaced.reply().getBody().getError().getDetail().cStr();
  EXPECT_EQ(recordCount(z), 2u);
}

// The quota holds inside a set too.
TEST_F(ChangeSetTest, QuotaCountsEveryCreateOfTheSet) {
  recordsPerZone_ = 2;
  const std::string z = zone(kAlice, "example.com");
  Msg r = applySet(kAlice, changeSet(z, {create(RecordType::A, "a", "192.0.2.1"),
                                         create(RecordType::A, "b", "192.0.2.2"),
                                         create(RecordType::A, "c", "192.0.2.3")}));
  EXPECT_EQ(errorOf(r), ErrorKind::VALIDATION_ERROR);
  EXPECT_EQ(std::string(r.reply().getBody().getError().getField()), "changes[2]");
  EXPECT_EQ(recordCount(z), 0u);
}

// A log that stops inside a set is refused by replay at the event that does
// not continue it.
TEST_F(ChangeSetTest, ReplayRefusesABrokenSet) {
  const std::string z = zone(kAlice, "example.com");
  applySet(kAlice, changeSet(z, {create(RecordType::A, "a", "192.0.2.1"),
                                 create(RecordType::A, "b", "192.0.2.2")}));
  record(kAlice, z, RecordType::A, "c", "192.0.2.3");
  ASSERT_EQ(events_.size(), 4u);
  events_.erase(events_.begin() + 2);  // drop the set's last event; renumbering fails first
  const Status st = replayAll();
  ASSERT_TRUE(st);
}

}  // namespace
}  // namespace zp::store::testing
