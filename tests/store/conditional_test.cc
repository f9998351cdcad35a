// Issue 11 items 5 and 6 in the store: record versions (the API's ETags),
// If-Match / If-None-Match checked in the write's own transaction, and
// Idempotency-Keys kept with the reply of their first command.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "pipelines/store/idempotency.h"
#include "tests/store/store_fixture.h"

namespace zp::store::testing {
namespace {

using schema::ErrorKind;
using schema::RecordType;

// Adds a precondition to a body fill.
struct Pre {
  bool ifMatch = false;
  std::vector<uint64_t> versions;
  bool ifNoneMatch = false;
};

class ConditionalTest : public StoreTest {
 protected:
  // One command with optional precondition and idempotency key.
  Msg run(const std::string& user, BodyFill fill, std::optional<Pre> pre = {},
          std::optional<std::pair<std::string, uint8_t>> key = {}, bool dryRun = false) {
    Cmd c(user, std::move(fill));
    capnp::MallocMessageBuilder m;  // a copy we can add to
    m.setRoot(c.reader());
    auto cmd = m.getRoot<schema::Command>();
    if (pre) {
      auto p = cmd.initPrecondition();
      p.setIfMatch(pre->ifMatch);
      auto list = p.initVersions(static_cast<unsigned>(pre->versions.size()));
      for (unsigned i = 0; i < list.size(); ++i) list.set(i, pre->versions[i]);
      p.setIfNoneMatch(pre->ifNoneMatch);
    }
    if (key) {
      auto k = cmd.initIdempotency();
      k.setKey(key->first);
      const auto h = hashOf(key->second);
      k.setRequestHash(kj::arrayPtr(h.data(), h.size()));
      k.setNote(kj::arrayPtr(reinterpret_cast<const kj::byte*>("note"), 4));
    }
    cmd.setDryRun(dryRun);
    std::vector<schema::Command::Reader> readers = {cmd.asReader()};
    BatchResult r = store().applyBatch(readers);
    for (auto& w : r.events) events_.emplace_back(w.asPtr());
    return Msg(r.replies.front().asPtr());
  }
  uint64_t versionOf(const std::string& record) {
    Msg r = query(kAlice, [&](schema::Query::Builder q) { q.getBody().setGetRecord(record); });
    EXPECT_TRUE(r.reply().getBody().isRecord());
    return r.reply().getBody().getRecord().getVersion();
  }
  uint64_t zoneVersion(const std::string& zone) {
    Msg r = query(kAlice, [&](schema::Query::Builder q) { q.getBody().setGetZone(zone); });
    EXPECT_TRUE(r.reply().getBody().isZone());
    return r.reply().getBody().getZone().getZone().getSerial();
  }
  size_t recordCount(const std::string& zone) {
    Msg r = query(kAlice, [&](schema::Query::Builder q) { q.getBody().setGetZone(zone); });
    return r.reply().getBody().getZone().getRecords().size();
  }
};

TEST_F(ConditionalTest, RecordVersionIsTheSeqThatLastWroteItAndStaysOutOfEvents) {
  const std::string z = zone(kAlice, "versions.test");
  const std::string r = record(kAlice, z, RecordType::A, "www", "192.0.2.1");
  const uint64_t created = versionOf(r);
  EXPECT_EQ(created, store().lastSeq());
  Msg upd = apply(kAlice, updateRecord(r, RecordType::A, "www", "192.0.2.2"));
  ASSERT_TRUE(upd.reply().getBody().isRecord());
  EXPECT_EQ(upd.reply().getBody().getRecord().getVersion(), store().lastSeq());
  EXPECT_EQ(versionOf(r), store().lastSeq());
  EXPECT_EQ(zoneVersion(z), store().lastSeq());
  // Events carry no version, so the log replays byte for byte; the rebuilt
  // store gives records the same versions.
  for (const Msg& e : events_) {
    auto ch = e.event().getChange();
    if (ch.isRecordCreated()) {
      EXPECT_EQ(ch.getRecordCreated().getVersion(), 0u);
    }
    if (ch.isRecordUpdated()) {
      EXPECT_EQ(ch.getRecordUpdated().getAfter().getVersion(), 0u);
    }
  }
  ASSERT_FALSE(replayAll());
  capnp::MallocMessageBuilder m;
  auto q = m.initRoot<schema::Query>();
  q.setVersion(schema::PROTOCOL_VERSION);
  q.setUserId(kAlice);
  q.getBody().setGetRecord(r);
  Msg again(rebuilt().query(q.asReader()).asPtr());
  EXPECT_EQ(again.reply().getBody().getRecord().getVersion(), versionOf(r));
}

TEST_F(ConditionalTest, IfMatchIsCheckedAgainstTheTargetsVersion) {
  const std::string z = zone(kAlice, "ifmatch.test");
  const std::string r = record(kAlice, z, RecordType::A, "www", "192.0.2.1");
  const uint64_t v = versionOf(r);
  // `versions(current)`: what If-Match lists when the record is at `current`.
  struct Case {
    const char* what;
    std::function<std::vector<uint64_t>(uint64_t)> versions;
    bool passes;
  };
  const Case cases[] = {
      {"stale", [](uint64_t cur) { return std::vector<uint64_t>{cur - 1}; }, false},
      {"none listed (only weak tags)", [](uint64_t) { return std::vector<uint64_t>{}; }, false},
      {"the current one among others",
       [](uint64_t cur) {
         return std::vector<uint64_t>{1, cur, 99};
       },
       true},
  };
  uint64_t current = v;
  int n = 0;
  for (const auto& c : cases) {
    Msg out =
        run(kAlice, updateRecord(r, RecordType::A, "www", "192.0.2." + std::to_string(10 + n++)),
            Pre{true, c.versions(current), false});
    if (c.passes) {
      EXPECT_TRUE(out.reply().getBody().isRecord()) << c.what;
      current = versionOf(r);
    } else {
      EXPECT_EQ(errorOf(out), ErrorKind::PRECONDITION_FAILED) << c.what;
      EXPECT_STREQ(out.reply().getBody().getError().getField().cStr(), "If-Match");
      EXPECT_EQ(versionOf(r), current) << c.what << " changed the record";
    }
  }
  // Two writes with the same If-Match in ONE batch: the second sees the first.
  Cmd a(kAlice, updateRecord(r, RecordType::A, "www", "192.0.2.50"));
  Cmd b(kAlice, updateRecord(r, RecordType::A, "www", "192.0.2.51"));
  capnp::MallocMessageBuilder ma, mb;
  ma.setRoot(a.reader());
  mb.setRoot(b.reader());
  for (auto* m : {&ma, &mb}) {
    auto p = m->getRoot<schema::Command>().initPrecondition();
    p.setIfMatch(true);
    p.initVersions(1).set(0, current);
  }
  std::vector<schema::Command::Reader> both = {ma.getRoot<schema::Command>().asReader(),
                                               mb.getRoot<schema::Command>().asReader()};
  BatchResult res = store().applyBatch(both);
  ASSERT_EQ(res.replies.size(), 2u);
  Msg first(res.replies[0].asPtr()), second(res.replies[1].asPtr());
  EXPECT_TRUE(first.reply().getBody().isRecord());
  EXPECT_EQ(errorOf(second), ErrorKind::PRECONDITION_FAILED);

  // Deletes of records and zones, change sets: the zone's version for the latter two.
  EXPECT_EQ(errorOf(run(kAlice, deleteRecord(r), Pre{true, {current}, false})),
            ErrorKind::PRECONDITION_FAILED);
  EXPECT_EQ(errorOf(run(kAlice, deleteZone(z), Pre{true, {zoneVersion(z) - 1}, false})),
            ErrorKind::PRECONDITION_FAILED);
  EXPECT_EQ(errorOf(run(kAlice, createRecord(z, RecordType::A, "b", "192.0.2.9"),
                        Pre{true, {zoneVersion(z) - 1}, false})),
            ErrorKind::PRECONDITION_FAILED);
  Msg del = run(kAlice, deleteRecord(r), Pre{true, {versionOf(r)}, false});
  EXPECT_TRUE(del.reply().getBody().isOk());
  // A missing target is not found before any precondition (RFC 9110 13.2.1).
  EXPECT_EQ(errorOf(run(kAlice, deleteRecord(r), Pre{true, {1}, false})), ErrorKind::NOT_FOUND);
}

TEST_F(ConditionalTest, IfNoneMatchRefusesAnExistingRecord) {
  const std::string z = zone(kAlice, "nonematch.test");
  const Pre star{false, {}, true};
  EXPECT_TRUE(run(kAlice, createRecord(z, RecordType::TXT, "_acme", "one"), star)
                  .reply()
                  .getBody()
                  .isRecord());
  Msg again = run(kAlice, createRecord(z, RecordType::TXT, "_acme", "one"), star);
  EXPECT_EQ(errorOf(again), ErrorKind::PRECONDITION_FAILED);
  EXPECT_STREQ(again.reply().getBody().getError().getField().cStr(), "If-None-Match");
  EXPECT_EQ(errorOf(apply(kAlice, createRecord(z, RecordType::TXT, "_acme", "one"))),
            ErrorKind::RECORD_CONFLICT);
  EXPECT_TRUE(run(kAlice, createRecord(z, RecordType::TXT, "_acme", "two"), star)
                  .reply()
                  .getBody()
                  .isRecord());
}

TEST_F(ConditionalTest, AnIdempotencyKeyAnswersItsFirstReplyAgain) {
  const std::string z = zone(kAlice, "idem.test");
  const auto key = std::make_pair(std::string("key-1"), uint8_t{1});
  Msg first = run(kAlice, createRecord(z, RecordType::A, "www", "192.0.2.1"), {}, key);
  ASSERT_TRUE(first.reply().getBody().isRecord());
  EXPECT_FALSE(first.reply().getReplayed());
  const uint64_t seq = store().lastSeq();
  const size_t events = events_.size();

  Msg again = run(kAlice, createRecord(z, RecordType::A, "www", "192.0.2.1"), {}, key);
  ASSERT_TRUE(again.reply().getBody().isRecord());
  EXPECT_TRUE(again.reply().getReplayed());
  EXPECT_STREQ(again.reply().getBody().getRecord().getUuid().cStr(),
               first.reply().getBody().getRecord().getUuid().cStr());
  EXPECT_EQ(again.reply().getChange().getSeq(), first.reply().getChange().getSeq());
  EXPECT_EQ(std::string(again.reply().getIdempotencyNote().asChars().begin(), 4), "note");
  EXPECT_EQ(store().lastSeq(), seq) << "a replay changes nothing";
  EXPECT_EQ(events_.size(), events);
  EXPECT_EQ(recordCount(z), 1u);

  // Another request with the key: 422; another user's same key is theirs.
  Msg other = run(kAlice, createRecord(z, RecordType::A, "www", "192.0.2.2"), {},
                  std::make_pair(std::string("key-1"), uint8_t{2}));
  EXPECT_EQ(errorOf(other), ErrorKind::IDEMPOTENCY_KEY_REUSED);
  const std::string bz = zone(kBob, "idem-bob.test");
  Msg bob = run(kBob, createRecord(bz, RecordType::A, "www", "192.0.2.1"), {}, key);
  EXPECT_TRUE(bob.reply().getBody().isRecord());
  EXPECT_FALSE(bob.reply().getReplayed());

  // It survives a restart, and the query answers it too.
  reopen();
  Msg afterRestart = run(kAlice, createRecord(z, RecordType::A, "www", "192.0.2.1"), {}, key);
  EXPECT_TRUE(afterRestart.reply().getReplayed());
  Msg asked = query(kAlice, [&](schema::Query::Builder q) {
    auto k = q.getBody().initIdempotentReply();
    k.setKey("key-1");
    const auto h = hashOf(1);
    k.setRequestHash(kj::arrayPtr(h.data(), h.size()));
  });
  EXPECT_TRUE(asked.reply().getReplayed());
  EXPECT_TRUE(asked.reply().getBody().isRecord());
  Msg unused = query(kAlice, [&](schema::Query::Builder q) {
    auto k = q.getBody().initIdempotentReply();
    k.setKey("key-unused");
    const auto h = hashOf(1);
    k.setRequestHash(kj::arrayPtr(h.data(), h.size()));
  });
  EXPECT_TRUE(unused.reply().getBody().isOk());
  EXPECT_FALSE(unused.reply().getReplayed());
}

TEST_F(ConditionalTest, FailuresAndDryRunsAreNotRemembered) {
  const std::string z = zone(kAlice, "idemfail.test");
  const auto key = std::make_pair(std::string("key-f"), uint8_t{3});
  // A conflict: nothing changed, so the retry runs again (and now succeeds).
  ASSERT_FALSE(record(kAlice, z, RecordType::CNAME, "x", "target.example").empty());
  EXPECT_EQ(errorOf(run(kAlice, createRecord(z, RecordType::A, "x", "192.0.2.1"), {}, key)),
            ErrorKind::RECORD_CONFLICT);
  EXPECT_TRUE(run(kAlice, createRecord(z, RecordType::A, "y", "192.0.2.1"), {}, key)
                  .reply()
                  .getBody()
                  .isRecord());
  // A bad key is refused before anything is applied.
  EXPECT_EQ(errorOf(run(kAlice, createRecord(z, RecordType::A, "z", "192.0.2.1"), {},
                        std::make_pair(std::string("has space"), uint8_t{4}))),
            ErrorKind::VALIDATION_ERROR);
  EXPECT_EQ(recordCount(z), 2u);
}

TEST_F(ConditionalTest, KeysExpireAfterADayAndArePurged) {
  const std::string z = zone(kAlice, "idemexp.test");
  const auto key = std::make_pair(std::string("key-e"), uint8_t{5});
  ASSERT_TRUE(run(kAlice, createRecord(z, RecordType::A, "a", "192.0.2.1"), {}, key)
                  .reply()
                  .getBody()
                  .isRecord());
  now_ += kIdempotencyTtlSeconds - 1;
  EXPECT_TRUE(
      run(kAlice, createRecord(z, RecordType::A, "a", "192.0.2.1"), {}, key).reply().getReplayed());
  now_ += 1;
  // Expired: the key is new again (this request is applied: a duplicate).
  Msg late = run(kAlice, createRecord(z, RecordType::A, "b", "192.0.2.1"), {},
                 std::make_pair(std::string("key-e"), uint8_t{6}));
  EXPECT_TRUE(late.reply().getBody().isRecord());
  EXPECT_FALSE(late.reply().getReplayed());
  EXPECT_EQ(recordCount(z), 2u);
}

// The entries of the two idempotency tables, read with LMDB itself while
// the store is closed (one environment per file per process).
std::pair<size_t, size_t> keyTableSizes(const std::string& dir) {
  MDB_env* env = nullptr;
  EXPECT_EQ(mdb_env_create(&env), MDB_SUCCESS);
  mdb_env_set_maxdbs(env, 24);
  mdb_env_set_mapsize(env, size_t{64} << 20);
  EXPECT_EQ(mdb_env_open(env, dir.c_str(), MDB_RDONLY, 0600), MDB_SUCCESS);
  MDB_txn* txn = nullptr;
  EXPECT_EQ(mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn), MDB_SUCCESS);
  auto entries = [&](const char* name) {
    MDB_dbi dbi = 0;
    if (mdb_dbi_open(txn, name, 0, &dbi) != MDB_SUCCESS) return size_t{0};
    MDB_stat st{};
    mdb_stat(txn, dbi, &st);
    return static_cast<size_t>(st.ms_entries);
  };
  const auto out = std::make_pair(entries("idempotency"), entries("idempotency_by_time"));
  mdb_txn_abort(txn);
  mdb_env_close(env);
  return out;
}

TEST_F(ConditionalTest, ExpiredKeysArePurgedABoundedNumberPerCommit) {
  const std::string z = zone(kAlice, "idempurge.test");
  constexpr size_t kKeys = kIdempotencyPurgePerBatch + 10;
  for (size_t i = 0; i < kKeys; ++i) {
    ASSERT_TRUE(run(kAlice, createRecord(z, RecordType::TXT, "k", "v" + std::to_string(i)), {},
                    std::make_pair("purge-" + std::to_string(i), uint8_t{7}))
                    .reply()
                    .getBody()
                    .isRecord());
  }
  store_.reset();
  EXPECT_EQ(keyTableSizes(options().dir), std::make_pair(kKeys, kKeys));
  now_ += kIdempotencyTtlSeconds;
  apply(kAlice, createRecord(z, RecordType::TXT, "k", "after-1"));  // one commit: one purge
  store_.reset();
  EXPECT_EQ(keyTableSizes(options().dir), std::make_pair(size_t{10}, size_t{10}));
  apply(kAlice, createRecord(z, RecordType::TXT, "k", "after-2"));
  store_.reset();
  EXPECT_EQ(keyTableSizes(options().dir), std::make_pair(size_t{0}, size_t{0}));
}

}  // namespace
}  // namespace zp::store::testing
