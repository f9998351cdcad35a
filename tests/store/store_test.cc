// The Store driven directly (no sockets): commands, group commit, queries,
// the event log, ownership, tokens and durability across reopening.

#include "pipelines/store/store.h"

#include <gtest/gtest.h>

#include <cstring>

#include "common/util/ids.h"
#include "tests/store/store_fixture.h"

namespace zp::store::testing {
namespace {

using schema::ErrorKind;
using schema::RecordType;

TEST_F(StoreTest, CreateZoneRepliesAndLogsEventSeq1) {
  Msg r = apply(kAlice, createZone("example.com"));
  ASSERT_TRUE(r.reply().getBody().isZone());
  EXPECT_EQ(r.reply().getRequestId(), 7u);
  auto z = r.reply().getBody().getZone().getZone();
  EXPECT_EQ(std::string(z.getDomain()), "example.com");
  EXPECT_EQ(std::string(z.getOwnerId()), kAlice);
  EXPECT_EQ(z.getCreatedAt(), kNow);
  EXPECT_EQ(z.getSerial(), 1u);
  EXPECT_EQ(z.getRecordCount(), 0u);
  EXPECT_EQ(r.reply().getBody().getZone().getRecords().size(), 0u);
  EXPECT_TRUE(looksLikeUuid(z.getUuid().cStr()));

  ASSERT_EQ(events_.size(), 1u);
  auto e = events_[0].event();
  EXPECT_EQ(e.getSeq(), 1u);
  EXPECT_EQ(e.getTime(), kNow);
  EXPECT_EQ(std::string(e.getActor().getUserId()), kAlice);
  EXPECT_EQ(std::string(e.getActor().getTokenId()), "tok_test");
  EXPECT_EQ(std::string(e.getDomain()), "example.com");
  EXPECT_EQ(e.getZoneUuid(), z.getUuid());
  ASSERT_TRUE(e.getChange().isZoneCreated());
  EXPECT_EQ(e.getChange().getZoneCreated().getSerial(), 1u);
  EXPECT_EQ(store().lastSeq(), 1u);
}

TEST_F(StoreTest, ZoneCommandsGoodAndBad) {
  zonesPerUser_ = 2;
  zone(kAlice, "example.com");
  struct Case {
    const char* what;
    std::string user;
    BodyFill body;
    std::optional<ErrorKind> want;  // nullopt = success
  };
  const std::vector<Case> cases = {
      {"same domain, same owner", kAlice, createZone("example.com"), ErrorKind::ZONE_EXISTS},
      {"same domain, other owner", kBob, createZone("example.com"), ErrorKind::ZONE_EXISTS},
      {"new domain", kAlice, createZone("example.org"), std::nullopt},
      {"quota reached", kAlice, createZone("example.net"), ErrorKind::VALIDATION_ERROR},
      {"other user has quota left", kBob, createZone("example.net"), std::nullopt},
      {"invalid domain", kBob, createZone("-bad-.com"), ErrorKind::VALIDATION_ERROR},
      {"single label", kBob, createZone("localhost"), ErrorKind::VALIDATION_ERROR},
      {"raw createZone", kAlice,
       [](schema::Command::Body::Builder b) { b.setCreateZone("raw.example"); },
       ErrorKind::INTERNAL},
      {"no actor", "", createZone("noactor.example"), ErrorKind::INTERNAL},
      {"delete unknown zone", kAlice, deleteZone("00000000-0000-4000-8000-000000000000"),
       ErrorKind::NOT_FOUND},
  };
  for (const auto& c : cases) {
    Msg r = apply(c.user, c.body);
    EXPECT_EQ(errorOf(r), c.want) << c.what;
  }
  Msg quota = apply(kAlice, createZone("example.info"));
  ASSERT_TRUE(errorOf(quota));
  EXPECT_EQ(std::string(quota.reply().getBody().getError().getField()), "domain");
  EXPECT_EQ(std::string(quota.reply().getBody().getError().getDetail()),
            "zone quota of 2 zones reached");
  Msg exists = apply(kBob, createZone("example.com"));
  EXPECT_EQ(std::string(exists.reply().getBody().getError().getDetail()),
            "zone example.com already exists");
  EXPECT_EQ(store().lastSeq(), 3u);  // three zones created, failures consumed nothing
}

// Issue 8, item 7: the store re-checks the validator's reserved-zone rule, so
// a zone the nameservers can never serve is never committed or logged.
TEST_F(StoreTest, Issue8Item7ReservedZonesAreNeverLogged) {
  for (const char* domain : {"catalog.zonepipe.invalid", "version.bind", "id.server",
                             "zonepipe.test", "ns2.zonepipe.test"}) {
    Msg r = apply(kAlice, createZone(domain));
    ASSERT_EQ(errorOf(r), ErrorKind::VALIDATION_ERROR) << domain;
    EXPECT_EQ(std::string(r.reply().getBody().getError().getField()), "domain") << domain;
  }
  EXPECT_EQ(store().lastSeq(), 0u);
  EXPECT_TRUE(events_.empty());
  zone(kAlice, "notzonepipe.test");
  zone(kAlice, "a.ns1.zonepipe.test");
  EXPECT_EQ(store().lastSeq(), 2u);
}

// A log written before the rule (or under other nameservers) still replays:
// the log is the truth, as with quotas.
TEST_F(StoreTest, ReplayDoesNotReCheckReservedZones) {
  nameservers_ = {};
  zone(kAlice, "zonepipe.test");
  ASSERT_EQ(events_.size(), 1u);
  TempDir other;
  StoreOptions o = options();
  o.dir = other.path() + "/store";
  o.nameservers = {"ns1.zonepipe.test"};
  Store rebuilt(o);
  std::vector<schema::Event::Reader> events = {events_[0].event()};
  const Status st = rebuilt.replay(events);
  EXPECT_FALSE(st.has_value()) << st->detail;
  EXPECT_EQ(rebuilt.lastSeq(), 1u);
}

TEST_F(StoreTest, WrongProtocolVersionIsRefused) {
  Cmd c(kAlice, createZone("example.com"), 1, schema::PROTOCOL_VERSION + 1);
  auto r = batch({&c});
  EXPECT_EQ(errorOf(r[0]), ErrorKind::INTERNAL);
  EXPECT_EQ(store().lastSeq(), 0u);
}

TEST_F(StoreTest, RecordCommandsGoodAndBad) {
  const std::string z = zone(kAlice, "example.com");
  record(kAlice, z, RecordType::A, "www", "192.0.2.1");
  struct Case {
    const char* what;
    BodyFill body;
    std::optional<ErrorKind> want;
    const char* storedName;  // relative name stored on success
  };
  const std::vector<Case> cases = {
      {"second A at www", createRecord(z, RecordType::A, "www", "192.0.2.2"), std::nullopt, "www"},
      {"identical A", createRecord(z, RecordType::A, "www", "192.0.2.1"),
       ErrorKind::RECORD_CONFLICT, ""},
      {"CNAME beside A", createRecord(z, RecordType::CNAME, "www", "target.example.net"),
       ErrorKind::RECORD_CONFLICT, ""},
      {"CNAME alone", createRecord(z, RecordType::CNAME, "ftp", "target.example.net"), std::nullopt,
       "ftp"},
      {"A beside CNAME", createRecord(z, RecordType::A, "ftp", "192.0.2.3"),
       ErrorKind::RECORD_CONFLICT, ""},
      {"CNAME at apex", createRecord(z, RecordType::CNAME, "@", "target.example.net"),
       ErrorKind::VALIDATION_ERROR, ""},
      {"FQDN inside zone", createRecord(z, RecordType::A, "mail.example.com.", "192.0.2.4"),
       std::nullopt, "mail"},
      {"apex MX", createRecord(z, RecordType::MX, "@", "mail.example.com", 10), std::nullopt, "@"},
      {"name outside zone", createRecord(z, RecordType::A, "www.other.org.", "192.0.2.5"),
       ErrorKind::VALIDATION_ERROR, ""},
      {"unknown zone",
       createRecord("00000000-0000-4000-8000-000000000000", RecordType::A, "x", "192.0.2.6"),
       ErrorKind::NOT_FOUND, ""},
      {"raw createRecord",
       [](schema::Command::Body::Builder b) { b.initCreateRecord().setZoneUuid("x"); },
       ErrorKind::INTERNAL, ""},
  };
  for (const auto& c : cases) {
    Msg r = apply(kAlice, c.body);
    EXPECT_EQ(errorOf(r), c.want) << c.what;
    if (!c.want && r.reply().getBody().isRecord()) {
      auto rec = r.reply().getBody().getRecord();
      EXPECT_EQ(std::string(rec.getName()), c.storedName) << c.what;
      EXPECT_EQ(std::string(rec.getZoneUuid()), z) << c.what;
      EXPECT_EQ(rec.getCreatedAt(), kNow);
      EXPECT_EQ(rec.getUpdatedAt(), kNow);
    }
  }
  Msg conflict = apply(kAlice, createRecord(z, RecordType::CNAME, "www", "t.example.net"));
  EXPECT_EQ(errorOf(conflict), ErrorKind::RECORD_CONFLICT);

  // 1 zone + 5 records; the zone's serial is the seq of its last change.
  Msg detail = query(kAlice, [&](schema::Query::Builder q) { q.getBody().setGetZone(z); });
  ASSERT_TRUE(detail.reply().getBody().isZone());
  EXPECT_EQ(detail.reply().getBody().getZone().getZone().getRecordCount(), 5u);
  EXPECT_EQ(detail.reply().getBody().getZone().getZone().getSerial(), 6u);
  EXPECT_EQ(store().lastSeq(), 6u);
  EXPECT_TRUE(events_.back().event().getChange().isRecordCreated());
}

TEST_F(StoreTest, RecordQuotaPerZone) {
  recordsPerZone_ = 2;
  const std::string z = zone(kAlice, "example.com");
  record(kAlice, z, RecordType::A, "a", "192.0.2.1");
  record(kAlice, z, RecordType::A, "b", "192.0.2.1");
  Msg r = apply(kAlice, createRecord(z, RecordType::A, "c", "192.0.2.1"));
  EXPECT_EQ(errorOf(r), ErrorKind::VALIDATION_ERROR);
}

TEST_F(StoreTest, OtherOwnerSeesNotFound) {
  const std::string z = zone(kAlice, "example.com");
  const std::string rec = record(kAlice, z, RecordType::A, "www", "192.0.2.1");
  const uint64_t seqBefore = store().lastSeq();

  EXPECT_EQ(errorOf(apply(kBob, createRecord(z, RecordType::A, "x", "192.0.2.9"))),
            ErrorKind::NOT_FOUND);
  EXPECT_EQ(errorOf(apply(kBob, deleteRecord(rec))), ErrorKind::NOT_FOUND);
  EXPECT_EQ(errorOf(apply(kBob, deleteZone(z))), ErrorKind::NOT_FOUND);
  EXPECT_EQ(store().lastSeq(), seqBefore);

  struct Case {
    const char* what;
    QueryFill q;
  };
  const std::vector<Case> queries = {
      {"getZone", [&](schema::Query::Builder q) { q.getBody().setGetZone(z); }},
      {"getRecord", [&](schema::Query::Builder q) { q.getBody().setGetRecord(rec); }},
      {"listRecords of the zone",
       [&](schema::Query::Builder q) { q.getBody().initListRecords().setZoneUuid(z); }},
  };
  for (const auto& c : queries) {
    EXPECT_EQ(errorOf(query(kBob, c.q)), ErrorKind::NOT_FOUND) << c.what;
    EXPECT_EQ(errorOf(query(kAlice, c.q)), std::nullopt) << c.what;
  }
  Msg bobZones = query(kBob, [](schema::Query::Builder q) { q.getBody().initListZones(); });
  EXPECT_EQ(bobZones.reply().getBody().getZones().getTotal(), 0u);
  EXPECT_EQ(bobZones.reply().getBody().getZones().getItems().size(), 0u);
  Msg bobRecords = query(kBob, [](schema::Query::Builder q) { q.getBody().initListRecords(); });
  EXPECT_EQ(bobRecords.reply().getBody().getRecords().getItems().size(), 0u);
  Msg bobByDomain = query(
      kBob, [](schema::Query::Builder q) { q.getBody().initListZones().setDomain("example.com"); });
  EXPECT_EQ(bobByDomain.reply().getBody().getZones().getTotal(), 0u);
}

TEST_F(StoreTest, FailedCommandInBatchConsumesNoSeqAndKeepsOthers) {
  const std::string z = zone(kAlice, "example.com");  // seq 1
  Cmd good1(kAlice, createRecord(z, RecordType::A, "a", "192.0.2.1"), 1);
  Cmd bad(kAlice, createRecord(z, RecordType::CNAME, "a", "t.example.net"), 2);
  Cmd malformed(kAlice, createRecord(z, static_cast<RecordType>(99), "b", "x"), 3);
  Cmd good2(kAlice, createZone("example.org"), 4);
  Cmd dup(kAlice, createZone("example.org"), 5);
  auto r = batch({&good1, &bad, &malformed, &good2, &dup});
  ASSERT_EQ(r.size(), 5u);
  for (uint64_t i = 0; i < r.size(); ++i) EXPECT_EQ(r[i].reply().getRequestId(), i + 1);
  EXPECT_EQ(errorOf(r[0]), std::nullopt);
  EXPECT_EQ(errorOf(r[1]), ErrorKind::RECORD_CONFLICT);
  EXPECT_EQ(errorOf(r[2]), ErrorKind::INTERNAL);
  EXPECT_EQ(std::string(r[2].reply().getBody().getError().getDetail()), "malformed command");
  EXPECT_EQ(errorOf(r[3]), std::nullopt);
  EXPECT_EQ(errorOf(r[4]), ErrorKind::ZONE_EXISTS);
  ASSERT_EQ(events_.size(), 3u);
  EXPECT_EQ(events_[1].event().getSeq(), 2u);
  EXPECT_TRUE(events_[1].event().getChange().isRecordCreated());
  EXPECT_EQ(events_[2].event().getSeq(), 3u);
  EXPECT_TRUE(events_[2].event().getChange().isZoneCreated());
  EXPECT_EQ(store().lastSeq(), 3u);

  // The failed CNAME left no trace: only the A record is at "a".
  Msg list = query(kAlice,
                   [&](schema::Query::Builder q) { q.getBody().initListRecords().setZoneUuid(z); });
  ASSERT_EQ(list.reply().getBody().getRecords().getItems().size(), 1u);
  EXPECT_EQ(list.reply().getBody().getRecords().getItems()[0].getType(), RecordType::A);
  Msg zones = query(kAlice, [](schema::Query::Builder q) { q.getBody().initListZones(); });
  EXPECT_EQ(zones.reply().getBody().getZones().getTotal(), 2u);
}

// A command whose actor's token id points outside its message: the store
// reads that field only when it logs the event, after the command's writes,
// so the command fails part-way. It must still leave no trace and consume no
// seq, alone or between good commands of the same batch.
TEST_F(StoreTest, CommandFailingAfterItsWritesLeavesNoTraceInItsBatch) {
  const std::string z = zone(kAlice, "example.com");  // seq 1
  Cmd broken(kAlice, createZone("broken.example"), 2);
  capnp::MallocMessageBuilder copy;
  copy.setRoot(broken.reader());
  kj::Array<capnp::word> words = capnp::messageToFlatArray(copy);
  // Find the text "tok_test" and the list pointer to it; aim it far away.
  auto bytes = words.asBytes();
  const std::string needle = "tok_test";
  size_t textWord = 0;
  for (size_t i = 0; i + needle.size() <= bytes.size(); i += 8) {
    if (std::memcmp(bytes.begin() + i, needle.data(), needle.size()) == 0) textWord = i / 8;
  }
  ASSERT_NE(textWord, 0u);
  bool patched = false;
  for (size_t i = 0; i < textWord; ++i) {
    uint64_t w = 0;
    std::memcpy(&w, bytes.begin() + i * 8, 8);
    const auto lo = static_cast<uint32_t>(w);
    const int64_t offset = static_cast<int32_t>(lo) >> 2;
    if ((lo & 3) == 1 && static_cast<int64_t>(i) + 1 + offset == static_cast<int64_t>(textWord)) {
      const uint32_t far = (uint32_t{1} << 28) | 1;
      w = (w & ~uint64_t{0xffffffff}) | far;
      std::memcpy(bytes.begin() + i * 8, &w, 8);
      patched = true;
    }
  }
  ASSERT_TRUE(patched);
  capnp::FlatArrayMessageReader reader(words);
  const auto brokenReader = reader.getRoot<schema::Command>();

  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round == 0 ? "alone" : "between good commands");
    Cmd before(kAlice, createRecord(z, RecordType::A, "r" + std::to_string(round), "192.0.2.1"), 1);
    Cmd after(kAlice, createZone("z" + std::to_string(round) + ".example"), 3);
    std::vector<schema::Command::Reader> readers;
    if (round == 1) readers.push_back(before.reader());
    readers.push_back(brokenReader);
    if (round == 1) readers.push_back(after.reader());
    const uint64_t seqBefore = store().lastSeq();
    BatchResult r = store().applyBatch(readers);
    ASSERT_EQ(r.replies.size(), readers.size());
    Msg failed(r.replies[round == 1 ? 1 : 0].asPtr());
    EXPECT_EQ(errorOf(failed), ErrorKind::INTERNAL);
    EXPECT_EQ(failed.reply().getRequestId(), 2u);
    EXPECT_EQ(r.events.size(), round == 1 ? 2u : 0u);
    EXPECT_EQ(store().lastSeq(), seqBefore + r.events.size());
    for (size_t i = 0; i < r.events.size(); ++i) {
      EXPECT_EQ(Msg(r.events[i].asPtr()).event().getSeq(), seqBefore + 1 + i);
    }
  }
  // Neither attempt created the zone, its domain is free, the others exist.
  Msg zones = query(kAlice, [](schema::Query::Builder q) { q.getBody().initListZones(); });
  EXPECT_EQ(zones.reply().getBody().getZones().getTotal(), 2u);
  Msg again = apply(kAlice, createZone("broken.example"));
  EXPECT_TRUE(again.reply().getBody().isZone());
  Msg list = query(kAlice,
                   [&](schema::Query::Builder q) { q.getBody().initListRecords().setZoneUuid(z); });
  EXPECT_EQ(list.reply().getBody().getRecords().getItems().size(), 1u);
}

