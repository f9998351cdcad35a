// BusClient against real ZeroMQ peers over inproc://: reply matching, error
// replies, deadlines, unreachable stages and shutdown. The peer here is a bare
// ROUTER socket driven by the test, not a stand-in for the store's logic.
#include "pipelines/api/bus_client.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <optional>

#include "common/bus/frame.h"
#include "common/bus/socket.h"
#include "common/schema/codec.h"

namespace zp::api {
namespace {

using namespace std::chrono_literals;

// What a callback saw, handed to the test thread.
struct Outcome {
  bool ok = false;
  uint64_t requestId = 0;
  bool isOk = false;
  Error error;
};

class Collector {
 public:
  ReplyCallback callback() {
    return [this](Result<schema::Reply::Reader> r) {
      Outcome o;
      o.ok = r.ok();
      if (r.ok()) {
        o.requestId = r->getRequestId();
        o.isOk = r->getBody().isOk();
      } else {
        o.error = r.error();
      }
      std::lock_guard lock(mutex_);
      outcomes_.push_back(o);
      cv_.notify_all();
    };
  }
  // Waits (with a deadline) until `n` outcomes arrived.
  std::vector<Outcome> wait(size_t n, std::chrono::milliseconds deadline = 5s) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, deadline, [&] { return outcomes_.size() >= n; });
    return outcomes_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Outcome> outcomes_;
};

// Receives one request on `router` within the deadline.
std::optional<bus::Multipart> receiveWithin(zmq::socket_t& router, std::chrono::milliseconds d) {
  std::vector<zmq_pollitem_t> items = {{router.handle(), 0, ZMQ_POLLIN, 0}};
  const auto end = std::chrono::steady_clock::now() + d;
  bus::Multipart in;
  while (std::chrono::steady_clock::now() < end) {
    zmq::poll(items, 50ms);
    if (bus::receive(router, in)) return in;
  }
  return std::nullopt;
}

void reply(zmq::socket_t& router, const bus::Multipart& request, uint64_t requestId,
           const std::optional<Error>& error) {
  capnp::MallocMessageBuilder message;
  auto r = message.initRoot<schema::Reply>();
  r.setVersion(schema::PROTOCOL_VERSION);
  r.setRequestId(requestId);
  if (error) {
    schema::toSchema(*error, r.getBody().initError());
  } else {
    r.getBody().setOk();
  }
  ASSERT_TRUE(bus::send(router, request.envelope, bus::toFrame(message)));
}

void fillQuery(capnp::MallocMessageBuilder& m) {
  m.initRoot<schema::Query>().getBody().setGetZone("0b8f1c2e-4d3a-4b5c-8d9e-0123456789ab");
}

struct BusClientTest : ::testing::Test {
  zmq::context_t ctx;
  zmq::socket_t validator = bus::bindSocket(ctx, zmq::socket_type::router, "inproc://validator");
  zmq::socket_t store = bus::bindSocket(ctx, zmq::socket_type::router, "inproc://store");
  BusOptions options{{"inproc://validator"}, "inproc://store", 300ms, "", 300ms, ""};
};

TEST_F(BusClientTest, RepliesAreMatchedByRequestIdAndErrorsArriveAsErrors) {
  BusClient client(ctx, options);
  Collector collected;
  for (int i = 0; i < 2; ++i) {
    capnp::MallocMessageBuilder m;
    fillQuery(m);
    client.submitQuery(m, collected.callback());
  }
  auto first = receiveWithin(store, 2s);
  auto second = receiveWithin(store, 2s);
  ASSERT_TRUE(first && second);
  bus::Decoded a(first->payload), b(second->payload);
  const auto idA = a.root<schema::Query>().getRequestId();
  const auto idB = b.root<schema::Query>().getRequestId();
  EXPECT_NE(idA, idB);
  EXPECT_EQ(a.root<schema::Query>().getVersion(), schema::PROTOCOL_VERSION);
  // Answer in reverse order, the second one with an error.
  reply(store, *second, idB, Error{ErrorKind::kNotFound, "", "zone not found"});
  reply(store, *first, idA, std::nullopt);
  auto outcomes = collected.wait(2);
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_FALSE(outcomes[0].ok);
  EXPECT_EQ(outcomes[0].error.kind, ErrorKind::kNotFound);
  EXPECT_TRUE(outcomes[1].ok);
  EXPECT_EQ(outcomes[1].requestId, idA);
  EXPECT_TRUE(outcomes[1].isOk);
  EXPECT_EQ(client.pendingCount(), 0u);
}

TEST_F(BusClientTest, CommandsGoToTheValidator) {
  BusClient client(ctx, options);
  Collector collected;
  capnp::MallocMessageBuilder m;
  m.initRoot<schema::Command>().getBody().setDeleteZone("x");
  client.submitCommand(m, collected.callback());
  auto request = receiveWithin(validator, 2s);
  ASSERT_TRUE(request);
  bus::Decoded d(request->payload);
  reply(validator, *request, d.root<schema::Command>().getRequestId(), std::nullopt);
  auto outcomes = collected.wait(1);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_TRUE(outcomes[0].ok);
}

TEST_F(BusClientTest, NoAnswerTimesOutOnceAndLateRepliesAreDropped) {
  BusClient client(ctx, options);
  Collector collected;
  capnp::MallocMessageBuilder m;
  fillQuery(m);
  const auto start = std::chrono::steady_clock::now();
  client.submitQuery(m, collected.callback());
  auto request = receiveWithin(store, 2s);
  ASSERT_TRUE(request);
  auto outcomes = collected.wait(1);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_FALSE(outcomes[0].ok);
  EXPECT_EQ(outcomes[0].error.kind, ErrorKind::kUnavailable);
  EXPECT_NE(outcomes[0].error.detail.find("the store did not answer within 300 ms"),
            std::string::npos)
      << outcomes[0].error.detail;
  EXPECT_GE(took, 300ms);
  // A late reply finds nobody waiting: no second callback.
  bus::Decoded d(request->payload);
  reply(store, *request, d.root<schema::Query>().getRequestId(), std::nullopt);
  capnp::MallocMessageBuilder probe;
  fillQuery(probe);
  client.submitQuery(probe, collected.callback());  // a second request flushes the loop
  auto next = receiveWithin(store, 2s);
  ASSERT_TRUE(next);
  bus::Decoded n(next->payload);
  reply(store, *next, n.root<schema::Query>().getRequestId(), std::nullopt);
  outcomes = collected.wait(2);
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_TRUE(outcomes[1].ok);
  EXPECT_EQ(collected.wait(3, 100ms).size(), 2u);
}

TEST_F(BusClientTest, MissingValidatorFailsFast) {
  BusOptions lonely = options;
  // inproc:// queues into a not-yet-bound endpoint, so use a real socket path.
  char dir[] = "/tmp/zp-api-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  lonely.validatorEndpoints = {std::string("ipc://") + dir + "/validator.sock"};
  lonely.timeout = 10s;
  BusClient client(ctx, lonely);
  Collector collected;
  capnp::MallocMessageBuilder m;
  m.initRoot<schema::Command>().getBody().setDeleteZone("x");
  const auto start = std::chrono::steady_clock::now();
  client.submitCommand(m, collected.callback());
  auto outcomes = collected.wait(1);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(outcomes[0].error.kind, ErrorKind::kUnavailable);
  EXPECT_NE(outcomes[0].error.detail.find("validator"), std::string::npos);
  rmdir(dir);
}

TEST_F(BusClientTest, StopAnswersEverythingPendingAndLaterSubmissions) {
  BusClient client(ctx, options);
  Collector collected;
  capnp::MallocMessageBuilder m;
  fillQuery(m);
  client.submitQuery(m, collected.callback());
  ASSERT_TRUE(receiveWithin(store, 2s));
  client.stop();
  auto outcomes = collected.wait(1, 100ms);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].error.kind, ErrorKind::kUnavailable);
  capnp::MallocMessageBuilder late;
  fillQuery(late);
  client.submitQuery(late, collected.callback());  // answered on this thread
  EXPECT_EQ(collected.wait(2, 0ms).size(), 2u);
  EXPECT_EQ(client.pendingCount(), 0u);
}

}  // namespace
}  // namespace zp::api
