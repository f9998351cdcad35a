// Replay: a store rebuilt from its log alone equals the original (state, log,
// zone files byte for byte); log files round-trip; damaged or edited logs are
// refused with the seq or position at fault; deploys go through the pusher.

#include <capnp/serialize.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "pipelines/push/publisher.h"
#include "pipelines/replay/log_file.h"
#include "pipelines/replay/replay.h"
#include "tests/store/store_fixture.h"

namespace zp::replay {
namespace {

using schema::RecordType;
using store::Store;
using store::StoreOptions;
using store::testing::bytes;
using store::testing::createRecord;
using store::testing::createToken;
using store::testing::deleteRecord;
using store::testing::deleteZone;
using store::testing::Msg;
using store::testing::updateRecord;

// Delivers given events, `pageSize` at a time.
class VectorLogSource : public LogSource {
 public:
  VectorLogSource(const std::vector<Msg>& events, size_t pageSize = 3) : pageSize_(pageSize) {
    for (const auto& m : events) words_.push_back(kj::heapArray<capnp::word>(m.words()));
  }
  Result<LogRange> open() override {
    if (words_.empty()) return LogRange{};
    return LogRange{words_.size(), seqOf(0), seqOf(words_.size() - 1)};
  }
  Result<std::vector<EventWords>> nextPage() override {
    std::vector<EventWords> page;
    while (next_ < words_.size() && page.size() < pageSize_) {
      page.push_back(kj::heapArray<capnp::word>(words_[next_++].asPtr()));
    }
    return page;
  }
  std::vector<EventWords> words_;

