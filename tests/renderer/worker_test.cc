// The renderer's socket loop against an in-process fake store and fake
// pusher over inproc://, with the real zone file renderer and named-checkzone.
#include "pipelines/render/worker.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <thread>

#include "common/bus/frame.h"
#include "common/bus/socket.h"
#include "common/schema/codec.h"
#include "pipelines/render/cursor_file.h"

namespace zp::render {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// The store and the pusher as the renderer sees them: a log of events, the
// zones as they are now, a PUB socket, and acks for every deploy.
class FakePipeline {
 public:
  explicit FakePipeline(zmq::context_t& ctx)
      : events_(bus::bindSocket(ctx, zmq::socket_type::pub, "inproc://store-events")),
        query_(bus::bindSocket(ctx, zmq::socket_type::router, "inproc://store-query")),
        push_(bus::bindSocket(ctx, zmq::socket_type::router, "inproc://push")) {}

  // Commits an event touching `domain`, publishing it unless `lose`: the
  // zone's creation (an empty zone) when it does not exist, its deletion when
  // `deleted`, else one more A record `www<seq>`.
  void commit(const std::string& domain, bool deleted = false, bool lose = false) {
    const uint64_t seq = log_.size() + 1;
    Logged logged{domain, Logged::kRecord, {}};
    if (deleted) {
      zones_.erase(domain);
      logged.kind = Logged::kDeleted;
    } else if (!zones_.count(domain)) {
      dns::ZoneSnapshot& z = zones_[domain];
      z.zone.domain = domain;
      z.zone.uuid = "uuid-" + domain;
      z.zone.serial = seq;
      logged.kind = Logged::kCreated;
    } else {
      dns::ZoneSnapshot& z = zones_[domain];
      z.zone.serial = seq;
      dns::Record r;
      r.uuid = "r" + std::to_string(seq);
      r.zoneUuid = z.zone.uuid;
      r.data = {dns::RecordType::kA, "www" + std::to_string(seq), "192.0.2.1", 300, {}};
      z.records.push_back(r);
      z.zone.recordCount = static_cast<uint32_t>(z.records.size());
      logged.record = r;
    }
    log_.push_back(logged);
    if (lose) return;
    capnp::MallocMessageBuilder message;
    fill(message.initRoot<schema::Event>(), seq);
    events_.send(bus::toFrame(message), zmq::send_flags::none);
  }

  // Serves queries and acks deploys until `done` holds or the deadline passes.
  template <typename Pred>
  bool serveUntil(Pred done, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    const auto deadline = Clock::now() + limit;
    std::vector<zmq_pollitem_t> items = {{query_.handle(), 0, ZMQ_POLLIN, 0},
                                         {push_.handle(), 0, ZMQ_POLLIN, 0}};
    while (!done()) {
      if (Clock::now() > deadline) return false;
      zmq::poll(items, std::chrono::milliseconds(20));
      bus::Multipart in;
      while (bus::receive(query_, in)) answer(in);
      while (bus::receive(push_, in)) acknowledge(in);
    }
    return true;
  }

  uint64_t lastSeq() const { return log_.size(); }
  std::map<std::string, uint64_t> deployedSerial;  // what the fake named serves
  std::map<std::string, std::string> deployedText;
  size_t deployCount = 0;

 private:
  void answer(bus::Multipart& in) {
    bus::Decoded decoded(in.payload);
    auto query = decoded.root<schema::Query>();
    capnp::MallocMessageBuilder message;
    auto reply = message.initRoot<schema::Reply>();
    reply.setVersion(schema::PROTOCOL_VERSION);
    reply.setRequestId(query.getRequestId());
    auto body = query.getBody();
    if (body.isLogSince()) {
      const uint64_t after = body.getLogSince().getAfter();
      const uint64_t count = after < log_.size() ? log_.size() - after : 0;
      auto events = reply.getBody().initEvents();
      events.setLastSeq(log_.size());
      auto items = events.initItems(static_cast<unsigned>(count));
      for (uint64_t i = 0; i < count; ++i) fill(items[static_cast<unsigned>(i)], after + i + 1);
    } else if (body.isZoneSnapshot()) {
      auto it = zones_.find(body.getZoneSnapshot());
      if (it == zones_.end()) {
        schema::toSchema(Error{ErrorKind::kNotFound, "", "no such zone"},
                         reply.getBody().initError());
      } else {
        auto zone = reply.getBody().initZone();
        schema::toSchema(it->second.zone, zone.initZone());
        auto records = zone.initRecords(static_cast<unsigned>(it->second.records.size()));
        for (unsigned i = 0; i < records.size(); ++i) {
          schema::toSchema(it->second.records[i], records[i]);
        }
      }
    }
    ASSERT_TRUE(bus::send(query_, in.envelope, bus::toFrame(message)));
  }

