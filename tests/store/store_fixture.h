#pragma once
// Test helpers: a temporary directory, capnp-built Commands and Queries, and
// owning views of the flat-array replies and events the Store returns.

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <array>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pipelines/store/store.h"
#include "schema/pipeline.capnp.h"

namespace zp::store::testing {

// A fresh directory below the system temp dir, removed at destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "zp-store-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// An owning decoded message (a Reply or an Event).
class Msg {
 public:
  explicit Msg(kj::ArrayPtr<const capnp::word> words)
      : words_(kj::heapArray<capnp::word>(words)),
        reader_(std::make_unique<capnp::FlatArrayMessageReader>(words_.asPtr())) {}
  schema::Reply::Reader reply() const { return reader_->getRoot<schema::Reply>(); }
  schema::Event::Reader event() const { return reader_->getRoot<schema::Event>(); }
  kj::ArrayPtr<const capnp::word> words() const { return words_.asPtr(); }

 private:
  kj::Array<capnp::word> words_;
  std::unique_ptr<capnp::FlatArrayMessageReader> reader_;
};

using BodyFill = std::function<void(schema::Command::Body::Builder)>;

// One built Command; the reader stays valid as long as this object.
class Cmd {
 public:
  Cmd(std::string user, BodyFill fill, uint64_t requestId = 7,
      uint16_t version = schema::PROTOCOL_VERSION)
      : m_(std::make_unique<capnp::MallocMessageBuilder>()) {
    auto c = m_->initRoot<schema::Command>();
    c.setVersion(version);
    c.setRequestId(requestId);
    c.getActor().setUserId(user);
    c.getActor().setTokenId("tok_test");
    fill(c.getBody());
  }
  schema::Command::Reader reader() const { return m_->getRoot<schema::Command>().asReader(); }

 private:
  std::unique_ptr<capnp::MallocMessageBuilder> m_;
};

inline BodyFill createZone(std::string domain) {
  return [domain](schema::Command::Body::Builder b) { b.setCreateZoneValid(domain); };
}
inline BodyFill deleteZone(std::string uuid) {
  return [uuid](schema::Command::Body::Builder b) { b.setDeleteZone(uuid); };
}
inline BodyFill deleteRecord(std::string uuid) {
  return [uuid](schema::Command::Body::Builder b) { b.setDeleteRecord(uuid); };
}
inline BodyFill createRecord(std::string zoneUuid, schema::RecordType type, std::string name,
                             std::string value, std::optional<uint16_t> priority = {}) {
  return [=](schema::Command::Body::Builder b) {
    auto g = b.initCreateRecordValid();
    g.setZoneUuid(zoneUuid);
    auto r = g.initRecord();
    r.setType(type);
    r.setName(name);
    r.setValue(value);
    r.setTtl(3600);
    r.setHasPriority(priority.has_value());
    r.setPriority(priority.value_or(0));
  };
}
inline BodyFill updateRecord(std::string recordUuid, schema::RecordType type, std::string name,
                             std::string value, std::optional<uint16_t> priority = {}) {
  return [=](schema::Command::Body::Builder b) {
    auto g = b.initUpdateRecordValid();
    g.setRecordUuid(recordUuid);
    auto r = g.initRecord();
    r.setType(type);
    r.setName(name);
    r.setValue(value);
    r.setTtl(600);
    r.setHasPriority(priority.has_value());
    r.setPriority(priority.value_or(0));
  };
}
inline std::array<uint8_t, 32> hashOf(uint8_t seed) {
  std::array<uint8_t, 32> h{};
  for (size_t i = 0; i < h.size(); ++i) h[i] = static_cast<uint8_t>(seed + i);
  return h;
}
inline BodyFill createToken(std::string userId, std::vector<std::string> permissions,
                            std::vector<uint8_t> hash) {
  return [=](schema::Command::Body::Builder b) {
    auto g = b.initCreateToken();
    g.setUserId(userId);
    auto list = g.initPermissions(static_cast<unsigned>(permissions.size()));
    for (unsigned i = 0; i < list.size(); ++i) list.set(i, permissions[i]);
    g.setHash(kj::arrayPtr(hash.data(), hash.size()));
  };
}
inline std::vector<uint8_t> bytes(const std::array<uint8_t, 32>& h) { return {h.begin(), h.end()}; }

using QueryFill = std::function<void(schema::Query::Builder)>;

// The users the store tests act as.
inline const std::string kAlice = "alice";
inline const std::string kBob = "bob";

// A store in a temp dir with a fixed clock, and shortcuts to drive it.
class StoreTest : public ::testing::Test {
 protected:
  static constexpr int64_t kNow = 1700000000;