 private:
  uint64_t seqOf(size_t i) const {
    capnp::FlatArrayMessageReader r(words_[i].asPtr());
    return r.getRoot<schema::Event>().getSeq();
  }
  size_t pageSize_;
  size_t next_ = 0;
};

std::string bytesOf(kj::Array<capnp::word> words) {
  auto b = words.asBytes();
  return std::string(reinterpret_cast<const char*>(b.begin()), b.size());
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Everything a client or the pipeline can read from a store, canonicalised:
// every zone of every user with its records, the tokens, authentication, the log.
std::string dump(const Store& s, const std::vector<std::string>& users) {
  std::string out;
  auto ask = [&](const std::string& user, auto fill) {
    capnp::MallocMessageBuilder m;
    auto q = m.initRoot<schema::Query>();
    q.setVersion(schema::PROTOCOL_VERSION);
    q.setRequestId(1);
    q.setUserId(user);
    fill(q.getBody());
    return Msg(s.query(q.asReader()).asPtr());
  };
  for (const auto& user : users) {
    Msg zones = ask(user, [](auto b) { b.initListZones().setLimit(10000); });
    out += bytesOf(capnp::canonicalize(zones.reply().getBody()));
    for (auto z : zones.reply().getBody().getZones().getItems()) {
      const std::string uuid = z.getUuid();
      out += bytesOf(
          capnp::canonicalize(ask(user, [&](auto b) { b.setGetZone(uuid); }).reply().getBody()));
      out += bytesOf(capnp::canonicalize(
          ask(user, [&](auto b) { b.initZoneChanges().setZoneUuid(uuid); }).reply().getBody()));
    }
  }
  out += bytesOf(capnp::canonicalize(ask("", [](auto b) { b.setListTokens(); }).reply().getBody()));
  for (uint8_t seed : {1, 2, 3}) {
    const auto h = store::testing::hashOf(seed);
    out += bytesOf(capnp::canonicalize(
        ask("", [&](auto b) { b.setAuthenticate(kj::arrayPtr(h.data(), h.size())); })
            .reply()
            .getBody()));
  }
  out += bytesOf(capnp::canonicalize(
      ask("", [](auto b) { b.initLogSince().setLimit(10000); }).reply().getBody()));
  return out;
}

dns::ZoneFileSettings settings() {
  dns::ZoneFileSettings s;
  s.nameservers = {"ns1.zonepipe.test", "ns2.zonepipe.test"};
  s.soaRname = "hostmaster.zonepipe.test";
  return s;
}

class ReplayTest : public store::testing::StoreTest {
 protected:
  void SetUp() override {
    // A clock that moves, so that timestamps must come from the events.
    StoreOptions o = options();
    o.clock = [this] { return 1700000000 + 7 * ticks_++; };
    store_ = std::make_unique<Store>(o);
    a_ = zone("alice", "a.test");
    b_ = zone("alice", "b.test");
    c_ = zone("bob", "c.test");
    apply("admin-cli", createToken("alice", {"dns:*"}, bytes(store::testing::hashOf(1))));
    Msg t2 = apply("admin-cli",
                   createToken("bob", {"dns:read", "dns:list"}, bytes(store::testing::hashOf(2))));
    const std::string www = record("alice", a_, RecordType::A, "www", "192.0.2.1");
    record("alice", a_, RecordType::MX, "@", "mail.a.test", 10);
    record("alice", a_, RecordType::TXT, "@", "v=spf1 -all \"quoted\"");
    const std::string gone = record("alice", a_, RecordType::AAAA, "v6", "2001:db8::1");
    record("alice", b_, RecordType::CNAME, "alias", "www.a.test");
    record("bob", c_, RecordType::A, "*", "198.51.100.7");
    apply("alice", updateRecord(www, RecordType::A, "www.a.test", "192.0.2.99"));
    apply("alice", deleteRecord(gone));
    apply("alice", deleteZone(b_));
    zone("alice", "b.test");  // the same domain again, a new uuid
    apply("admin-cli", [&](schema::Command::Body::Builder body) {
      body.setRevokeToken(t2.reply().getBody().getTokenCreated().getId());
    });
    ASSERT_EQ(store().lastSeq(), events_.size());
    ASSERT_EQ(events_.size(), 16u);
  }

  StoreOptions rebuiltOptions(const std::string& name) const {
    StoreOptions o = options();
    o.dir = dir_.path() + "/" + name;
    o.clock = [] { return int64_t{1}; };  // must never be used
    o.recordsPerZone = 1;                 // quotas are not re-checked
    o.zonesPerUser = 1;
    return o;
  }

  std::vector<std::string> liveDomains() { return {"a.test", "b.test", "c.test"}; }

  int64_t ticks_ = 0;
  std::string a_, b_, c_;
};

TEST_F(ReplayTest, RebuiltStoreAndZoneFilesEqualTheOriginal) {
  for (size_t pageSize : {1, 4, 1000}) {
    SCOPED_TRACE(pageSize);
    VectorLogSource source(events_, pageSize);
    Store rebuilt(rebuiltOptions("rebuilt-" + std::to_string(pageSize)));
    auto result = rebuildStore(source, rebuilt);
    ASSERT_TRUE(result) << result.error().detail;
    EXPECT_EQ(result->range.count, 16u);
    EXPECT_EQ(result->domains, liveDomains());
    EXPECT_EQ(rebuilt.lastSeq(), store().lastSeq());
    EXPECT_EQ(dump(rebuilt, {"alice", "bob"}), dump(store(), {"alice", "bob"}));

    const std::string dirA = dir_.path() + "/zones-orig", dirB = dir_.path() + "/zones-rebuilt";
    auto orig = renderZones(store(), liveDomains(), settings(), dirA);
    ASSERT_TRUE(orig) << orig.error().detail;
    auto written = renderZones(rebuilt, result->domains, settings(), dirB);
    ASSERT_TRUE(written);
    EXPECT_EQ(*written, 3u);
    for (const auto& d : liveDomains()) {
      const std::string a = readFile(push::Publisher(dirA).zonePath(d));
      EXPECT_FALSE(a.empty()) << d;
      EXPECT_EQ(a, readFile(push::Publisher(dirB).zonePath(d))) << d;
    }
  }
  // Rebuilding the rebuilt store's log again changes nothing: replay is a fixed point.
}

TEST_F(ReplayTest, LogFileRoundTrips) {
  const std::string file = dir_.path() + "/log.capnp";
  VectorLogSource source(events_);
  auto written = writeLogFile(source, file);
  ASSERT_TRUE(written) << written.error().detail;
  EXPECT_EQ(written->count, 16u);
  EXPECT_EQ(written->firstSeq, 1u);
  EXPECT_EQ(written->lastSeq, 16u);
  EXPECT_FALSE(std::filesystem::exists(file + ".tmp"));

  FileLogSource fromFile(file, 4);
  Store rebuilt(rebuiltOptions("imported"));
  auto result = rebuildStore(fromFile, rebuilt);
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(dump(rebuilt, {"alice", "bob"}), dump(store(), {"alice", "bob"}));

  // An empty log is a valid file too.
  VectorLogSource none({});
  const std::string empty = dir_.path() + "/empty.capnp";
  ASSERT_TRUE(writeLogFile(none, empty));
  FileLogSource emptySource(empty);
  Store fresh(rebuiltOptions("fresh"));
  auto r = rebuildStore(emptySource, fresh);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->range.count, 0u);
  EXPECT_EQ(fresh.lastSeq(), 0u);
}

void writeBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

std::string headerBytes(uint16_t version, uint64_t count, uint64_t first, uint64_t last) {
  capnp::MallocMessageBuilder m;
  auto h = m.initRoot<schema::LogFileHeader>();
  h.setVersion(version);
  h.setCount(count);
  h.setFirstSeq(first);
  h.setLastSeq(last);
  return bytesOf(capnp::messageToFlatArray(m));
}

TEST_F(ReplayTest, DamagedLogFilesAreRefusedWithoutCrashing) {
  const std::string good = dir_.path() + "/good.capnp";
  VectorLogSource source(events_);
  ASSERT_TRUE(writeLogFile(source, good));
  const std::string bytes = readFile(good);
  const std::string header = headerBytes(schema::LOG_FILE_VERSION, 16, 1, 16);
  ASSERT_EQ(bytes.substr(0, header.size()), header);
  const std::string body = bytes.substr(header.size());
  std::string secondFirst;  // events 2, 1, 3..15: out of order
  {
    VectorLogSource s(events_);
    std::swap(s.words_[0], s.words_[1]);
    for (auto& w : s.words_) secondFirst += bytesOf(kj::heapArray<capnp::word>(w.asPtr()));
  }
  struct Case {
    std::string name;
    std::string content;
    std::string expect;  // in the error detail
  };
  for (const Case& c : std::vector<Case>{
           {"empty", "", "not a zonepipe log file"},
           {"text", "zone a.test\nwww A 192.0.2.1\n", "not a zonepipe log file"},
           {"version", headerBytes(99, 16, 1, 16) + body, "version 99"},
           {"range", headerBytes(schema::LOG_FILE_VERSION, 16, 1, 20) + body, "does not add up"},
           {"truncated", bytes.substr(0, bytes.size() - 24), "truncated"},
           {"short", headerBytes(schema::LOG_FILE_VERSION, 17, 1, 17) + body, "event 17"},
           {"trailing", bytes + "junkjunk", "after the last event"},
           {"order", header + secondFirst, "event 2 where event 1"},
       }) {
    SCOPED_TRACE(c.name);
    const std::string path = dir_.path() + "/" + c.name + ".capnp";
    writeBytes(path, c.content);
    FileLogSource file(path, 5);
    Store target(rebuiltOptions("bad-" + c.name));
    auto r = rebuildStore(file, target);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().detail.find(c.expect), std::string::npos) << r.error().detail;
  }
  FileLogSource missing(dir_.path() + "/no-such-file");
  Store target(rebuiltOptions("missing"));
  EXPECT_FALSE(rebuildStore(missing, target));
}

// Rewrites event `index` of the source with `edit`.
void editEvent(VectorLogSource& s, size_t index,
               const std::function<void(schema::Event::Builder)>& edit) {
  capnp::FlatArrayMessageReader r(s.words_[index].asPtr());
  capnp::MallocMessageBuilder m;
  m.setRoot(r.getRoot<schema::Event>());
  edit(m.getRoot<schema::Event>());
  s.words_[index] = capnp::messageToFlatArray(m);
}

TEST_F(ReplayTest, EditedLogsAreRefusedNamingTheEvent) {
  struct Case {
    std::string name;
    std::function<void(VectorLogSource&)> edit;
    std::string expect;
  };
  for (const Case& c : std::vector<Case>{
           {"gap", [](VectorLogSource& s) { s.words_.erase(s.words_.begin() + 5); },
            "event 7 cannot be replayed: expected event 6"},
           {"afterCreatedAt",
            [](VectorLogSource& s) {
              editEvent(s, 11, [](schema::Event::Builder e) {
                e.getChange().getRecordUpdated().getAfter().setCreatedAt(5);
              });
            },
            "event 12 cannot be replayed: applying it gives a different change"},
           {"afterValue",
            [](VectorLogSource& s) {
              editEvent(s, 11, [](schema::Event::Builder e) {
                e.getChange().getRecordUpdated().getAfter().setValue("192.0.2.0100");
              });
            },
            "event 12 cannot be replayed"},
           {"beforeValue",
            [](VectorLogSource& s) {
              editEvent(s, 11, [](schema::Event::Builder e) {
                e.getChange().getRecordUpdated().getBefore().setTtl(1);
              });
            },
            "event 12 cannot be replayed"},
           {"time",
            [](VectorLogSource& s) {
              editEvent(s, 5, [](schema::Event::Builder e) {
                e.getChange().getRecordCreated().setCreatedAt(42);
              });
            },
            "event 6 cannot be replayed"},
           {"badValue",
            [](VectorLogSource& s) {
              editEvent(s, 5, [](schema::Event::Builder e) {
                e.getChange().getRecordCreated().setValue("not an address");
              });
            },
            "event 6 cannot be replayed"},
           {"otherOwner",
            [](VectorLogSource& s) {
              editEvent(s, 5, [](schema::Event::Builder e) { e.getActor().setUserId("mallory"); });
            },
            "event 6 cannot be replayed: zone not found"},
           {"duplicateZone",
            [](VectorLogSource& s) {
              editEvent(s, 1, [](schema::Event::Builder e) {
                e.getChange().getZoneCreated().setDomain("a.test");
              });
            },
            "event 2 cannot be replayed"},
           {"zoneUuidTaken",
            [](VectorLogSource& s) {
              std::string first;
              {
                capnp::FlatArrayMessageReader r(s.words_[0].asPtr());
                first = r.getRoot<schema::Event>().getChange().getZoneCreated().getUuid();
              }
              editEvent(s, 1, [&](schema::Event::Builder e) {
                e.setZoneUuid(first);
                e.getChange().getZoneCreated().setUuid(first);
              });
            },
            "event 2 cannot be replayed: zone uuid"},
           {"recordUuidTaken",
            [](VectorLogSource& s) {
              std::string www;
              {
                capnp::FlatArrayMessageReader r(s.words_[5].asPtr());
                www = r.getRoot<schema::Event>().getChange().getRecordCreated().getUuid();
              }
              editEvent(s, 6, [&](schema::Event::Builder e) {
                e.getChange().getRecordCreated().setUuid(www);
              });
            },
            "event 7 cannot be replayed: it creates"},
           {"noUuid",
            [](VectorLogSource& s) {
              editEvent(s, 0, [](schema::Event::Builder e) {
                e.getChange().getZoneCreated().setUuid("");
              });
            },
            "event 1 cannot be replayed: the created zone has no uuid"},
           {"tokenHashReused",
            [](VectorLogSource& s) {
              capnp::FlatArrayMessageReader r(s.words_[3].asPtr());
              auto h = r.getRoot<schema::Event>().getChange().getTokenCreated().getHash();
              std::vector<kj::byte> hash(h.begin(), h.end());
              editEvent(s, 4, [&](schema::Event::Builder e) {
                e.getChange().getTokenCreated().setHash(kj::arrayPtr(hash.data(), hash.size()));
              });
            },
            "event 5 cannot be replayed: a token with this hash already exists"},
           {"deleteUnknown",
            [](VectorLogSource& s) {
              editEvent(s, 12, [](schema::Event::Builder e) {
                e.getChange().getRecordDeleted().setUuid("nope");
              });
            },
            "event 13 cannot be replayed: record not found"},
       }) {
    SCOPED_TRACE(c.name);
    VectorLogSource source(events_, 100);
    c.edit(source);
    Store target(rebuiltOptions("edited-" + c.name));
    auto r = rebuildStore(source, target);
    EXPECT_FALSE(r);
    if (r) continue;
    EXPECT_NE(r.error().detail.find(c.expect), std::string::npos) << r.error().detail;
    EXPECT_EQ(target.lastSeq(), 0u);  // one page: nothing of it was written
  }
}

TEST_F(ReplayTest, TargetStoreMustBeEmpty) {
  VectorLogSource source(events_);
  auto r = rebuildStore(source, store());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("not empty"), std::string::npos);
}