  void acknowledge(bus::Multipart& in) {
    bus::Decoded decoded(in.payload);
    auto deploy = decoded.root<schema::Deploy>();
    ++deployCount;
    if (deploy.getBody().isRemove()) {
      deployedSerial.erase(deploy.getDomain());
      deployedText.erase(deploy.getDomain());
    } else if (deploy.getBody().isDelta()) {  // the fake named applies the added lines
      deployedSerial[deploy.getDomain()] = deploy.getSerial();
      for (auto op : deploy.getBody().getDelta().getOps()) {
        if (op.getAdd()) deployedText[deploy.getDomain()] += std::string(op.getRr()) + "\n";
      }
    } else {
      deployedSerial[deploy.getDomain()] = deploy.getSerial();
      deployedText[deploy.getDomain()] = deploy.getBody().getZoneFile();
    }
    capnp::MallocMessageBuilder message;
    auto ack = message.initRoot<schema::DeployAck>();
    ack.setVersion(schema::PROTOCOL_VERSION);
    ack.setDomain(deploy.getDomain());
    ack.setSerial(deploy.getSerial());
    ack.setOk(true);
    ASSERT_TRUE(bus::send(push_, in.envelope, bus::toFrame(message)));
  }

  zmq::socket_t events_;
  zmq::socket_t query_;
  zmq::socket_t push_;
  struct Logged {
    std::string domain;
    enum Kind { kCreated, kRecord, kDeleted } kind;
    dns::Record record;
  };
  void fill(schema::Event::Builder event, uint64_t seq) const {
    const Logged& l = log_.at(seq - 1);
    event.setSeq(seq);
    event.setDomain(l.domain);
    event.setTime(1);
    switch (l.kind) {
      case Logged::kCreated: {
        auto z = event.getChange().initZoneCreated();
        z.setDomain(l.domain);
        z.setUuid("uuid-" + l.domain);
        z.setSerial(seq);
        break;
      }
      case Logged::kRecord:
        schema::toSchema(l.record, event.getChange().initRecordCreated());
        break;
      case Logged::kDeleted:
        event.getChange().initZoneDeleted().setDomain(l.domain);
        break;
    }
  }
  std::vector<Logged> log_;  // event of seq i+1
  std::map<std::string, dns::ZoneSnapshot> zones_;
};

// Runs runRenderer on a thread until destroyed.
class RendererThread {
 public:
  RendererThread(zmq::context_t& ctx, const config::Config& cfg)
      : thread_([&ctx, cfg, this] { runRenderer(ctx, cfg, stop_); }) {}
  ~RendererThread() {
    stop_ = true;
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class RendererWorkerTest : public ::testing::Test {
 protected:
  RendererWorkerTest() {
    std::string pattern = (fs::temp_directory_path() / "zp-renderer-XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data());
    cfg_.storeEvents = "inproc://store-events";
    cfg_.storeQuery = "inproc://store-query";
    cfg_.pushEndpoint = "inproc://push";
    cfg_.rendererStateDir = dir_ + "/renderer";
  }
  ~RendererWorkerTest() override { fs::remove_all(dir_); }

  uint64_t savedCursor() const { return CursorFile(cfg_.rendererStateDir).load(); }

  std::string dir_;
  config::Config cfg_;
  zmq::context_t ctx_;
};

TEST_F(RendererWorkerTest, CatchesUpFollowsLiveEventsAndSavesTheCursor) {
  FakePipeline store(ctx_);
  store.commit("a.test");
  store.commit("b.test");
  store.commit("a.test");
  {
    RendererThread renderer(ctx_, cfg_);
    ASSERT_TRUE(store.serveUntil(
        [&] { return store.deployedSerial.size() == 2 && store.deployedSerial["a.test"] == 3; }));
    EXPECT_NE(store.deployedText["a.test"].find("www3.a.test."), std::string::npos);
    // live: the renderer is subscribed by now (it answered queries), but PUB
    // may still drop; the log poll covers that either way.
    store.commit("c.test");
    store.commit("b.test", /*deleted=*/true);
    ASSERT_TRUE(store.serveUntil([&] {
      return store.deployedSerial.count("c.test") == 1 && store.deployedSerial.count("b.test") == 0;
    }));
    ASSERT_TRUE(store.serveUntil([&] { return savedCursor() == store.lastSeq(); }));
  }
  EXPECT_EQ(savedCursor(), 5u);
}

TEST_F(RendererWorkerTest, ALostEventIsFoundByTheLogPoll) {
  FakePipeline store(ctx_);
  RendererThread renderer(ctx_, cfg_);
  // Let it catch up with the empty log first, so only the idle poll can find the event.
  EXPECT_FALSE(store.serveUntil([] { return false; }, std::chrono::milliseconds(300)));
  store.commit("lost.test", false, /*lose=*/true);
  ASSERT_TRUE(store.serveUntil([&] { return store.deployedSerial["lost.test"] == 1; }));
  ASSERT_TRUE(store.serveUntil([&] { return savedCursor() == 1; }));
}

TEST_F(RendererWorkerTest, ResumesFromItsCursorWithoutRedeploying) {
  FakePipeline store(ctx_);
  for (int i = 0; i < 3; ++i) store.commit("old.test");
  store.commit("new.test", false, /*lose=*/true);
  CursorFile(cfg_.rendererStateDir).save(3);
  RendererThread renderer(ctx_, cfg_);
  ASSERT_TRUE(store.serveUntil([&] { return savedCursor() == 4; }));
  EXPECT_EQ(store.deployedSerial.count("old.test"), 0u);
  EXPECT_EQ(store.deployedSerial["new.test"], 4u);
  EXPECT_EQ(store.deployCount, 1u);
}

}  // namespace
}  // namespace zp::render