TEST_F(StoreTest, DeleteZoneRemovesItsRecords) {
  const std::string z = zone(kAlice, "example.com");
  const std::string other = zone(kAlice, "example.org");
  const std::string r1 = record(kAlice, z, RecordType::A, "www", "192.0.2.1");
  const std::string r2 = record(kAlice, z, RecordType::TXT, "@", "hello");
  const std::string keep = record(kAlice, other, RecordType::A, "www", "192.0.2.1");

  Msg del = apply(kAlice, deleteZone(z));
  ASSERT_TRUE(del.reply().getBody().isOk());
  auto e = events_.back().event();
  ASSERT_TRUE(e.getChange().isZoneDeleted());
  EXPECT_EQ(std::string(e.getChange().getZoneDeleted().getDomain()), "example.com");
  EXPECT_EQ(e.getChange().getZoneDeleted().getRecordCount(), 2u);
  EXPECT_EQ(std::string(e.getDomain()), "example.com");

  for (const auto& rec : {r1, r2}) {
    EXPECT_EQ(
        errorOf(query(kAlice, [&](schema::Query::Builder q) { q.getBody().setGetRecord(rec); })),
        ErrorKind::NOT_FOUND);
    EXPECT_EQ(errorOf(apply(kAlice, deleteRecord(rec))), ErrorKind::NOT_FOUND);
  }
  EXPECT_EQ(errorOf(query(kAlice, [&](schema::Query::Builder q) { q.getBody().setGetZone(z); })),
            ErrorKind::NOT_FOUND);
  EXPECT_EQ(errorOf(query(
                "", [](schema::Query::Builder q) { q.getBody().setZoneSnapshot("example.com"); })),
            ErrorKind::NOT_FOUND);
  Msg all = query(kAlice, [](schema::Query::Builder q) { q.getBody().initListRecords(); });
  ASSERT_EQ(all.reply().getBody().getRecords().getItems().size(), 1u);
  EXPECT_EQ(std::string(all.reply().getBody().getRecords().getItems()[0].getUuid()), keep);
  Msg typed = query(
      kAlice, [](schema::Query::Builder q) { q.getBody().initListRecords().setRecordType("TXT"); });
  EXPECT_EQ(typed.reply().getBody().getRecords().getTotal(), 0u);

  // The domain is free again, and the records can be re-created.
  const std::string again = zone(kAlice, "example.com");
  record(kAlice, again, RecordType::A, "www", "192.0.2.1");
}

