// The pusher against a real named (TOOLCHAIN.md section 6): addzone, reload,
// delzone, and what happens when named is down. Skipped when named is not
// installed.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "common/bus/frame.h"
#include "pipelines/push/dns_update.h"
#include "pipelines/push/pusher.h"
#include "pipelines/push/served_check.h"
#include "pipelines/push/worker.h"
#include "schema/pipeline.capnp.h"
#include "tests/push/temp_dir.h"

extern char** environ;

namespace zp::push {
namespace {

using std::chrono::milliseconds;

// A port that was free a moment ago (TCP and UDP).
uint16_t freePort() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(s);
    const uint16_t port = ntohs(a.sin_port);
    int u = ::socket(AF_INET, SOCK_DGRAM, 0);
    const bool udpFree = ::bind(u, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(u);
    if (udpFree) return port;
  }
  return 0;
}

std::string zoneText(const std::string& domain, uint32_t serial, const std::string& address) {
  return domain + ". 300 IN SOA ns1." + domain + ". hostmaster." + domain + ". " +
         std::to_string(serial) + " 3600 600 1209600 300\n" + domain + ". 300 IN NS ns1." + domain +
         ".\nns1." + domain + ". 300 IN A 192.0.2.53\nwww." + domain + ". 300 IN A " + address +
         "\n";
}

// One named in a temp dir, on free ports, run in the foreground; stopped at
// the end of the test.
class NamedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access("/usr/sbin/named", X_OK) != 0) GTEST_SKIP() << "named is not installed";
    const std::string d = dir_.path();
    dnsPort_ = freePort();
    const uint16_t dnsPort = dnsPort_, ctlPort = freePort();
    ASSERT_TRUE(dnsPort && ctlPort);
    const ProcessResult key =
        runProcess({"tsig-keygen", "-a", "hmac-sha256", "test-rndc"}, milliseconds(10000));
    ASSERT_TRUE(key.ok()) << key.describe();
    std::ofstream(d + "/rndc.key") << key.output;
    std::ofstream(d + "/named.conf")
        << "include \"" << d << "/rndc.key\";\noptions {\n  directory \"" << d
        << "\";\n  pid-file \"named.pid\";\n  session-keyfile \"session.key\";\n  listen-on port "
        << dnsPort
        << " { 127.0.0.1; };\n  listen-on-v6 { none; };\n  recursion no;\n  dnssec-validation "
           "no;\n  allow-new-zones yes;\n  notify no;\n};\ncontrols { inet 127.0.0.1 port "
        << ctlPort << " allow { 127.0.0.1; } keys { \"test-rndc\"; }; };\n";
    std::ofstream(d + "/rndc.conf") << "include \"" << d
                                    << "/rndc.key\";\noptions { default-key \"test-rndc\"; "
                                       "default-server 127.0.0.1; default-port "
                                    << ctlPort << "; };\n";
    const std::string conf = d + "/named.conf", log = d + "/named.log";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<std::string> argv = {"/usr/sbin/named", "-g", "-4", "-n", "1", "-c", conf};
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ASSERT_EQ(::posix_spawn(&named_, args[0], &actions, nullptr, args.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    rndc_ = std::make_unique<RndcProgram>("rndc", d + "/rndc.conf", std::chrono::seconds(10));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (!rndc_->run({"status"}).ok()) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "named did not start; see " << log;
      std::this_thread::sleep_for(milliseconds(50));
    }
  }
  void TearDown() override { stopNamed(); }

  void stopNamed() {
    if (named_ <= 0) return;
    ::kill(named_, SIGTERM);
    int status = 0;
    ::waitpid(named_, &status, 0);
    named_ = -1;
  }

  // named's idea of the zone's serial, or -1 when it does not serve it.
  int64_t servedSerial(const std::string& domain) {
    // reload is asynchronous: poll zonestatus briefly for the expected state
    const ProcessResult r = rndc_->run({"zonestatus", domain});
    if (!r.ok()) return -1;
    const auto at = r.output.find("serial: ");
    if (at == std::string::npos) return -1;
    return std::stoll(r.output.substr(at + 8));
  }
  bool waitForSerial(const std::string& domain, int64_t serial) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (servedSerial(domain) != serial) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(milliseconds(20));
    }
    return true;
  }

  zp::testing::TempDir dir_;
  uint16_t dnsPort_ = 0;
  pid_t named_ = -1;
  std::unique_ptr<RndcProgram> rndc_;
};

