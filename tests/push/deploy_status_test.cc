// The pusher's deployment pieces without named: SOA query packets, the
// catalog zone, the status book against a scripted UDP nameserver, and the
// pusher's catalog and confirmation decisions with a fake rndc.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "pipelines/push/catalog.h"
#include "pipelines/push/pusher.h"
#include "pipelines/push/soa_query.h"
#include "pipelines/push/status.h"
#include "pipelines/push/update_chunks.h"
#include "tests/push/temp_dir.h"

namespace zp::push {
namespace {

// A reply to `query` (as built by buildSoaQuery) with flags and an optional
// SOA answer whose names use a compression pointer to the question.
std::string soaReply(const std::string& query, uint16_t flags, std::optional<uint32_t> serial) {
  std::string r = query;
  r[2] = static_cast<char>(flags >> 8);
  r[3] = static_cast<char>(flags & 0xff);
  if (!serial) return r;
  r[7] = 1;  // ANCOUNT
  const std::string rdata =
      std::string("\x03ns1\xc0\x0c", 6) + std::string("\x02hm\xc0\x0c", 5) +
      std::string{static_cast<char>(*serial >> 24), static_cast<char>((*serial >> 16) & 0xff),
                  static_cast<char>((*serial >> 8) & 0xff), static_cast<char>(*serial & 0xff)} +
      std::string(16, '\0');
  r += std::string("\xc0\x0c\x00\x06\x00\x01\x00\x00\x0e\x10", 10);
  r.push_back(static_cast<char>(rdata.size() >> 8));
  r.push_back(static_cast<char>(rdata.size() & 0xff));
  return r + rdata;
}

TEST(SoaQuery, BuildsAQuestionForTheZone) {
  struct Case {
    std::string zone;
    bool ok;
  };
  const std::vector<Case> cases = {
      {"example.com", true}, {"example.com.", true}, {"a", true},
      {"", false},           {"a..b", false},        {std::string(64, 'x') + ".com", false},
  };
  for (const auto& c : cases) {
    auto q = buildSoaQuery(0x1234, c.zone);
    EXPECT_EQ(q.ok(), c.ok) << c.zone;
    if (!q.ok()) continue;
    EXPECT_EQ(q->substr(0, 2), "\x12\x34");
    EXPECT_EQ(q->substr(q->size() - 4), std::string("\x00\x06\x00\x01", 4));  // SOA IN
  }
  const auto q = buildSoaQuery(1, "example.com");
  EXPECT_EQ(q->substr(12, 13), std::string("\x07"
                                           "example"
                                           "\x03"
                                           "com"
                                           "\x00",
                                           13));
}

TEST(SoaQuery, ParsesRepliesAndRejectsBrokenOnes) {
  const std::string q = *buildSoaQuery(7, "example.com");
  struct Case {
    std::string name;
    std::string packet;
    bool ok;
    int rcode;
    bool aa;
    std::optional<uint32_t> serial;
  };
  const std::vector<Case> cases = {
      {"authoritative answer", soaReply(q, 0x8400, 4000000000u), true, 0, true, 4000000000u},
      {"refused", soaReply(q, 0x8005, std::nullopt), true, 5, false, std::nullopt},
      {"servfail", soaReply(q, 0x8002, std::nullopt), true, 2, false, std::nullopt},
      {"a query, not a reply", q, false, -1, false, std::nullopt},
      {"short header", q.substr(0, 11), false, -1, false, std::nullopt},
      {"truncated answer", soaReply(q, 0x8400, 5).substr(0, q.size() + 20), false, -1, false,
       std::nullopt},
  };
  for (const auto& c : cases) {
    auto r = parseSoaReply(c.packet);
    ASSERT_EQ(r.ok(), c.ok) << c.name;
    if (!r.ok()) continue;
    EXPECT_EQ(r->id, 7) << c.name;
    EXPECT_EQ(r->rcode, c.rcode) << c.name;
    EXPECT_EQ(r->authoritative, c.aa) << c.name;
    EXPECT_EQ(r->serial, c.serial) << c.name;
  }
}

TEST(SoaQuery, SerialArithmeticFollowsRfc1982) {
  struct Case {
    uint32_t a, b;
    bool atOrAfter;
  };
  const std::vector<Case> cases = {
      {5, 5, true},
      {6, 5, true},
      {5, 6, false},
      {0, 0xffffffffu, true},
      {0xffffffffu, 0, false},
      {0x80000004u, 5, true},
      {0x80000005u, 5, false} /* 2^31 apart: undefined */,
  };
  for (const auto& c : cases)
    EXPECT_EQ(serialAtOrAfter(c.a, c.b), c.atOrAfter) << c.a << " " << c.b;
  EXPECT_EQ(dns::soaSerial(0), 1u);
  EXPECT_EQ(dns::soaSerial(uint64_t{1} << 32), 1u);
  EXPECT_EQ(dns::soaSerial((uint64_t{1} << 32) + 9), 9u);
  EXPECT_EQ(dns::soaSerial(42), 42u);
}

TEST(Catalog, ListsEveryMemberOnceWithAStableLabel) {
  EXPECT_EQ(catalogMemberLabel("example.com"), catalogMemberLabel("example.com"));
  EXPECT_NE(catalogMemberLabel("example.com"), catalogMemberLabel("example.net"));
  EXPECT_EQ(catalogMemberLabel("example.com").size(), 16u);
  const std::string text = renderCatalog({"b.test", "a.test"}, 17);
  EXPECT_NE(text.find("catalog.zonepipe.invalid. 0 IN SOA invalid. invalid. 17 "),
            std::string::npos);
  EXPECT_NE(text.find("version.catalog.zonepipe.invalid. 0 IN TXT \"2\"\n"), std::string::npos);
  EXPECT_NE(text.find(catalogMemberLabel("a.test") +
                      ".zones.catalog.zonepipe.invalid. 0 IN PTR a.test.\n"),
            std::string::npos);
  EXPECT_LT(text.find("PTR a.test."), text.find("PTR b.test."));
  EXPECT_EQ(renderCatalog({}, 1).find("PTR"), std::string::npos);
}

// A UDP "nameserver" on 127.0.0.1 answering SOA queries with a settable serial.
class FakeNameserver {
 public:
  FakeNameserver() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    timeval tv{0, 20000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    thread_ = std::thread([this] { run(); });
  }
  ~FakeNameserver() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  uint16_t port() const { return port_; }
  std::atomic<uint32_t> serial{0};  // 0: answer REFUSED
  std::atomic<int> questions{0};    // SOA queries received

