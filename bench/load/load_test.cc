// Tests of the load generator's pieces: HTTP response parsing, request bytes,
// DNS packets, percentiles, and HttpConn/DnsProbe against local fake servers.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "bench/load/dns_probe.h"
#include "bench/load/http_conn.h"
#include "bench/load/stats.h"

namespace zp::bench {
namespace {

struct ReplyCase {
  const char* name;
  std::string bytes;
  bool ok;
  bool complete;
  int status;
  std::string body;
  size_t consumed;
};

TEST(ParseHttpReply, Table) {
  const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
  const std::vector<ReplyCase> cases = {
      {"content length", ok, true, true, 200, "{}", ok.size()},
      {"followed by more bytes", ok + "HTTP/1.1", true, true, 200, "{}", ok.size()},
      {"body incomplete", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n{}", true, false, 0, "", 0},
      {"head incomplete", "HTTP/1.1 200 OK\r\nContent-Le", true, false, 0, "", 0},
      {"header case", "HTTP/1.1 201 Created\r\ncontent-LENGTH: 1\r\n\r\nx", true, true, 201, "x",
       44},
      {"204 has no body", "HTTP/1.1 204 No Content\r\n\r\n", true, true, 204, "", 27},
      {"chunked",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n", true,
       true, 200, "abc", 65},
      {"chunked incomplete", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n",
       true, false, 0, "", 0},
      {"not http", "SSH-2.0-OpenSSH\r\n\r\n", false, false, 0, "", 0},
      {"status not a number", "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n", false, false, 0, "",
       0},
      {"negative length", "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n", false, false, 0, "", 0},
      {"no length", "HTTP/1.1 200 OK\r\nServer: x\r\n\r\nbody", false, false, 0, "", 0},
      {"header without colon", "HTTP/1.1 200 OK\r\nbroken\r\n\r\n", false, false, 0, "", 0},
      {"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false,
       false, 0, "", 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = parseHttpReply(c.bytes);
    ASSERT_EQ(r.ok(), c.ok);
    if (!r.ok()) continue;
    EXPECT_EQ(r->complete, c.complete);
    if (!c.complete) continue;
    EXPECT_EQ(r->reply.status, c.status);
    EXPECT_EQ(r->reply.body, c.body);
    EXPECT_EQ(r->consumed, c.consumed);
  }
}

TEST(ParseHttpReply, ConnectionClose) {
  auto r = parseHttpReply("HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->reply.serverCloses);
}

TEST(BuildRequest, KeepAliveTokenAndBody) {
  EXPECT_EQ(buildRequest("GET", "/x/", "", "", 80),
            "GET /x/ HTTP/1.1\r\nHost: 127.0.0.1:80\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(buildRequest("POST", "/y/", "vps_t", "{}", 8080),
            "POST /y/ HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nConnection: keep-alive\r\n"
            "Authorization: Bearer vps_t\r\nContent-Type: application/json\r\n"
            "Content-Length: 2\r\n\r\n{}");
}

TEST(Percentile, NearestRank) {
  const std::vector<double> ten = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_EQ(percentile(ten, 50), 5);
  EXPECT_EQ(percentile(ten, 90), 9);
  EXPECT_EQ(percentile(ten, 99), 10);
  EXPECT_EQ(percentile(ten, 100), 10);
  EXPECT_EQ(percentile({}, 50), 0);
  EXPECT_EQ(percentile({7}, 1), 7);
  const Summary s = summarize({3, 1, 2});
  EXPECT_EQ(s.count, 3u);
  EXPECT_EQ(s.p50, 2);
  EXPECT_EQ(s.max, 3);
  EXPECT_DOUBLE_EQ(s.mean, 2);
}

TEST(Ipv4, Table) {
  struct Case {
    const char* text;
    bool ok;
    Ipv4 want;
  };
  const std::vector<Case> cases = {
      {"192.0.2.1", true, {192, 0, 2, 1}},
      {"0.0.0.0", true, {0, 0, 0, 0}},
      {"255.255.255.255", true, {255, 255, 255, 255}},
      {"256.1.1.1", false, {}},
      {"1.2.3", false, {}},
      {"1.2.3.4.5", false, {}},
      {"01.2.3.4", false, {}},
      {"1..3.4", false, {}},
      {"a.b.c.d", false, {}},
      {"", false, {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto r = parseIpv4(c.text);
    ASSERT_EQ(r.has_value(), c.ok);
    if (c.ok) {
      EXPECT_EQ(*r, c.want);
    }
  }
}

TEST(BuildQuery, WireFormat) {
  auto q = buildQuery(0x1234, "www.example.test.", kTypeA);
  ASSERT_TRUE(q.ok());
  const std::string want = std::string("\x12\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12) +
                           "\x03www\x07" + "example\x04test" +
                           std::string("\x00\x00\x01\x00\x01", 5);
  EXPECT_EQ(*q, want);
  EXPECT_FALSE(buildQuery(1, "", kTypeA).ok());
  EXPECT_FALSE(buildQuery(1, "a..b", kTypeA).ok());
  EXPECT_FALSE(buildQuery(1, std::string(64, 'a') + ".test", kTypeA).ok());
  std::string longName;
  for (int i = 0; i < 5; ++i) longName += std::string(60, 'a') + ".";
  EXPECT_FALSE(buildQuery(1, longName, kTypeA).ok());
}

// A reply to `query` with one A answer (compressed owner name) for `addr`.
std::string answerA(const std::string& query, Ipv4 addr, int rcode = 0) {
  std::string r = query;
  r[2] = static_cast<char>(0x84);  // QR, AA
  r[3] = static_cast<char>(rcode);
  r[7] = 1;  // ANCOUNT
  r += std::string("\xc0\x0c\x00\x01\x00\x01\x00\x00\x01\x2c\x00\x04", 12);
  for (auto b : addr) r.push_back(static_cast<char>(b));
  return r;
}

TEST(ParseDnsReply, Table) {
  const std::string q = *buildQuery(7, "a.test", kTypeA);
  auto good = parseDnsReply(std::string_view(answerA(q, {192, 0, 2, 9})));
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->id, 7);
  EXPECT_EQ(good->rcode, 0);
  ASSERT_EQ(good->addresses.size(), 1u);
  EXPECT_EQ(good->addresses[0], (Ipv4{192, 0, 2, 9}));

  std::string nx = q;
  nx[2] = static_cast<char>(0x84);
  nx[3] = 3;
  auto nxdomain = parseDnsReply(std::string_view(nx));
  ASSERT_TRUE(nxdomain.ok());
  EXPECT_EQ(nxdomain->rcode, 3);
  EXPECT_TRUE(nxdomain->addresses.empty());

  EXPECT_FALSE(parseDnsReply(std::string_view(q)).ok());  // a query, not a reply
  const std::string full = answerA(q, {1, 2, 3, 4});
  EXPECT_FALSE(parseDnsReply(std::string_view(full).substr(0, full.size() - 2)).ok());
  EXPECT_FALSE(parseDnsReply(std::string_view("\x00\x07\x80", 3)).ok());
}

// Listens on 127.0.0.1:0 (TCP or UDP); returns fd and port.
std::pair<int, uint16_t> listenLocal(int type) {
  const int fd = ::socket(AF_INET, type, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  if (type == SOCK_STREAM) {
    EXPECT_EQ(::listen(fd, 4), 0);
  }
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return {fd, ntohs(a.sin_port)};
}

TEST(HttpConn, KeepAliveThenReconnectAfterClose) {
  auto [lfd, port] = listenLocal(SOCK_STREAM);
  std::thread server([lfd = lfd] {
    // First connection: two requests answered (the second in two pieces), then closed.
    int c = ::accept(lfd, nullptr, nullptr);
    char buf[4096];
    ASSERT_GT(::recv(c, buf, sizeof buf, 0), 0);
    const std::string r1 = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none";
    ::send(c, r1.data(), r1.size(), 0);
    ASSERT_GT(::recv(c, buf, sizeof buf, 0), 0);
    ::send(c, "HTTP/1.1 201 Created\r\nContent-Le", 32, 0);
    ::send(c, "ngth: 3\r\n\r\ntwo", 14, 0);
    ASSERT_GT(::recv(c, buf, sizeof buf, 0), 0);
    ::close(c);  // the third request gets no answer
    // Second connection: one answer.
    c = ::accept(lfd, nullptr, nullptr);
    ASSERT_GT(::recv(c, buf, sizeof buf, 0), 0);
    const std::string r4 = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
    ::send(c, r4.data(), r4.size(), 0);
    ::close(c);
  });
  HttpConn conn(port, std::chrono::milliseconds(5000));
  const std::string req = buildRequest("GET", "/", "", "", port);
  auto a = conn.exchange(req);
  ASSERT_TRUE(a.ok()) << a.error().detail;
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(a->body, "one");
  auto b = conn.exchange(req);
  ASSERT_TRUE(b.ok()) << b.error().detail;
  EXPECT_EQ(b->status, 201);
  EXPECT_EQ(b->body, "two");
  EXPECT_EQ(conn.connects(), 1);
  auto c = conn.exchange(req);
  EXPECT_FALSE(c.ok());
  auto d = conn.exchange(req);
  ASSERT_TRUE(d.ok()) << d.error().detail;
  EXPECT_EQ(d->status, 404);
  EXPECT_EQ(conn.connects(), 2);
  server.join();
  ::close(lfd);
}

TEST(HttpConn, TimeoutAndRefused) {
  auto [lfd, port] = listenLocal(SOCK_STREAM);  // accepts (backlog) but never answers
  HttpConn silent(port, std::chrono::milliseconds(200));
  auto r = silent.exchange(buildRequest("GET", "/", "", "", port));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("no complete response"), std::string::npos);
  ::close(lfd);
  HttpConn refused(port, std::chrono::milliseconds(200));
  auto e = refused.exchange(buildRequest("GET", "/", "", "", port));
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().detail.find("connect"), std::string::npos);
}

TEST(DnsProbe, WaitsUntilTheAddressIsServed) {
  auto [ufd, port] = listenLocal(SOCK_DGRAM);
  // Answers NXDOMAIN to the first three queries, then the address; stops after that.
  std::thread server([ufd = ufd] {
    for (int n = 0; n < 4; ++n) {
      char buf[512];
      sockaddr_in from{};
      socklen_t len = sizeof from;
      const ssize_t got =
          ::recvfrom(ufd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
      ASSERT_GT(got, 12);
      const std::string q(buf, static_cast<size_t>(got));
      std::string reply;
      if (n < 3) {
        reply = q;
        reply[2] = static_cast<char>(0x84);
        reply[3] = 3;
      } else {
        reply = answerA(q, {198, 51, 100, 7});
      }
      ::sendto(ufd, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  });
  DnsProbe probe(port);
  int queries = 0;
  const auto start = DnsProbe::Clock::now();
  auto at = probe.waitForAddress("x.test", {198, 51, 100, 7}, std::chrono::microseconds(500),
                                 start + std::chrono::seconds(5), queries);
  ASSERT_TRUE(at.ok()) << at.error().detail;
  EXPECT_GE(queries, 4);
  EXPECT_LT(*at - start, std::chrono::seconds(5));
  server.join();

  // Nobody answers any more: the deadline ends the wait.
  queries = 0;
  auto none =
      probe.waitForAddress("x.test", {198, 51, 100, 7}, std::chrono::microseconds(500),
                           DnsProbe::Clock::now() + std::chrono::milliseconds(200), queries);
  EXPECT_FALSE(none.ok());
  EXPECT_GT(queries, 5);  // about 400 when the machine is idle
  ::close(ufd);
}

}  // namespace
}  // namespace zp::bench