TEST_F(NamedTest, AddReloadRemoveAndIdempotency) {
  Publisher publisher(dir_.path() + "/zones");
  Pusher pusher(publisher, *rndc_);
  struct Step {
    const char* name;
    DeployRequest request;
    bool ok;
    int64_t served;  // serial named serves afterwards, -1 none
  } steps[] = {
      {"add", {"example.test", 10, zoneText("example.test", 10, "192.0.2.1")}, true, 10},
      {"reload", {"example.test", 11, zoneText("example.test", 11, "192.0.2.2")}, true, 11},
      {"older is ignored", {"example.test", 9, zoneText("example.test", 9, "192.0.2.9")}, true, 11},
      {"remove", {"example.test", 12, std::nullopt}, true, -1},
      {"remove again", {"example.test", 12, std::nullopt}, true, -1},
      {"add back", {"example.test", 13, zoneText("example.test", 13, "192.0.2.3")}, true, 13},
  };
  for (const auto& s : steps) {
    const DeployResult result = pusher.deploy(s.request);
    EXPECT_EQ(result.ok, s.ok) << s.name << ": " << result.detail;
    EXPECT_TRUE(waitForSerial("example.test", s.served)) << s.name;
  }
  // The serial file is lost: addzone says "already exists", the pusher reloads.
  std::filesystem::remove(publisher.zoneDir() + "/example.test.serial");
  EXPECT_TRUE(pusher.deploy({"example.test", 14, zoneText("example.test", 14, "192.0.2.4")}).ok);
  EXPECT_TRUE(waitForSerial("example.test", 14));
}

// A transfer spans many messages that named sends back to back, so one read
// can hold the end of one and the start of the next. The reader used to drop
// what followed the message it wanted: every AXFR of a zone of more than a few
// thousand records failed ("a malformed answer"), so neither the audit nor the
// convergence of a big change set could ever finish (found by the bench's
// 100,000-record zone). A zone of 30,000 records must come back whole, twice
// over one kept-open connection.
TEST_F(NamedTest, ABigTransferIsReadWholeAndTheConnectionStaysUsable) {
  Publisher publisher(dir_.path() + "/zones");
  Pusher pusher(publisher, *rndc_);
  constexpr int kRecords = 30000;
  std::string text = zoneText("big.test", 7, "192.0.2.1");
  for (int i = 0; i < kRecords; ++i) {
    text += "r" + std::to_string(i) + ".big.test. 300 IN A 198.51." +
            std::to_string(i / 250 % 250) + "." + std::to_string(i % 250 + 1) + "\n";
  }
  ASSERT_TRUE(pusher.deploy({"big.test", 7, text}).ok);
  ASSERT_TRUE(waitForSerial("big.test", 7));
  auto target = loadRndcConfig(dir_.path() + "/rndc.conf");
  ASSERT_TRUE(target) << target.error().detail;
  DnsUpdater updater("127.0.0.1", dnsPort_, target.value().key);
  for (int round = 0; round < 2; ++round) {
    auto records = updater.transfer("big.test");
    ASSERT_TRUE(records) << "round " << round << ": " << records.error().detail;
    // SOA, NS, ns1 and www, then the 30,000 (the closing SOA is not kept).
    EXPECT_EQ(records->size(), static_cast<size_t>(kRecords + 4)) << "round " << round;
  }
  // And an UPDATE on the same connection afterwards still gets its own answer.
  const UpdateOutcome added =
      updater.apply("big.test", {{true, "extra.big.test. 300 IN A 192.0.2.99"}}, "");
  EXPECT_NE(added.kind, UpdateOutcome::Kind::kFailed) << added.detail;
}

// New zones of a batch are added in turn and confirmed together
// (Pusher::addZones, PrimaryCheck::confirmAll over waitForSerials): every
// zone named serves at the serial is confirmed, and each one it does not
// serve yet, or at all, gets its own error saying what named answers.
TEST_F(NamedTest, NewZonesOfABatchAreConfirmedTogether) {
  Publisher publisher(dir_.path() + "/zones");
  PrimaryCheck check("127.0.0.1", dnsPort_, milliseconds(5000));
  Pusher pusher(publisher, *rndc_, {&check});
  std::vector<DeployRequest> batch;
  for (int i = 0; i < 5; ++i) {
    const std::string zone = "new" + std::to_string(i) + ".test";
    batch.push_back({zone, 20, zoneText(zone, 20, "192.0.2.1")});
  }
  const auto results = pusher.deployAll(batch);
  for (size_t k = 0; k < results.size(); ++k)
    EXPECT_TRUE(results[k].ok) << batch[k].domain << ": " << results[k].detail;
  for (const auto& r : batch) EXPECT_EQ(servedSerial(r.domain), 20) << r.domain;
  // Asked directly: a later serial and a zone named lacks are errors of their own.
  PrimaryCheck quick("127.0.0.1", dnsPort_, milliseconds(300));
  const auto confirmed = quick.confirmAll(
      {{"new0.test", 20}, {"new1.test", 21}, {"absent.test", 1}, {"new2.test", 19}});
  ASSERT_EQ(confirmed.size(), 4u);
  EXPECT_FALSE(confirmed[0]);
  ASSERT_TRUE(confirmed[1]);
  EXPECT_NE(confirmed[1]->detail.find("still answers serial 20 for new1.test instead of serial 21"),
            std::string::npos)
      << confirmed[1]->detail;
  ASSERT_TRUE(confirmed[2]);
  EXPECT_NE(confirmed[2]->detail.find("REFUSED"), std::string::npos) << confirmed[2]->detail;
  EXPECT_FALSE(confirmed[3]) << "a later serial than asked for confirms (RFC 1982)";
}

