// The store's sockets over ipc:// in a temp dir: a command in, a reply out
// (through a routing envelope), the committed event published, a query
// answered, and garbage frames survived.

#include "pipelines/store/server.h"

#include <gtest/gtest.h>

#include <thread>

#include "common/bus/frame.h"
#include "common/bus/socket.h"
#include "tests/store/store_fixture.h"

namespace zp::store::testing {
namespace {

using namespace std::chrono_literals;

// Waits up to `timeout` for one whole message on `s`.
bool receiveWithin(zmq::socket_t& s, bus::Multipart& out, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::vector<zmq_pollitem_t> items{{s.handle(), 0, ZMQ_POLLIN, 0}};
    zmq::poll(items, 50ms);
    if ((items[0].revents & ZMQ_POLLIN) != 0 && bus::receive(s, out)) return true;
  }
  return false;
}

zmq::message_t frameOf(const Cmd& c) {
  capnp::MallocMessageBuilder m;
  m.setRoot(c.reader());
  return bus::toFrame(m);
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions o;
    o.dir = dir_.path() + "/store";
    o.mapSize = size_t{64} << 20;
    store_ = std::make_unique<Store>(o);
    const std::string run = "ipc://" + dir_.path() + "/";
    endpoints_ = {run + "commands.sock", run + "query.sock", run + "events.sock"};
    server_ = std::make_unique<Server>(ctx_, *store_, endpoints_, ServerOptions{16, 20ms});
    thread_ = std::thread([this] { server_->run(stop_); });
  }
  void TearDown() override {
    stop_ = true;
    thread_.join();
  }

  TempDir dir_;
  zmq::context_t ctx_;
  std::unique_ptr<Store> store_;
  ServerEndpoints endpoints_;
  std::unique_ptr<Server> server_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(ServerTest, CommandInReplyOutEventPublished) {
  zmq::socket_t events = bus::connectSocket(ctx_, zmq::socket_type::sub, endpoints_.events);
  events.set(zmq::sockopt::subscribe, "");
  zmq::socket_t commands = bus::connectSocket(ctx_, zmq::socket_type::dealer, endpoints_.commands);

  // Garbage first: dropped, and the store keeps serving.
  ASSERT_TRUE(commands.send(zmq::buffer("junk", 4), zmq::send_flags::none));
  ASSERT_TRUE(commands.send(zmq::buffer("12345678", 8), zmq::send_flags::none));

  // A subscription takes effect asynchronously: create zones until one event
  // arrives, then the next command's event must arrive too.
  bus::Multipart reply, event;
  bool subscribed = false;
  for (int i = 0; i < 100 && !subscribed; ++i) {
    Cmd c("alice", createZone("warmup" + std::to_string(i) + ".example"), 1000 + uint64_t(i));
    std::vector<zmq::message_t> envelope;  // DEALER: the ROUTER adds our identity
    ASSERT_TRUE(bus::send(commands, envelope, frameOf(c), false));
    ASSERT_TRUE(receiveWithin(commands, reply, 5s)) << "no reply from the store";
    subscribed = receiveWithin(events, event, 100ms);
  }
  ASSERT_TRUE(subscribed) << "no event was ever published";
  while (receiveWithin(events, event, 50ms)) {
  }

  // A routing envelope the validator would add (an inner identity) comes back intact.
  std::vector<zmq::message_t> envelope;
  envelope.emplace_back("api-7", 5);
  Cmd c("alice", createZone("example.com"), 77);
  ASSERT_TRUE(bus::send(commands, envelope, frameOf(c), false));
  ASSERT_TRUE(receiveWithin(commands, reply, 5s));
  ASSERT_EQ(reply.envelope.size(), 1u);
  EXPECT_EQ(reply.envelope[0].to_string(), "api-7");
  bus::Decoded r(reply.payload);
  auto rr = r.root<schema::Reply>();
  EXPECT_EQ(rr.getRequestId(), 77u);
  ASSERT_TRUE(rr.getBody().isZone());
  const std::string uuid = rr.getBody().getZone().getZone().getUuid();
  const uint64_t serial = rr.getBody().getZone().getZone().getSerial();

  ASSERT_TRUE(receiveWithin(events, event, 5s)) << "the committed event was not published";
  bus::Decoded e(event.payload);
  auto ev = e.root<schema::Event>();
  EXPECT_EQ(ev.getSeq(), serial);
  ASSERT_TRUE(ev.getChange().isZoneCreated());
  EXPECT_EQ(std::string(ev.getChange().getZoneCreated().getUuid()), uuid);

  // The query socket answers from the committed state.
  zmq::socket_t query = bus::connectSocket(ctx_, zmq::socket_type::dealer, endpoints_.query);
  ASSERT_TRUE(query.send(zmq::buffer("garbage!", 8), zmq::send_flags::none));
  capnp::MallocMessageBuilder qm;
  auto q = qm.initRoot<schema::Query>();
  q.setVersion(schema::PROTOCOL_VERSION);
  q.setRequestId(5);
  q.setUserId("alice");
  q.getBody().setGetZone(uuid);
  ASSERT_TRUE(bus::send(query, {}, bus::toFrame(qm), false));
  bus::Multipart answer;
  ASSERT_TRUE(receiveWithin(query, answer, 5s));
  bus::Decoded a(answer.payload);
  EXPECT_EQ(a.root<schema::Reply>().getRequestId(), 5u);
  ASSERT_TRUE(a.root<schema::Reply>().getBody().isZone());
  EXPECT_EQ(std::string(a.root<schema::Reply>().getBody().getZone().getZone().getDomain()),
            "example.com");
}

}  // namespace
}  // namespace zp::store::testing
