// The gate's Pistache side (http_gate.h) on a real Pistache endpoint with a
// short request timeout: a request that stops arriving gets the JSON 408 and
// the connection is closed; a slow one within the limit, and an idle
// keep-alive connection, are left alone. (The parser's rules are in
// request_framing_test.cc; the API's own server in server_test.cc.)

#include "pipelines/api/http_gate.h"

#include <gtest/gtest.h>
#include <pistache/endpoint.h>
#include <pistache/router.h>
#include <rapidjson/document.h>

#include <chrono>
#include <memory>
#include <string>

#include "tests/api/http_client.h"

namespace zp::api {
namespace {

using namespace std::chrono_literals;
using namespace Pistache;
using testing::HttpReply;
using testing::RawConnection;

class HttpGateTest : public ::testing::Test {
 protected:
  HttpGateTest() : endpoint_(Address(Ipv4::loopback(), Port(0))) {
    Rest::Routes::Post(router_, "/echo", [](const Rest::Request& req, Http::ResponseWriter rw) {
      rw.send(Http::Code::Ok, req.body());
      return Rest::Route::Result::Ok;
    });
    endpoint_.init(
        Http::Endpoint::options().threads(1).headerTimeout(30s).bodyTimeout(30s).keepaliveTimeout(
            30s));
    GateSettings settings;
    settings.requestTimeout = 300ms;
    handler_ = makeGateHandler(router_, settings);
    endpoint_.setHandler(handler_);
    endpoint_.serveThreaded();
  }
  ~HttpGateTest() override {
    stopGateTimeouts(*handler_);  // as ApiServer::shutdown does
    endpoint_.shutdown();
  }

  uint16_t port() { return static_cast<uint16_t>(endpoint_.getPort()); }

  Rest::Router router_;
  Http::Endpoint endpoint_;
  std::shared_ptr<Http::Handler> handler_;
};

TEST_F(HttpGateTest, ARequestThatStopsArrivingGetsAJson408AndIsClosed) {
  const struct {
    const char* what;
    const char* sent;
  } cases[] = {
      {"headers", "POST /echo HTTP/1.1\r\nHost: a"},
      {"Content-Length body", "POST /echo HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc"},
      {"chunked body", "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"},
  };
  for (const auto& c : cases) {
    RawConnection connection(port());
    connection.send(c.sent);
    const HttpReply reply = connection.read(false, 5000ms);
    EXPECT_EQ(reply.status, 408) << c.what;
    EXPECT_EQ(reply.header("content-type"), "application/json") << c.what;
    EXPECT_EQ(reply.header("connection"), "close") << c.what;
    rapidjson::Document body;
    body.Parse(reply.body.c_str());
    ASSERT_TRUE(body.IsObject()) << c.what << ": " << reply.body;
    EXPECT_STREQ(body["error_code"].GetString(), "request_timeout") << c.what;
    EXPECT_TRUE(connection.closedByServer()) << c.what;
  }
}

TEST_F(HttpGateTest, SlowRequestsWithinTheLimitAndIdleConnectionsAreLeftAlone) {
  RawConnection connection(port());
  const std::string request =
      "POST /echo HTTP/1.1\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nhi";
  for (const char c : request) connection.send(std::string(1, c));  // one byte per read
  EXPECT_EQ(connection.read().body, "hi");
  // Idle past the request timeout: not a request in progress, so no 408.
  EXPECT_FALSE(connection.closedByServer(600ms));
  connection.send(request);
  EXPECT_EQ(connection.read().body, "hi");
}

}  // namespace
}  // namespace zp::api