// Deploys that arrive together go to named together (Pusher::deployAll,
// DnsUpdater::applyEach): named answers the UPDATEs of one connection one after
// another, so they are spread over several kept-open connections, and their
// journal syncs overlap. Every zone's change is applied, a zone named lacks
// gets its own answer at its own place, and the connections stay usable.
TEST_F(NamedTest, UpdatesToManyZonesGoTogetherOverSeveralConnections) {
  auto target = loadRndcConfig(dir_.path() + "/rndc.conf");
  ASSERT_TRUE(target) << target.error().detail;
  DnsUpdater updater("127.0.0.1", dnsPort_, target.value().key, std::chrono::seconds(10), 3);
  Publisher publisher(dir_.path() + "/zones");
  Pusher pusher(publisher, *rndc_, {nullptr, nullptr, false, &updater, "test-rndc"});
  constexpr int kZones = 7;
  auto name = [](int i) { return "z" + std::to_string(i) + ".test"; };
  for (int i = 0; i < kZones; ++i) {
    ASSERT_TRUE(pusher.deploy({name(i), 10, zoneText(name(i), 10, "192.0.2.1")}).ok) << name(i);
    ASSERT_TRUE(waitForSerial(name(i), 10)) << name(i);
  }
  auto soaLine = [](const std::string& domain, uint32_t serial) {
    const std::string text = zoneText(domain, serial, "192.0.2.1");
    return text.substr(0, text.find('\n'));
  };
  for (uint32_t serial : {11u, 12u}) {
    std::vector<std::vector<UpdateOp>> ops;
    for (int i = 0; i <= kZones; ++i) {
      ops.push_back({{true, "r" + std::to_string(serial) + "." + name(i) + ". 300 IN A 192.0.2." +
                                std::to_string(i + 1)}});
    }
    std::vector<ZoneChange> changes;
    for (int i = 0; i <= kZones; ++i) {
      // The last zone (z7.test) is not loaded in named.
      changes.push_back({name(i), &ops[static_cast<size_t>(i)], soaLine(name(i), serial)});
    }
    const auto outcomes = updater.applyEach(changes);
    ASSERT_EQ(outcomes.size(), changes.size());
    for (int i = 0; i < kZones; ++i) {
      EXPECT_EQ(outcomes[static_cast<size_t>(i)].kind, UpdateOutcome::Kind::kApplied)
          << name(i) << " serial " << serial << ": " << outcomes[static_cast<size_t>(i)].detail;
      EXPECT_TRUE(waitForSerial(name(i), serial)) << name(i);
    }
    EXPECT_EQ(outcomes.back().kind, UpdateOutcome::Kind::kNotDynamic) << outcomes.back().detail;
  }
}

TEST_F(NamedTest, NamedDownMeansAFailedAckThatSaysWhatToCheck) {
  Publisher publisher(dir_.path() + "/zones");
  Pusher pusher(publisher, *rndc_);
  stopNamed();
  const DeployResult result =
      pusher.deploy({"down.test", 1, zoneText("down.test", 1, "192.0.2.1")});
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.detail.find("is named running? check " + dir_.path() + "/rndc.conf"),
            std::string::npos)
      << result.detail;
  EXPECT_EQ(publisher.deployedSerial("down.test"), 0u);
}

TEST_F(NamedTest, TheSocketLoopAcknowledgesOnTheSameEnvelope) {
  Publisher publisher(dir_.path() + "/zones");
  Pusher pusher(publisher, *rndc_);
  zmq::context_t ctx;
  std::atomic<bool> stop{false};
  std::thread loop([&] { runPusher(ctx, "inproc://push-test", pusher, stop); });
  zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.set(zmq::sockopt::rcvtimeo, 15000);
  dealer.connect("inproc://push-test");
  struct Case {
    uint16_t version;
    const char* domain;
    uint64_t serial;
    bool ok;
  } cases[] = {
      {schema::PROTOCOL_VERSION, "loop.test", 1, true},
      {schema::PROTOCOL_VERSION, "Bad Name", 1, false},
      {99, "loop.test", 2, false},  // unknown protocol version
  };
  for (const auto& c : cases) {
    capnp::MallocMessageBuilder message;
    auto deploy = message.initRoot<schema::Deploy>();
    deploy.setVersion(c.version);
    deploy.setDomain(c.domain);
    deploy.setSerial(c.serial);
    deploy.getBody().setZoneFile(
        zoneText("loop.test", static_cast<uint32_t>(c.serial), "192.0.2.1"));
    ASSERT_TRUE(dealer.send(bus::toFrame(message), zmq::send_flags::none));
    zmq::message_t reply;
    ASSERT_TRUE(dealer.recv(reply)) << c.domain;
    bus::Decoded decoded(reply);
    auto ack = decoded.root<schema::DeployAck>();
    EXPECT_EQ(ack.getDomain(), std::string(c.domain));
    EXPECT_EQ(ack.getSerial(), c.serial);
    EXPECT_EQ(ack.getOk(), c.ok) << c.domain << ": " << ack.getDetail().cStr();
  }
  EXPECT_TRUE(waitForSerial("loop.test", 1));
  stop = true;
  loop.join();
}

}  // namespace
}  // namespace zp::push