TEST_F(StoreTest, DeleteRecordUpdatesZoneAndLogs) {
  const std::string z = zone(kAlice, "example.com");
  const std::string rec = record(kAlice, z, RecordType::A, "www", "192.0.2.1");
  Msg r = apply(kAlice, deleteRecord(rec));
  ASSERT_TRUE(r.reply().getBody().isOk());
  auto e = events_.back().event();
  EXPECT_EQ(e.getSeq(), 3u);
  ASSERT_TRUE(e.getChange().isRecordDeleted());
  EXPECT_EQ(std::string(e.getChange().getRecordDeleted().getUuid()), rec);
  Msg detail = query(kAlice, [&](schema::Query::Builder q) { q.getBody().setGetZone(z); });
  EXPECT_EQ(detail.reply().getBody().getZone().getZone().getRecordCount(), 0u);
  EXPECT_EQ(detail.reply().getBody().getZone().getZone().getSerial(), 3u);
  // The same record can be added again (no stale index entry).
  record(kAlice, z, RecordType::A, "www", "192.0.2.1");
}

TEST_F(StoreTest, UpdateRecordGoodAndBad) {
  const std::string z = zone(kAlice, "example.com");
  const std::string www = record(kAlice, z, RecordType::A, "www", "192.0.2.1");
  record(kAlice, z, RecordType::A, "other", "192.0.2.1");
  record(kAlice, z, RecordType::CNAME, "alias", "t.example.net");
  struct Case {
    const char* what;
    std::string user;
    BodyFill body;
    std::optional<ErrorKind> want;
  };
  const std::vector<Case> cases = {
      {"same values (replaces itself)", kAlice,
       updateRecord(www, RecordType::A, "www", "192.0.2.1"), std::nullopt},
      {"new value", kAlice, updateRecord(www, RecordType::A, "www", "192.0.2.9"), std::nullopt},
      {"onto an identical record", kAlice, updateRecord(www, RecordType::A, "other", "192.0.2.1"),
       ErrorKind::RECORD_CONFLICT},
      {"beside a CNAME", kAlice, updateRecord(www, RecordType::A, "alias", "192.0.2.1"),
       ErrorKind::RECORD_CONFLICT},
      {"other owner", kBob, updateRecord(www, RecordType::A, "www", "192.0.2.7"),
       ErrorKind::NOT_FOUND},
      {"unknown record", kAlice,
       updateRecord("00000000-0000-4000-8000-000000000000", RecordType::A, "x", "192.0.2.1"),
       ErrorKind::NOT_FOUND},
      {"raw updateRecord", kAlice,
       [](schema::Command::Body::Builder b) { b.initUpdateRecord().setRecordUuid("x"); },
       ErrorKind::INTERNAL},
      {"rename and retype", kAlice,
       updateRecord(www, RecordType::MX, "mail.example.com.", "mx.example.net", 5), std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(errorOf(apply(c.user, c.body)), c.want) << c.what;

  auto e = events_.back().event();
  ASSERT_TRUE(e.getChange().isRecordUpdated());
  EXPECT_EQ(std::string(e.getChange().getRecordUpdated().getBefore().getValue()), "192.0.2.9");
  auto after = e.getChange().getRecordUpdated().getAfter();
  EXPECT_EQ(std::string(after.getName()), "mail");
  EXPECT_EQ(after.getType(), RecordType::MX);
  EXPECT_EQ(std::string(after.getUuid()), www);

  // Indexes follow: the type filter and the same-name checks see the new shape.
  Msg mx = query(kAlice, [&](schema::Query::Builder q) {
    auto g = q.getBody().initListRecords();
    g.setZoneUuid(z);
    g.setRecordType("MX");
  });
  EXPECT_EQ(mx.reply().getBody().getRecords().getTotal(), 1u);
  Msg a = query(kAlice, [&](schema::Query::Builder q) {
    auto g = q.getBody().initListRecords();
    g.setZoneUuid(z);
    g.setRecordType("A");
  });
  EXPECT_EQ(a.reply().getBody().getRecords().getTotal(), 1u);
  record(kAlice, z, RecordType::CNAME, "www", "t.example.net");  // www is free now
  Msg detail = query(kAlice, [&](schema::Query::Builder q) { q.getBody().setGetZone(z); });
  EXPECT_EQ(detail.reply().getBody().getZone().getZone().getRecordCount(), 4u);
}

TEST_F(StoreTest, LogSinceReturnsExactlyTheEvents) {
  const std::string z = zone(kAlice, "example.com");
  record(kAlice, z, RecordType::A, "www", "192.0.2.1");
  record(kAlice, z, RecordType::A, "www", "192.0.2.2");
  zone(kBob, "example.org");
  ASSERT_EQ(events_.size(), 4u);

  struct Case {
    uint64_t after;
    uint32_t limit;
    std::vector<uint64_t> want;
  };
  const std::vector<Case> cases = {
      {0, 0, {1, 2, 3, 4}}, {0, 2, {1, 2}}, {2, 0, {3, 4}},
      {4, 0, {}},           {99, 0, {}},    {UINT64_MAX, 5, {}},
  };
  for (const auto& c : cases) {
    Msg r = query("", [&](schema::Query::Builder q) {
      auto g = q.getBody().initLogSince();
      g.setAfter(c.after);
      g.setLimit(c.limit);
    });
    ASSERT_TRUE(r.reply().getBody().isEvents());
    auto ev = r.reply().getBody().getEvents();
    EXPECT_EQ(ev.getLastSeq(), 4u);
    std::vector<uint64_t> got;
    for (auto e : ev.getItems()) got.push_back(e.getSeq());
    EXPECT_EQ(got, c.want) << "after " << c.after << " limit " << c.limit;
  }
  // The log holds the very events the batches returned (and the server publishes).
  Msg r = query("", [](schema::Query::Builder q) { q.getBody().initLogSince(); });
  auto items = r.reply().getBody().getEvents().getItems();
  for (unsigned i = 0; i < items.size(); ++i) {
    capnp::MallocMessageBuilder m;
    m.setRoot(items[i]);
    auto flat = capnp::messageToFlatArray(m);
    EXPECT_EQ(flat.asBytes(), events_[i].words().asBytes()) << "seq " << i + 1;
  }
}

TEST_F(StoreTest, StateAndSeqSurviveReopen) {
  const std::string z = zone(kAlice, "example.com");
  const std::string rec = record(kAlice, z, RecordType::MX, "@", "mail.example.com", 10);
  apply("admin", createToken(kAlice, {"dns:*"}, bytes(hashOf(1))));
  reopen();
  EXPECT_EQ(store().lastSeq(), 3u);
  Msg detail = query(kAlice, [&](schema::Query::Builder q) { q.getBody().setGetZone(z); });
  ASSERT_TRUE(detail.reply().getBody().isZone());
  ASSERT_EQ(detail.reply().getBody().getZone().getRecords().size(), 1u);
  auto stored = detail.reply().getBody().getZone().getRecords()[0];
  EXPECT_EQ(std::string(stored.getUuid()), rec);
  EXPECT_TRUE(stored.getHasPriority());
  EXPECT_EQ(stored.getPriority(), 10u);
  auto h = hashOf(1);
  Msg who = query("", [&](schema::Query::Builder q) {
    q.getBody().setAuthenticate(kj::arrayPtr(h.data(), h.size()));
  });
  EXPECT_TRUE(who.reply().getBody().isPrincipal());
  zone(kAlice, "example.org");
  EXPECT_EQ(events_.back().event().getSeq(), 4u);  // numbering continues, no gap
}

TEST_F(StoreTest, TokensAuthenticateUntilRevoked) {
  const auto h1 = hashOf(1);
  Msg created = apply("admin", createToken(kAlice, {"dns:read", "dns:list"}, bytes(h1)));
  ASSERT_TRUE(created.reply().getBody().isTokenCreated());
  auto tok = created.reply().getBody().getTokenCreated();
  const std::string id = tok.getId();
  EXPECT_EQ(id.rfind("tok_", 0), 0u);
  EXPECT_EQ(tok.getHash().size(), 0u);  // never echoed
  ASSERT_TRUE(events_.back().event().getChange().isTokenCreated());
  EXPECT_EQ(events_.back().event().getChange().getTokenCreated().getHash().size(), 32u);
  EXPECT_EQ(std::string(events_.back().event().getZoneUuid()), "");

  auto authenticate = [&](std::vector<uint8_t> hash) {
    return query("", [&](schema::Query::Builder q) {
      q.getBody().setAuthenticate(kj::arrayPtr(hash.data(), hash.size()));
    });
  };
  Msg ok = authenticate(bytes(h1));
  ASSERT_TRUE(ok.reply().getBody().isPrincipal());
  auto p = ok.reply().getBody().getPrincipal();
  EXPECT_EQ(std::string(p.getUserId()), kAlice);
  EXPECT_EQ(std::string(p.getTokenId()), id);
  ASSERT_EQ(p.getPermissions().size(), 2u);
  EXPECT_EQ(std::string(p.getPermissions()[0]), "dns:list");  // canonical order
  EXPECT_EQ(std::string(p.getPermissions()[1]), "dns:read");

  struct Case {
    const char* what;
    BodyFill body;
    std::optional<ErrorKind> want;
  };
  const std::vector<Case> cases = {
      {"bad permission", createToken(kAlice, {"dns:fly"}, bytes(hashOf(2))),
       ErrorKind::VALIDATION_ERROR},
      {"no permission", createToken(kAlice, {}, bytes(hashOf(2))), ErrorKind::VALIDATION_ERROR},
      {"short hash", createToken(kAlice, {"dns:*"}, {1, 2, 3}), ErrorKind::VALIDATION_ERROR},
      {"empty user", createToken("", {"dns:*"}, bytes(hashOf(2))), ErrorKind::VALIDATION_ERROR},
      {"same hash", createToken(kBob, {"dns:*"}, bytes(h1)), ErrorKind::VALIDATION_ERROR},
      {"revoke unknown", [](schema::Command::Body::Builder b) { b.setRevokeToken("tok_nope"); },
       ErrorKind::NOT_FOUND},
      {"revoke", [&](schema::Command::Body::Builder b) { b.setRevokeToken(id); }, std::nullopt},
      {"revoke again", [&](schema::Command::Body::Builder b) { b.setRevokeToken(id); },
       std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(errorOf(apply("admin", c.body)), c.want) << c.what;
  EXPECT_TRUE(events_.back().event().getChange().isTokenRevoked());
  EXPECT_EQ(store().lastSeq(), 2u);  // create + one revoke

  for (auto hash : {bytes(h1), bytes(hashOf(3)), std::vector<uint8_t>{1}}) {
    Msg denied = authenticate(hash);
    ASSERT_EQ(errorOf(denied), ErrorKind::AUTHENTICATION_FAILED);
    EXPECT_EQ(std::string(denied.reply().getBody().getError().getDetail()),
              "invalid API token: unknown or revoked");
  }
  Msg list = query("", [](schema::Query::Builder q) { q.getBody().setListTokens(); });
  ASSERT_EQ(list.reply().getBody().getTokens().size(), 1u);
  auto listed = list.reply().getBody().getTokens()[0];
  EXPECT_TRUE(listed.getRevoked());
  EXPECT_EQ(listed.getHash().size(), 0u);
  EXPECT_EQ(std::string(listed.getUserId()), kAlice);
}

TEST_F(StoreTest, ListingsAreOrderedAndPaged) {
  const std::string b = zone(kAlice, "b-zone.com");
  const std::string a = zone(kAlice, "a-zone.com");
  zone(kBob, "bob.com");
  record(kAlice, b, RecordType::TXT, "www", "t");
  record(kAlice, b, RecordType::A, "www", "192.0.2.1");
  record(kAlice, b, RecordType::A, "@", "192.0.2.1");
  record(kAlice, a, RecordType::MX, "@", "mx.a-zone.com", 5);
  record(kAlice, a, RecordType::A, "zz", "192.0.2.1");

  auto names = [](const Msg& m) {
    std::vector<std::string> out;
    for (auto r : m.reply().getBody().getRecords().getItems()) {
      out.push_back(std::string(r.getName()) + "/" + std::to_string(static_cast<int>(r.getType())));
    }
    return out;
  };
  const std::string A = std::to_string(static_cast<int>(RecordType::A));
  const std::string MX = std::to_string(static_cast<int>(RecordType::MX));
  const std::string TXT = std::to_string(static_cast<int>(RecordType::TXT));

  struct Case {
    const char* what;
    std::string zoneUuid, type;
    uint32_t offset, limit;
    uint32_t total;
    std::vector<std::string> want;
  };
  const std::vector<Case> cases = {
      {"one zone", b, "", 0, 0, 3, {"@/" + A, "www/" + A, "www/" + TXT}},
      {"one zone, page 2", b, "", 1, 1, 3, {"www/" + A}},
      {"one zone, type", b, "A", 0, 0, 2, {"@/" + A, "www/" + A}},
      {"one zone, lower-case type", b, "a", 1, 5, 2, {"www/" + A}},
      {"all zones by domain",
       "",
       "",
       0,
       0,
       5,
       {"@/" + MX, "zz/" + A, "@/" + A, "www/" + A, "www/" + TXT}},
      {"all zones, offset spans a zone", "", "", 3, 2, 5, {"www/" + A, "www/" + TXT}},
      {"all zones, type", "", "A", 1, 0, 3, {"@/" + A, "www/" + A}},
      {"past the end", "", "", 9, 0, 5, {}},
  };
  for (const auto& c : cases) {
    Msg r = query(kAlice, [&](schema::Query::Builder q) {
      auto g = q.getBody().initListRecords();
      g.setZoneUuid(c.zoneUuid);
      g.setRecordType(c.type);
      g.setOffset(c.offset);
      g.setLimit(c.limit);
    });
    ASSERT_TRUE(r.reply().getBody().isRecords()) << c.what;
    EXPECT_EQ(r.reply().getBody().getRecords().getTotal(), c.total) << c.what;
    EXPECT_EQ(names(r), c.want) << c.what;
  }
  Msg badType = query(
      kAlice, [](schema::Query::Builder q) { q.getBody().initListRecords().setRecordType("SOA"); });
  EXPECT_EQ(errorOf(badType), ErrorKind::VALIDATION_ERROR);

  Msg zones = query(kAlice, [](schema::Query::Builder q) { q.getBody().initListZones(); });
  auto items = zones.reply().getBody().getZones().getItems();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(std::string(items[0].getDomain()), "a-zone.com");
  EXPECT_EQ(std::string(items[1].getDomain()), "b-zone.com");
  Msg page2 = query(kAlice, [](schema::Query::Builder q) {
    auto g = q.getBody().initListZones();
    g.setOffset(1);
    g.setLimit(1);
  });
  ASSERT_EQ(page2.reply().getBody().getZones().getItems().size(), 1u);
  EXPECT_EQ(page2.reply().getBody().getZones().getTotal(), 2u);
  EXPECT_EQ(std::string(page2.reply().getBody().getZones().getItems()[0].getDomain()),
            "b-zone.com");
  Msg exact = query(kAlice, [](schema::Query::Builder q) {
    q.getBody().initListZones().setDomain("B-Zone.com");
  });
  ASSERT_EQ(exact.reply().getBody().getZones().getItems().size(), 1u);
  EXPECT_EQ(std::string(exact.reply().getBody().getZones().getItems()[0].getUuid()), b);

  Msg snap = query("", [](schema::Query::Builder q) { q.getBody().setZoneSnapshot("b-zone.com"); });
  ASSERT_TRUE(snap.reply().getBody().isZone());
  EXPECT_EQ(snap.reply().getBody().getZone().getRecords().size(), 3u);
}

TEST_F(StoreTest, MalformedQueryGetsAnErrorNotACrash) {
  capnp::MallocMessageBuilder m;
  auto q = m.initRoot<schema::Query>();
  q.setVersion(schema::PROTOCOL_VERSION + 3);
  q.setRequestId(42);
  q.getBody().setListTokens();
  Msg r(store().query(q.asReader()).asPtr());
  EXPECT_EQ(errorOf(r), ErrorKind::INTERNAL);
  EXPECT_EQ(r.reply().getRequestId(), 42u);
}

TEST_F(StoreTest, UnstorableKeysFromPeersAreNotFoundNotStorageFailures) {
  const std::string z = zone(kAlice, "example.com");
  const std::string huge(600, 'x');
  struct Case {
    const char* what;
    std::string user;
    QueryFill q;
    std::optional<ErrorKind> want;
  };
  const std::vector<Case> cases = {
      {"getZone huge", kAlice, [&](schema::Query::Builder q) { q.getBody().setGetZone(huge); },
       ErrorKind::NOT_FOUND},
      {"getZone empty", kAlice, [&](schema::Query::Builder q) { q.getBody().setGetZone(""); },
       ErrorKind::NOT_FOUND},
      {"getRecord huge", kAlice, [&](schema::Query::Builder q) { q.getBody().setGetRecord(huge); },
       ErrorKind::NOT_FOUND},
      {"snapshot huge", "", [&](schema::Query::Builder q) { q.getBody().setZoneSnapshot(huge); },
       ErrorKind::NOT_FOUND},
      {"listZones huge user", huge, [](schema::Query::Builder q) { q.getBody().initListZones(); },
       std::nullopt},
      {"listZones huge domain", kAlice,
       [&](schema::Query::Builder q) { q.getBody().initListZones().setDomain(huge); },
       std::nullopt},
      {"listRecords huge user", huge,
       [](schema::Query::Builder q) { q.getBody().initListRecords(); }, std::nullopt},
      {"listRecords huge zone", kAlice,
       [&](schema::Query::Builder q) { q.getBody().initListRecords().setZoneUuid(huge); },
       ErrorKind::NOT_FOUND},
      {"listRecords owned zone", kAlice,
       [&](schema::Query::Builder q) { q.getBody().initListRecords().setZoneUuid(z); },
       std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(errorOf(query(c.user, c.q)), c.want) << c.what;
  EXPECT_EQ(errorOf(apply(kAlice, deleteZone(huge))), ErrorKind::NOT_FOUND);
  EXPECT_EQ(errorOf(apply(kAlice, deleteRecord(""))), ErrorKind::NOT_FOUND);
  EXPECT_EQ(errorOf(apply(huge, createZone("example.org"))), ErrorKind::INTERNAL);
  EXPECT_EQ(
      errorOf(apply("admin", [&](schema::Command::Body::Builder b) { b.setRevokeToken(huge); })),
      ErrorKind::NOT_FOUND);
}

TEST(StoreOpen, UnusableDirectoryThrowsNamingIt) {
  TempDir dir;
  const std::string file = dir.path() + "/not-a-dir";
  std::fclose(std::fopen(file.c_str(), "w"));
  StoreOptions o;
  o.dir = file;
  try {
    Store s(o);
    FAIL() << "opened a store in a plain file";
  } catch (const LmdbError& e) {
    EXPECT_NE(std::string(e.what()).find(file), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace zp::store::testing