 private:
  void run() {
    char buf[512];
    while (!stop_) {
      sockaddr_in from{};
      socklen_t len = sizeof from;
      const ssize_t n =
          ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n <= 0) continue;
      ++questions;
      const std::string q(buf, static_cast<size_t>(n));
      const uint32_t s = serial.load();
      const std::string r = s == 0 ? soaReply(q, 0x8005, std::nullopt) : soaReply(q, 0x8400, s);
      ::sendto(fd_, r.data(), r.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  }
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// The primary and one secondary, as dns.primary_address and dns.secondaries.
std::vector<Nameserver> nameserversOf(const FakeNameserver& primary,
                                      const FakeNameserver& secondary) {
  config::Config cfg;
  cfg.primaryAddress = "127.0.0.1:" + std::to_string(primary.port());
  cfg.secondaries = {"127.0.0.1:" + std::to_string(secondary.port())};
  return nameserversFrom(cfg);
}

int64_t monoMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

bool pollUntil(StatusBook& book, const std::function<bool()>& done) {
  const int64_t until = monoMs() + 5000;
  while (monoMs() < until) {
    book.poll(monoMs());
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

TEST(StatusBook, TracksWhatEachNameserverServes) {
  FakeNameserver primary, secondary;
  const std::string p = "127.0.0.1:" + std::to_string(primary.port());
  const std::string s = "127.0.0.1:" + std::to_string(secondary.port());
  config::Config cfg;
  cfg.primaryAddress = p;
  cfg.secondaries = {s};
  StatusBook book(nameserversFrom(cfg));
  EXPECT_FALSE(book.view("a.test").known);

  primary.serial = 10;
  book.wanted("a.test", 10);
  book.reloaded("a.test");
  book.deployed("a.test", 10, 0, monoMs());
  ASSERT_TRUE(pollUntil(book, [&] {
    auto v = book.view("a.test");
    return v.nameservers[0].inSync && !v.nameservers[1].detail.empty() &&
           v.nameservers[1].detail != "not asked yet";
  }));
  auto v = book.view("a.test");
  EXPECT_TRUE(v.known);
  EXPECT_EQ(v.reloads, 1u);
  EXPECT_EQ(v.nameservers[0].server.name, "ns1.zonepipe.test");
  EXPECT_EQ(v.nameservers[0].server.address, p);
  EXPECT_EQ(v.nameservers[0].serial, 10u);
  EXPECT_FALSE(v.nameservers[1].inSync);
  EXPECT_NE(v.nameservers[1].detail.find("REFUSED"), std::string::npos) << v.nameservers[1].detail;

  secondary.serial = 10;  // the transfer arrived
  ASSERT_TRUE(pollUntil(book, [&] { return book.view("a.test").nameservers[1].inSync; }));

  book.wanted("a.test", 11);  // a newer version that fails to deploy: lag
  book.failed("a.test", "rndc reload a.test failed");
  v = book.view("a.test");
  EXPECT_FALSE(v.nameservers[0].inSync);
  EXPECT_EQ(v.nameservers[0].detail, "serves serial 10, behind 11");
  EXPECT_EQ(v.lastError, "rndc reload a.test failed");

  book.removed("a.test");
  EXPECT_FALSE(book.view("a.test").known);
}

// A restarted pusher adopts the zones its serial files list: known at once,
// in sync where a server answers the primary's serial, until the renderer
// asks for a newer version.
TEST(StatusBook, AdoptedZonesAreConfirmedAgainstThePrimary) {
  FakeNameserver primary, secondary;
  StatusBook book(nameserversOf(primary, secondary));
  primary.serial = 77;  // UPDATEs since the last whole load (serial file: 40)
  secondary.serial = 76;
  book.adopt("a.test", 40, 0);
  EXPECT_TRUE(book.view("a.test").known);
  EXPECT_FALSE(book.view("a.test").nameservers[0].inSync) << "not confirmed before it answers";
  ASSERT_TRUE(pollUntil(book, [&] { return book.view("a.test").nameservers[0].inSync; }));
  auto v = book.view("a.test");
  EXPECT_EQ(v.nameservers[0].serial, 77u);
  EXPECT_FALSE(v.nameservers[1].inSync);
  EXPECT_EQ(v.nameservers[1].detail, "serves serial 76, behind 77");
  secondary.serial = 77;  // its IXFR arrived
  ASSERT_TRUE(pollUntil(book, [&] { return book.view("a.test").nameservers[1].inSync; }));

  book.wanted("a.test", 78);  // the renderer's next version is the reference now
  EXPECT_FALSE(book.view("a.test").nameservers[0].inSync);
  book.adopt("a.test", 40, 0);  // a known zone: no effect
  EXPECT_EQ(book.view("a.test").wantedSerial, 78u);
}

// Thousands of zones (a restarted pusher adopts them all at once): every one
// is confirmed on both servers, with at most a bounded number of queries in
// flight; the poll timeout follows the earliest due query.
TEST(StatusBook, ThousandsOfZonesAreConfirmed) {
  FakeNameserver primary, secondary;
  StatusBook book(nameserversOf(primary, secondary));
  primary.serial = 9;
  secondary.serial = 9;
  EXPECT_EQ(book.nextDueIn(monoMs()), 1000) << "nothing to ask";
  constexpr int kZones = 3000;
  for (int i = 0; i < kZones; ++i) book.adopt("z" + std::to_string(i) + ".test", 5, monoMs());
  EXPECT_EQ(book.nextDueIn(monoMs()), 0) << "due at once";
  int confirmed = 0;
  ASSERT_TRUE(pollUntil(book,
                        [&] {
                          for (; confirmed < kZones; ++confirmed) {
                            auto v = book.view("z" + std::to_string(confirmed) + ".test");
                            if (!v.nameservers[0].inSync || !v.nameservers[1].inSync) return false;
                          }
                          return true;
                        }))
      << confirmed << " of " << kZones << " confirmed";
  // All in sync: once the last backoff re-asks are answered, the next asks
  // are the once-a-minute rechecks (answered queries leave no wake-ups).
  EXPECT_TRUE(pollUntil(book, [&] { return book.nextDueIn(monoMs()) > 900; }));
  for (int i = 0; i < kZones; ++i) book.removed("z" + std::to_string(i) + ".test");
  book.poll(monoMs());
  EXPECT_FALSE(book.view("z1.test").known);
}

// Polls `book` for `realMs` of real time as if the monotonic clock said `now`
// (the fake nameservers answer meanwhile), collecting what it asks to NOTIFY
// again.
std::vector<Renotify> pollAt(StatusBook& book, int64_t now, int realMs = 300) {
  std::vector<Renotify> out;
  const int64_t until = monoMs() + realMs;
  while (monoMs() < until) {
    book.poll(now);
    for (auto& r : book.takeRenotify()) out.push_back(std::move(r));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return out;
}

// A secondary that answers but stays behind the primary missed its NOTIFY (it
// was cut off when the primary sent it): the book names the zone once per
// kRenotifyEveryMs, with the catalog when the secondary lacks the zone.
TEST(StatusBook, NotifiesAgainForASecondaryThatAnswersBehindThePrimary) {
  struct Case {
    const char* what;
    uint32_t secondarySerial;  // 0: REFUSED (it does not have the zone)
    int64_t behindMs;
    bool renotify;
    bool catalog;
  };
  const Case cases[] = {
      {"6 s behind the primary", 10, 6000, true, false},
      {"6 s without the zone (it missed the catalog change too)", 0, 6000, true, true},
      {"2 s behind: still following", 10, 2000, false, false},
      {"in sync", 12, 6000, false, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    FakeNameserver primary, secondary;
    primary.serial = 12;
    secondary.serial = c.secondarySerial;
    StatusBook book(nameserversOf(primary, secondary));
    const int64_t t0 = 1000;
    book.wanted("a.test", 12);
    book.deployed("a.test", 12, 0, t0);
    EXPECT_TRUE(pollAt(book, t0).empty());        // both answered
    EXPECT_TRUE(pollAt(book, t0 + 100).empty());  // asked again: behind since t0 + 100 at most
    const int64_t later = t0 + 100 + c.behindMs;
    const auto asked = pollAt(book, later);
    if (!c.renotify) {
      EXPECT_TRUE(asked.empty()) << asked.front().why;
      continue;
    }
    ASSERT_EQ(asked.size(), 1u);
    EXPECT_EQ(asked[0].domain, "a.test");
    EXPECT_EQ(asked[0].catalog, c.catalog);
    EXPECT_NE(asked[0].why.find("ns2.zonepipe.test"), std::string::npos) << asked[0].why;
    EXPECT_NE(asked[0].why.find("the primary serial 12"), std::string::npos) << asked[0].why;
    EXPECT_TRUE(pollAt(book, later + 1000).empty());  // once per kRenotifyEveryMs
    secondary.serial = 12;                            // the NOTIFY worked
    EXPECT_TRUE(pollAt(book, later + kRenotifyEveryMs + 1000).empty());
  }
}

// A deploy the pusher saw the primary serve (NOERROR to its UPDATE, or the
// SOA after a load) is not asked of the primary again; the secondaries, which
// need a NOTIFY and a transfer first, are asked a few ms later, not at once.
TEST(StatusBook, AConfirmedDeployIsNotAskedOfThePrimary) {
  FakeNameserver primary, secondary;
  primary.serial = 0;  // REFUSED, had the book asked it
  secondary.serial = 12;
  StatusBook book(nameserversOf(primary, secondary));
  const int64_t t0 = 1000;
  book.wanted("a.test", 12);
  book.deployed("a.test", 12, 0, t0);
  auto v = book.view("a.test");
  EXPECT_TRUE(v.nameservers[0].inSync) << v.nameservers[0].detail;
  EXPECT_EQ(v.nameservers[0].serial, 12u);
  EXPECT_FALSE(v.nameservers[1].inSync) << "not asked yet";

  pollAt(book, t0, 50);
  EXPECT_EQ(secondary.questions.load(), 0) << "asked before a transfer could have arrived";
  pollAt(book, t0 + 5);
  EXPECT_EQ(secondary.questions.load(), 1);
  v = book.view("a.test");
  EXPECT_TRUE(v.nameservers[1].inSync) << v.nameservers[1].detail;
  EXPECT_TRUE(v.nameservers[0].inSync);
  EXPECT_EQ(primary.questions.load(), 0);

  // A minute later the primary is rechecked like any zone in sync: it no
  // longer serves the zone, and the book says so.
  pollAt(book, t0 + 5 + 60000);
  EXPECT_EQ(primary.questions.load(), 1);
  v = book.view("a.test");
  EXPECT_FALSE(v.nameservers[0].inSync);
  EXPECT_NE(v.nameservers[0].detail.find("REFUSED"), std::string::npos) << v.nameservers[0].detail;
}

// A change whose NOTIFY the pusher holds back (NotifyPacer) cannot reach a
// secondary before the NOTIFY: the secondaries are asked 5 ms after it, not
// 5 ms after the deploy.
TEST(StatusBook, SecondariesAreAskedAfterAPacedNotify) {
  FakeNameserver primary, secondary;
  secondary.serial = 12;
  StatusBook book(nameserversOf(primary, secondary));
  const int64_t t0 = 1000;
  book.wanted("a.test", 12);
  book.deployed("a.test", 12, 0, t0);
  book.notifyDueAt("a.test", t0 + 250);
  pollAt(book, t0 + 5, 100);
  pollAt(book, t0 + 200, 100);
  EXPECT_EQ(secondary.questions.load(), 0) << "asked before the NOTIFY was sent";
  pollAt(book, t0 + 255);
  EXPECT_EQ(secondary.questions.load(), 1);
  EXPECT_TRUE(book.view("a.test").nameservers[1].inSync);
  book.notifyDueAt("gone.test", t0);  // a zone the book does not know: nothing to ask
  EXPECT_FALSE(book.view("gone.test").known);
}

TEST(StatusBook, NameserversFromConfig) {
  config::Config cfg;
  cfg.primaryAddress = "127.0.0.1";
  cfg.secondaries = {"127.0.0.2", "127.0.0.1:5300", "192.0.2.9"};
  cfg.dnsPort = 1053;
  const auto ns = nameserversFrom(cfg);
  ASSERT_EQ(ns.size(), 4u);
  EXPECT_EQ(ns[0].name, "ns1.zonepipe.test");
  EXPECT_EQ(ns[1].name, "ns2.zonepipe.test");
  EXPECT_EQ(ns[1].port, 1053);
  EXPECT_EQ(ns[2].ip, "127.0.0.1");
  EXPECT_EQ(ns[2].port, 5300);
  EXPECT_EQ(ns[3].name, "192.0.2.9");  // no third name configured
  // The address users see says the port unless it is 53 (issue 11, "also seen").
  EXPECT_EQ(ns[0].address, "127.0.0.1:1053");
  EXPECT_EQ(ns[2].address, "127.0.0.1:5300");
  EXPECT_EQ(ns[3].address, "192.0.2.9:1053");
  cfg.dnsPort = 53;
  EXPECT_EQ(nameserversFrom(cfg)[0].address, "127.0.0.1");
  for (const std::string bad : {"localhost", "127.0.0.1:0", "127.0.0.1:99999", "1.2.3:53"}) {
    cfg.secondaries = {bad};
    EXPECT_THROW(nameserversFrom(cfg), std::invalid_argument) << bad;
  }
}

class FakeRndc : public Rndc {
 public:
  ProcessResult run(const std::vector<std::string>& args) override {
    calls.push_back(args.at(0) + " " + args.at(1));
    ProcessResult r;
    r.started = true;
    r.exitCode = failing ? 1 : 0;
    if (failing) r.errors = "rndc: connect failed: connection refused\n";
    if (args.at(0) == "addzone" && exists.count(args.at(1))) {
      r.exitCode = 1;
      r.errors = "rndc: 'addzone' failed: already exists\n";
    }
    return r;
  }
  const std::string& configPath() const override { return config_; }
  std::vector<std::string> calls;
  bool failing = false;
  std::set<std::string> exists;  // zones whose addzone answers "already exists"

 private:
  std::string config_ = "/tmp/rndc.conf";
};

class FakeCheck : public ServedCheck {
 public:
  Status confirm(const std::string& domain, uint32_t serial) override {
    asked.push_back(domain + " " + std::to_string(serial));
    if (serves) return std::nullopt;
    return Error{ErrorKind::kUnavailable, "", "still serial 1"};
  }
  Result<std::optional<uint32_t>> current(const std::string& domain) override {
    asked.push_back(domain + " ?");
    if (auto it = serving.find(domain); it != serving.end()) {
      return std::optional<uint32_t>(it->second);
    }
    return std::optional<uint32_t>();  // as if named served the zone statically, or not at all
  }
  std::vector<Status> confirmAll(const std::vector<SerialWanted>& wants) override {
    together.push_back(wants.size());
    return ServedCheck::confirmAll(wants);
  }
  std::vector<std::string> asked;
  std::vector<size_t> together;             // the size of each confirmAll
  std::map<std::string, uint32_t> serving;  // current(): named serves these at this serial
  bool serves = true;
};

class FakeUpdater : public ZoneUpdater {
 public:
  UpdateOutcome apply(const std::string& zone, const std::vector<UpdateOp>& ops,
                      const std::string& soa) override {
    std::string call = zone + ":";
    for (const auto& op : ops) call += (op.add ? " +" : " -") + op.rr;
    calls.push_back(call + " | " + soa);
    if (refuse.count(zone)) return {UpdateOutcome::Kind::kNotDynamic, "named said REFUSED"};
    return {answer, answer == UpdateOutcome::Kind::kApplied ? "" : "named said no"};
  }
  std::vector<UpdateOutcome> applyEach(const std::vector<ZoneChange>& changes) override {
    together.push_back(changes.size());
    return ZoneUpdater::applyEach(changes);
  }
  std::vector<std::string> calls;
  std::vector<size_t> together;  // the size of each applyEach
  std::set<std::string> refuse;  // zones whose UPDATEs named refuses
  UpdateOutcome::Kind answer = UpdateOutcome::Kind::kApplied;
};

DeployRequest delta(const std::string& domain, uint64_t serial, std::vector<UpdateOp> ops) {
  DeployRequest r{domain, serial, std::nullopt, 0};
  r.delta = DeltaChange{std::move(ops), domain + ". 3600 IN SOA serial " + std::to_string(serial)};
  return r;
}

// A pusher whose deltas go to a fake updater (no catalog).
class PusherDeltas : public ::testing::Test {
 protected:
  zp::testing::TempDir dir;
  Publisher publisher{dir.path()};
  FakeRndc rndc;
  FakeCheck check;
  FakeUpdater updater;
  Pusher pusher{publisher, rndc, {&check, nullptr, false, &updater, "k"}};
};

// A delta too big for one UPDATE (a change set of thousands) goes as several:
// none but the last carries the SOA (named bumps its serial for each), the
// last the version's. When the serial does not rise above named's by more than
// the number of UPDATEs, named would not take that SOA: the whole version.
TEST_F(PusherDeltas, ABigDeltaGoesAsSeveralUpdatesOnlyTheLastWithTheSoa) {
  ASSERT_TRUE(pusher.deploy({"a.test", 5, "zone a", 0}).ok);  // named serves serial 5
  std::vector<UpdateOp> ops;
  for (int i = 0; i < 3000; ++i)
    ops.push_back({true, "h" + std::to_string(i) + ".a.test. 60 IN A 192.0.2.1"});
  const size_t updates =
      chunkBySize(ops, [](const UpdateOp& op) { return op.rr.size() + 16; }).size();
  ASSERT_GT(updates, 2u);

  // Serial 5 + updates: too close to named's 5 for that many bumps.
  const DeployResult tight = pusher.deploy(delta("a.test", 5 + updates, ops));
  EXPECT_FALSE(tight.ok);
  EXPECT_TRUE(tight.needFull) << tight.detail;
  EXPECT_TRUE(updater.calls.empty());

  ASSERT_TRUE(pusher.deploy(delta("a.test", 3005, ops)).ok);
  ASSERT_EQ(updater.calls.size(), updates);
  size_t sent = 0;
  for (size_t i = 0; i < updates; ++i) {
    const std::string& call = updater.calls[i];
    const bool last = i + 1 == updates;
    EXPECT_EQ(call.substr(call.rfind(" | ") + 3), last ? "a.test. 3600 IN SOA serial 3005" : "")
        << "UPDATE " << i;
    for (size_t at = call.find(" +"); at != std::string::npos; at = call.find(" +", at + 1)) ++sent;
  }
  EXPECT_EQ(sent, ops.size());
  // named serves the version now: the same delta again changes nothing.
  ASSERT_TRUE(pusher.deploy(delta("a.test", 3005, ops)).ok);
  EXPECT_EQ(updater.calls.size(), updates);
  // In a batch, a big set goes the same way, on its own (never in applyEach).
  const auto batched = pusher.deployAll({delta("a.test", 6005, ops)});
  ASSERT_TRUE(batched[0].ok) << batched[0].detail;
  ASSERT_EQ(updater.calls.size(), 2 * updates);
  EXPECT_EQ(updater.calls.back().substr(updater.calls.back().rfind(" | ") + 3),
            "a.test. 3600 IN SOA serial 6005");
  EXPECT_TRUE(updater.together.empty());
}

// Deploys that arrive together: deltas to different zones go to named in one
// applyEach; a zone's second delta waits for its first (a new group); a new
// zone waits for the batch's other new zones (added together at the end);
// each result is handed on as soon as it is known, with its own outcome.
TEST_F(PusherDeltas, DeltasThatArriveTogetherGoTogetherAndEachZoneKeepsItsOrder) {
  for (const char* zone : {"a.test", "b.test", "c.test"}) {
    ASSERT_TRUE(pusher.deploy({zone, 5, "zone", 0}).ok) << zone;
  }
  rndc.calls.clear();
  auto one = [](const std::string& zone, uint64_t serial) {
    return delta(zone, serial,
                 {{true, "x" + std::to_string(serial) + "." + zone + ". 60 IN A 192.0.2.1"}});
  };
  const std::vector<DeployRequest> batch = {one("a.test", 6),           one("b.test", 6),
                                            one("a.test", 7),  // a's second starts a new group
                                            {"d.test", 3, "zone d", 0},  // new: at the end
                                            one("b.test", 7),           one("c.test", 6)};
  updater.refuse = {"c.test"};
  std::vector<size_t> doneOrder;  // each result is handed on as soon as it is known
  const std::vector<DeployResult> results =
      pusher.deployAll(batch, [&](size_t i, const DeployResult&) { doneOrder.push_back(i); });
  ASSERT_EQ(results.size(), batch.size());
  EXPECT_EQ(doneOrder, (std::vector<size_t>{0, 1, 2, 4, 5, 3}));
  for (size_t i = 0; i + 1 < results.size(); ++i)
    EXPECT_TRUE(results[i].ok) << i << ": " << results[i].detail;
  EXPECT_FALSE(results.back().ok);  // c.test: named refused its change
  EXPECT_NE(results.back().detail.find("REFUSED"), std::string::npos) << results.back().detail;
  EXPECT_EQ(updater.together, (std::vector<size_t>{2, 3}));
  EXPECT_EQ(updater.calls.size(), 5u);
  EXPECT_EQ(updater.calls[0].substr(0, 7), "a.test:");
  EXPECT_EQ(updater.calls[1].substr(0, 7), "b.test:");
  EXPECT_EQ(updater.calls[2].substr(0, 7), "a.test:");
  EXPECT_NE(updater.calls[2].find("serial 7"), std::string::npos) << updater.calls[2];
  EXPECT_EQ(rndc.calls, (std::vector<std::string>{"addzone d.test"}));
  // named serves them now: the same batch again sends nothing.
  updater.calls.clear();
  updater.together.clear();
  updater.refuse.clear();
  const auto again = pusher.deployAll({one("a.test", 7), one("b.test", 7)});
  EXPECT_TRUE(again[0].ok && again[1].ok);
  EXPECT_TRUE(updater.calls.empty());
}

// New zones of one batch, and audits of zones named lost: each written and
// added with addzone in turn, then confirmed together (one confirmAll), so
// named loads them side by side. A zone whose addzone fails ("already exists":
// our serial file was lost) takes the one-at-a-time path and is still deployed.
TEST_F(PusherDeltas, NewZonesOfABatchAreAddedThenConfirmedTogether) {
  ASSERT_TRUE(pusher.deploy({"a.test", 5, "zone a", 0}).ok);
  rndc.calls.clear();
  check.together.clear();
  rndc.exists = {"n3.test"};
  DeployRequest lost{"b.test", 9, "zone b", 0};  // an audit of a zone named lost
  lost.audit = true;
  ASSERT_TRUE(pusher.deploy({"b.test", 5, "zone b", 0}).ok);
  rndc.calls.clear();
  check.asked.clear();
  const std::vector<DeployRequest> batch = {
      {"n1.test", 3, "zone n1", 0},
      delta("a.test", 6, {{true, "x.a.test. 60 IN A 192.0.2.1"}}),
      {"n2.test", 4, "zone n2", 0},
      {"n3.test", 5, "zone n3", 0},
      lost,
  };
  std::vector<size_t> doneOrder;
  const auto results =
      pusher.deployAll(batch, [&](size_t i, const DeployResult&) { doneOrder.push_back(i); });
  for (size_t i = 0; i < results.size(); ++i)
    EXPECT_TRUE(results[i].ok) << i << ": " << results[i].detail;
  EXPECT_EQ(doneOrder, (std::vector<size_t>{1, 0, 2, 3, 4}));
  EXPECT_EQ(check.together, (std::vector<size_t>{3}));  // n1, n2 and b; n3 on its own
  EXPECT_EQ(rndc.calls,
            (std::vector<std::string>{"addzone n1.test", "addzone n2.test", "addzone n3.test",
                                      "addzone n3.test", "modzone n3.test", "addzone b.test"}));
  EXPECT_EQ(std::count(check.asked.begin(), check.asked.end(), "b.test ?"), 1)
      << "named is asked once whether it serves the audited zone";
  // An audit of a zone named serves goes to audit() with that one answer.
  check.asked.clear();
  check.serving["a.test"] = 6;
  DeployRequest served{"a.test", 6, "zone a", 0};
  served.audit = true;
  (void)pusher.deployAll({served});
  EXPECT_EQ(check.asked, (std::vector<std::string>{"a.test ?"}));
  check.serving.clear();
  for (const char* zone : {"n1.test", "n2.test", "n3.test"}) {
    EXPECT_TRUE(publisher.deployed(zone)) << zone;
  }
  // named down: each new zone fails once, with rndc's reason; none is asked twice.
  rndc.calls.clear();
  rndc.failing = true;
  const auto down = pusher.deployAll({{"n6.test", 3, "zone n6", 0}, {"n7.test", 3, "zone n7", 0}});
  for (const auto& r : down) {
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.detail.find("connection refused"), std::string::npos) << r.detail;
  }
  EXPECT_EQ(rndc.calls, (std::vector<std::string>{"addzone n6.test", "addzone n7.test"}));
  rndc.failing = false;
  // named does not serve them after all: each says so in its own result.
  check.serves = false;
  const auto refused =
      pusher.deployAll({{"n4.test", 3, "zone n4", 0}, {"n5.test", 3, "zone n5", 0}});
  for (const auto& r : refused) {
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.detail.find("does not serve serial 3"), std::string::npos) << r.detail;
  }
}

// Zones a secondary missed get `rndc notify`; zones it lacks get one NOTIFY of
// the catalog instead (the secondary ignores a NOTIFY for a zone it lacks).
TEST(PusherRenotify, AsksThePrimaryToNotifyEachZoneAgain) {
  zp::testing::TempDir dir;
  Publisher publisher(dir.path());
  FakeRndc rndc;
  FakeCheck check;
  Pusher pusher(publisher, rndc, {&check, nullptr, true});
  pusher.renotify({});
  EXPECT_TRUE(rndc.calls.empty());
  pusher.renotify({{"a.test", false, "ns2 serves serial 10"}});
  EXPECT_EQ(rndc.calls, (std::vector<std::string>{"notify a.test"}));
  rndc.calls.clear();
  pusher.renotify({{"a.test", false, "behind"},
                   {"b.test", true, "does not serve it"},
                   {"c.test", true, "does not serve it"}});
  EXPECT_EQ(rndc.calls,
            (std::vector<std::string>{"notify a.test", "notify catalog.zonepipe.invalid"}));
}

// Static zones (no updater): every version is a file, the catalog reloaded.
TEST(PusherCatalog, StaticZonesReloadTheWholeCatalog) {
  zp::testing::TempDir dir;
  Publisher publisher(dir.path());
  FakeRndc rndc;
  FakeCheck check;
  Pusher pusher(publisher, rndc, {&check, nullptr, true});
  ASSERT_TRUE(pusher.maintain().ok);  // an empty catalog is loaded at start
  EXPECT_EQ(rndc.calls, (std::vector<std::string>{"addzone catalog.zonepipe.invalid"}));

  rndc.calls.clear();
  ASSERT_TRUE(pusher.deploy({"a.test", 5, "zone a", 0}).ok);
  EXPECT_TRUE(pusher.catalogPending());
  ASSERT_TRUE(pusher.maintain().ok);
  EXPECT_FALSE(pusher.catalogPending());
  EXPECT_EQ(rndc.calls,
            (std::vector<std::string>{"addzone a.test", "reload catalog.zonepipe.invalid"}));
  std::ifstream catalogFile(publisher.zonePath("catalog.zonepipe.invalid"));
  std::stringstream catalogText;
  catalogText << catalogFile.rdbuf();
  EXPECT_NE(catalogText.str().find("PTR a.test."), std::string::npos) << catalogText.str();

  rndc.calls.clear();
  ASSERT_TRUE(pusher.deploy({"a.test", 6, "zone a v2", 0}).ok);  // not a new member
  ASSERT_TRUE(pusher.maintain().ok);
  EXPECT_EQ(rndc.calls, (std::vector<std::string>{"reload a.test"}));

  rndc.calls.clear();
  ASSERT_TRUE(pusher.deploy({"a.test", 7, std::nullopt, 0}).ok);
  ASSERT_TRUE(pusher.maintain().ok);
  EXPECT_EQ(rndc.calls,
            (std::vector<std::string>{"delzone a.test", "reload catalog.zonepipe.invalid"}));

  // The catalog's own name is not a zone anyone may deploy.
  EXPECT_FALSE(pusher.deploy({"catalog.zonepipe.invalid", 99, "x", 0}).ok);
}

// Dynamic zones: a new zone is one addzone, its record changes are UPDATEs,
// and catalog membership changes of a batch go as one UPDATE of the catalog.
TEST(PusherCatalog, DynamicZonesTakeDeltasAndBatchedCatalogUpdates) {
  zp::testing::TempDir dir;
  Publisher publisher(dir.path());
  FakeRndc rndc;
  FakeCheck check;
  FakeUpdater updater;
  Pusher pusher(publisher, rndc, {&check, nullptr, true, &updater, "k"});
  ASSERT_TRUE(pusher.maintain().ok);
  EXPECT_EQ(rndc.calls, (std::vector<std::string>{"addzone catalog.zonepipe.invalid"}));
  rndc.calls.clear();

  // A delta before the zone was ever loaded: the renderer must send it whole.
  const DeployResult early =
      pusher.deploy(delta("a.test", 4, {{true, "x.a.test. 60 IN A 192.0.2.1"}}));
  EXPECT_FALSE(early.ok);
  EXPECT_TRUE(early.needFull);
  EXPECT_TRUE(updater.calls.empty());

  ASSERT_TRUE(pusher.deploy({"a.test", 5, "zone a", 0}).ok);
  ASSERT_TRUE(pusher.deploy({"b.test", 6, "zone b", 0}).ok);
  EXPECT_EQ(rndc.calls, (std::vector<std::string>{"addzone a.test", "addzone b.test"}));
  ASSERT_TRUE(pusher.maintain().ok);
  ASSERT_EQ(updater.calls.size(), 1u);
  EXPECT_EQ(updater.calls[0].rfind("catalog.zonepipe.invalid: +", 0), 0u) << updater.calls[0];
  EXPECT_NE(updater.calls[0].find("PTR a.test."), std::string::npos) << updater.calls[0];
  EXPECT_NE(updater.calls[0].find("PTR b.test."), std::string::npos) << updater.calls[0];
  EXPECT_NE(updater.calls[0].find("IN SOA invalid. invalid. 2 "), std::string::npos)
      << updater.calls[0];
  EXPECT_EQ(publisher.deployedSerial("catalog.zonepipe.invalid"), 2u);

  // Record changes: one UPDATE, no rndc, no file.
  rndc.calls.clear();
  updater.calls.clear();
  ASSERT_TRUE(pusher
                  .deploy(delta("a.test", 8,
                                {{false, "x.a.test. 60 IN A 192.0.2.1"},
                                 {true, "x.a.test. 60 IN A 192.0.2.2"}}))
                  .ok);
  EXPECT_TRUE(rndc.calls.empty());
  EXPECT_EQ(updater.calls,
            (std::vector<std::string>{"a.test: -x.a.test. 60 IN A 192.0.2.1 +x.a.test. 60 IN A "
                                      "192.0.2.2 | a.test. 3600 IN SOA serial 8"}));
  // A version at or below the served one is acknowledged without a change.
  ASSERT_TRUE(pusher.deploy(delta("a.test", 7, {{true, "y.a.test. 60 IN A 192.0.2.3"}})).ok);
  ASSERT_TRUE(pusher.deploy({"a.test", 8, "zone a v8", 0}).ok);
  EXPECT_EQ(updater.calls.size(), 1u);
  EXPECT_TRUE(rndc.calls.empty());

  // named refuses a change to a zone it took updates for: its content, not
  // updates as such; a failure (retried), not a whole reload.
  updater.answer = UpdateOutcome::Kind::kNotDynamic;
  const DeployResult refused =
      pusher.deploy(delta("a.test", 9, {{true, "z.a.test. 60 IN A 192.0.2.4"}}));
  EXPECT_FALSE(refused.ok);
  EXPECT_FALSE(refused.needFull);
  EXPECT_NE(refused.detail.find("refuses this change"), std::string::npos) << refused.detail;
  // Now the pusher does not know what named has: refusing again means named
  // does not take updates for it (a static zone), so the whole version.
  const DeployResult again =
      pusher.deploy(delta("a.test", 9, {{true, "z.a.test. 60 IN A 192.0.2.4"}}));
  EXPECT_TRUE(again.needFull);
  updater.answer = UpdateOutcome::Kind::kApplied;
  ASSERT_TRUE(pusher.deploy({"a.test", 9, "zone a v9", 0}).ok);
  EXPECT_EQ(rndc.calls, (std::vector<std::string>{"modzone a.test"}));

  // Removal: delzone now, the catalog change with the next maintain().
  rndc.calls.clear();
  updater.calls.clear();
  ASSERT_TRUE(pusher.deploy({"a.test", 10, std::nullopt, 0}).ok);
  EXPECT_EQ(rndc.calls, (std::vector<std::string>{"delzone a.test"}));
  ASSERT_TRUE(pusher.maintain().ok);
  ASSERT_EQ(updater.calls.size(), 1u);
  EXPECT_EQ(updater.calls[0].rfind("catalog.zonepipe.invalid: -", 0), 0u) << updater.calls[0];
  EXPECT_FALSE(publisher.deployed("a.test"));
}

TEST(PusherConfirm, AReloadTheNameserverDoesNotServeIsAFailure) {
  zp::testing::TempDir dir;
  Publisher publisher(dir.path());
  FakeRndc rndc;
  FakeCheck check;
  check.serves = false;
  Pusher pusher(publisher, rndc, {&check, nullptr, false});
  const DeployResult r = pusher.deploy({"a.test", 5, "zone a", 0});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.detail.find("does not serve serial 5"), std::string::npos) << r.detail;
  EXPECT_EQ(publisher.deployedSerial("a.test"), 0u);  // so the retry deploys it again

  check.serves = true;
  EXPECT_TRUE(pusher.deploy({"a.test", 5, "zone a", 0}).ok);
  EXPECT_EQ(publisher.deployedSerial("a.test"), 5u);
}

}  // namespace
}  // namespace zp::push