  StoreOptions options() const {
    StoreOptions o;
    o.dir = dir_.path() + "/store";
    o.mapSize = mapSize_;
    o.mapSizeMax = mapSizeMax_;
    o.zonesPerUser = zonesPerUser_;
    o.recordsPerZone = recordsPerZone_;
    o.nameservers = nameservers_;
    o.clock = [this] { return now_; };
    o.firstSeq = firstSeq_;
    return o;
  }
  Store& store() {
    if (!store_) store_ = std::make_unique<Store>(options());
    return *store_;
  }
  void reopen() {
    store_.reset();
    store_ = std::make_unique<Store>(options());
  }

  // Applies a batch; replies are returned, events appended to events_.
  std::vector<Msg> batch(const std::vector<const Cmd*>& cmds) {
    std::vector<schema::Command::Reader> readers;
    for (const Cmd* c : cmds) readers.push_back(c->reader());
    BatchResult r = store().applyBatch(readers);
    std::vector<Msg> out;
    for (auto& w : r.replies) out.emplace_back(w.asPtr());
    for (auto& w : r.events) events_.emplace_back(w.asPtr());
    return out;
  }
  Msg apply(const std::string& user, BodyFill fill) {
    Cmd c(user, std::move(fill));
    return std::move(batch({&c}).front());
  }
  Msg query(const std::string& user, QueryFill fill) {
    capnp::MallocMessageBuilder m;
    auto q = m.initRoot<schema::Query>();
    q.setVersion(schema::PROTOCOL_VERSION);
    q.setRequestId(9);
    q.setUserId(user);
    fill(q);
    kj::Array<capnp::word> words = store().query(q.asReader());
    return Msg(words.asPtr());
  }
  // Creates a zone and returns its uuid (fails the test otherwise).
  std::string zone(const std::string& user, const std::string& domain) {
    Msg r = apply(user, createZone(domain));
    EXPECT_TRUE(r.reply().getBody().isZone()) << domain;
    if (!r.reply().getBody().isZone()) return "";
    return r.reply().getBody().getZone().getZone().getUuid();
  }
  std::string record(const std::string& user, const std::string& zoneUuid, schema::RecordType type,
                     const std::string& name, const std::string& value,
                     std::optional<uint16_t> priority = {}) {
    Msg r = apply(user, createRecord(zoneUuid, type, name, value, priority));
    EXPECT_TRUE(r.reply().getBody().isRecord())
        << name << " " << value << ": "
        << (r.reply().getBody().isError() ? r.reply().getBody().getError().getDetail().cStr() : "");
    if (!r.reply().getBody().isRecord()) return "";
    return r.reply().getBody().getRecord().getUuid();
  }

  // Replays every event so far into a fresh store beside this one (same
  // options, its own directory); returns the replay's outcome. The rebuilt
  // store lives until the next call.
  Status replayAll() {
    rebuiltDir_ = std::make_unique<TempDir>();
    StoreOptions o = options();
    o.dir = rebuiltDir_->path() + "/store";
    rebuilt_ = std::make_unique<Store>(o);
    std::vector<schema::Event::Reader> readers;
    for (const Msg& m : events_) readers.push_back(m.event());
    return rebuilt_->replay(readers);
  }
  Store& rebuilt() { return *rebuilt_; }

  TempDir dir_;
  std::unique_ptr<TempDir> rebuiltDir_;
  std::unique_ptr<Store> rebuilt_;
  size_t mapSize_ = size_t{64} << 20;
  size_t mapSizeMax_ = size_t{64} << 20;
  uint32_t zonesPerUser_ = 1000;
  uint32_t recordsPerZone_ = 10000;
  std::vector<std::string> nameservers_ = {"ns1.zonepipe.test", "ns2.zonepipe.test"};
  uint64_t firstSeq_ = 1;  // of a new store's log
  int64_t now_ = kNow;     // the store's clock
  std::unique_ptr<Store> store_;
  std::vector<Msg> events_;
};

// The error kind of a reply, or nullopt when it is not an error.
inline std::optional<schema::ErrorKind> errorOf(const Msg& m) {
  auto b = m.reply().getBody();
  if (!b.isError()) return std::nullopt;
  return b.getError().getKind();
}

}  // namespace zp::store::testing