// Records rndc commands; answers like an empty named.
class FakeRndc : public push::Rndc {
 public:
  ProcessResult run(const std::vector<std::string>& args) override {
    calls.push_back(args.empty() ? "" : args[0] + " " + (args.size() > 1 ? args[1] : ""));
    ProcessResult r;
    r.started = true;
    r.exitCode = 0;
    return r;
  }
  const std::string& configPath() const override { return config_; }
  std::vector<std::string> calls;

 private:
  std::string config_ = "/fake/rndc.conf";
};

TEST_F(ReplayTest, DeployPushesEveryZoneThroughThePusher) {
  VectorLogSource source(events_);
  Store rebuilt(rebuiltOptions("deploy"));
  auto result = rebuildStore(source, rebuilt);
  ASSERT_TRUE(result);
  FakeRndc rndc;
  DeployTarget target;
  target.zonesDir = dir_.path() + "/named-zones";
  target.rndc = &rndc;
  auto n = deployZones(rebuilt, result->domains, settings(), target);
  ASSERT_TRUE(n) << n.error().detail;
  EXPECT_EQ(*n, 3u);
  EXPECT_EQ(rndc.calls,
            (std::vector<std::string>{"addzone a.test", "addzone b.test", "addzone c.test"}));
  const std::string expected = dir_.path() + "/expected";
  ASSERT_TRUE(renderZones(store(), liveDomains(), settings(), expected));
  for (const auto& d : liveDomains()) {
    EXPECT_EQ(readFile(target.zonesDir + "/" + d + ".zone"),
              readFile(expected + "/" + d + ".zone"));
  }
  // Without force, zones already deployed at their serial are left alone.
  rndc.calls.clear();
  target.force = false;
  ASSERT_TRUE(deployZones(rebuilt, result->domains, settings(), target));
  EXPECT_TRUE(rndc.calls.empty());
  // With force (a named that lost its zones), every zone is added again.
  target.force = true;
  ASSERT_TRUE(deployZones(rebuilt, result->domains, settings(), target));
  EXPECT_EQ(rndc.calls.size(), 3u);
}

}  // namespace
}  // namespace zp::replay
