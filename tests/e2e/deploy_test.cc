// Deployment end to end (issue 4): a primary named loaded by zonepipe-push and
// a secondary that follows the primary's catalog zone by NOTIFY and
// TSIG-signed zone transfers; the pusher's status socket tells what each one
// serves. Real processes and real named (tests/e2e/harness.h).

#include <gtest/gtest.h>
#include <unistd.h>

#include <rapidjson/document.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "common/deploy/status_client.h"
#include "pipelines/push/soa_query.h"
#include "tests/e2e/harness.h"

namespace zp::e2e {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kConverge{30000};
const std::string kZones = "/api/v1/dns-zones/";

std::string field(const HttpResponse& r, const char* key) {
  rapidjson::Document d;
  d.Parse(r.body.c_str(), r.body.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember(key) || !d[key].IsString()) return "";
  return d[key].GetString();
}

std::string recordJson(const std::string& type, const std::string& name, const std::string& value) {
  return R"({"record_type": ")" + type + R"(", "name": ")" + name + R"(", "value": ")" + value +
         R"("})";
}

class DeployTest : public ::testing::Test {
 protected:
  void boot(StackOptions options = {}) { stack_ = std::make_unique<Stack>(std::move(options)); }
  void TearDown() override { stack_.reset(); }

  std::string createZone(const std::string& domain) {
    auto r = stack_->http("POST", kZones, R"({"domain": ")" + domain + R"("})", stack_->token());
    EXPECT_EQ(r.status, 201) << r.body;
    return field(r, "uuid");
  }
  HttpResponse postRecord(const std::string& zone, const std::string& body) {
    return stack_->http("POST", kZones + zone + "/records/", body, stack_->token());
  }
  std::string addRecord(const std::string& zone, const std::string& type, const std::string& name,
                        const std::string& value) {
    auto r = postRecord(zone, recordJson(type, name, value));
    EXPECT_EQ(r.status, 201) << r.body;
    return field(r, "uuid");
  }

  Result<deploy::PushStatus> status(const std::string& domain) {
    return deploy::queryPushStatus(ctx_, "ipc://" + stack_->dir() + "/run/push-status.sock", domain,
                                   milliseconds(2000));
  }
  // The SOA serial `server` answers for `domain`, or 0 when it does not serve it.
  uint32_t servedSerial(const std::string& server, const std::string& domain) {
    auto d = stack_->digAt(server, domain, "SOA");
    if (d.status != "NOERROR" || d.answers.empty()) return 0;
    // "mname rname serial refresh retry expire minimum"
    std::istringstream in(d.answers.front());
    std::string mname, rname;
    uint32_t serial = 0;
    in >> mname >> rname >> serial;
    return serial;
  }
  bool serves(const std::string& server, const std::string& name, const std::string& type,
              const std::string& value) {
    auto d = stack_->digAt(server, name, type);
    return std::find(d.answers.begin(), d.answers.end(), value) != d.answers.end();
  }
  bool bothServe(const std::string& name, const std::string& type, const std::string& value) {
    return serves(stack_->primaryServer(), name, type, value) &&
           serves(stack_->secondaryServer(), name, type, value);
  }
  // Every nameserver in sync with the newest serial the pusher was asked for.
  bool allInSync(const std::string& domain) {
    auto s = status(domain);
    if (!s.ok() || !s->known || s->nameservers.size() != 2) return false;
    for (const auto& ns : s->nameservers) {
      if (!ns.inSync) return false;
    }
    return s->deployedSerial == s->wantedSerial;
  }

  zmq::context_t ctx_;
  std::unique_ptr<Stack> stack_;
};

TEST_F(DeployTest, RecordAppearsOnPrimaryAndSecondaryWithConfiguredNsAndSoa) {
  boot();
  const std::string zone = createZone("both.test");
  ASSERT_FALSE(zone.empty());
  const auto t0 = Clock::now();
  ASSERT_EQ(postRecord(zone, recordJson("A", "www", "192.0.2.7")).status, 201);
  bool onSecondary = false;
  const auto until = t0 + kConverge;
  while (Clock::now() < until &&
         !(onSecondary = serves(stack_->secondaryServer(), "www.both.test", "A", "192.0.2.7"))) {
  }
  const auto ms = std::chrono::duration_cast<milliseconds>(Clock::now() - t0).count();
  ASSERT_TRUE(onSecondary) << "the secondary never served www.both.test";
  // Informational, not asserted: 201 -> served by the secondary (includes dig's start-up).
  std::cout << "[ timing ] 201 -> served on the secondary in " << ms << " ms\n";
  RecordProperty("ms_201_to_secondary", static_cast<int>(ms));
  EXPECT_TRUE(serves(stack_->primaryServer(), "www.both.test", "A", "192.0.2.7"));

  for (const std::string& server : {stack_->primaryServer(), stack_->secondaryServer()}) {
    auto ns = stack_->digAt(server, "both.test", "NS").answers;
    std::sort(ns.begin(), ns.end());
    EXPECT_EQ(ns, (std::vector<std::string>{"ns1.zonepipe.test.", "ns2.zonepipe.test."})) << server;
    auto soa = stack_->digAt(server, "both.test", "SOA").answers;
    ASSERT_EQ(soa.size(), 1u) << server;
    EXPECT_EQ(soa[0].rfind("ns1.zonepipe.test. hostmaster.zonepipe.test. ", 0), 0u) << soa[0];
  }

  ASSERT_TRUE(Stack::waitFor([&] { return allInSync("both.test"); }, kConverge));
  auto s = status("both.test");
  ASSERT_TRUE(s.ok()) << s.error().detail;
  EXPECT_EQ(s->nameservers[0].name, "ns1.zonepipe.test");
  EXPECT_EQ(s->nameservers[1].name, "ns2.zonepipe.test");
  EXPECT_EQ(s->nameservers[1].address, stack_->secondaryServer());
  EXPECT_EQ(s->nameservers[1].serial, dns::soaSerial(s->deployedSerial));
  EXPECT_TRUE(s->lastError.empty()) << s->lastError;
  const auto exported =
      stack_->http("GET", "/api/v1/dns-zones/" + zone + "/export/", "", stack_->token());
  EXPECT_NE(exported.body.find("www.both.test. 3600 IN A 192.0.2.7"), std::string::npos)
      << exported.body;
  const auto transferred = stack_->axfr(stack_->secondaryServer(), "both.test");
  EXPECT_NE(std::find(transferred.begin(), transferred.end(), "www.both.test. 3600 IN A 192.0.2.7"),
            transferred.end());

  auto unknown = status("never-created.test");
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->known);
}

TEST_F(DeployTest, BurstOfChangesConvergesWithFarFewerReloads) {
  boot();
  const std::string zone = createZone("burst.test");
  ASSERT_FALSE(zone.empty());
  ASSERT_TRUE(Stack::waitFor([&] { return allInSync("burst.test"); }, kConverge));
  auto before = status("burst.test");
  ASSERT_TRUE(before.ok());

  constexpr int kChanges = 1000;
  constexpr int kThreads = 8;
  std::atomic<int> next{0}, created{0};
  std::atomic<bool> failed{false};
  std::string firstFailure;
  const auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < kChanges; i = next++) {
        const std::string body =
            recordJson("A", "r" + std::to_string(i), "198.51.100." + std::to_string(i % 250 + 1));
        for (int attempt = 0; attempt < 20; ++attempt) {
          auto r = postRecord(zone, body);
          if (r.status == 201) {
            ++created;
            break;
          }
          if (r.status != 429 && r.status != 503) {
            if (!failed.exchange(true)) firstFailure = std::to_string(r.status) + " " + r.body;
            break;
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  const auto burstMs = std::chrono::duration_cast<milliseconds>(Clock::now() - t0).count();
  ASSERT_FALSE(failed.load()) << firstFailure;
  ASSERT_EQ(created.load(), kChanges);
  std::cout << "[ burst  ] " << kChanges << " record writes answered 201 in " << burstMs << " ms\n";

  const bool converged = Stack::waitFor(
      [&] {
        if (!allInSync("burst.test")) return false;
        for (const std::string& server : {stack_->primaryServer(), stack_->secondaryServer()}) {
          size_t lines = 0;
          for (const auto& rr : stack_->axfr(server, "burst.test")) {
            lines += rr.find(" IN A ") != std::string::npos;
          }
          if (lines != kChanges) return false;
        }
        return true;
      },
      milliseconds(60000));
  ASSERT_TRUE(converged) << "the burst did not converge on both nameservers";
  EXPECT_TRUE(bothServe("r0.burst.test", "A", "198.51.100.1"));
  EXPECT_TRUE(bothServe("r999.burst.test", "A", "198.51.100." + std::to_string(999 % 250 + 1)));

  auto after = status("burst.test");
  ASSERT_TRUE(after.ok());
  const uint64_t reloads = after->reloads - before->reloads;
  std::cout << "[ burst  ] " << kChanges << " changes -> " << reloads
            << " reloads of the zone (record changes go as UPDATEs)\n";
  RecordProperty("burst_reloads", static_cast<int>(reloads));
  EXPECT_EQ(reloads, 0u) << "record changes reloaded the whole zone";
}

// NOTIFYs counted in the secondary's log ("zone Z/IN: notify from ...", one
// line per NOTIFY received, whoever sent it).
size_t notifiesLogged(const std::string& namedLog, const std::string& domain) {
  std::ifstream in(namedLog);
  const std::string needle = "zone " + domain + "/IN: notify from ";
  size_t n = 0;
  for (std::string line; std::getline(in, line);) n += line.find(needle) != std::string::npos;
  return n;
}

// A zone that keeps changing is NOTIFYed once at once and then at most once
// per push.notify_interval_ms, not once per change: each NOTIFY costs the
// secondary an SOA query and an IXFR. The last change still reaches it (the
// trailing NOTIFY), and named sends none of its own for member zones.
TEST_F(DeployTest, SecondariesAreNotifiedOncePerIntervalNotOncePerChange) {
  StackOptions options;
  options.extraConfig = {"push.notify_interval_ms = 1000"};
  boot(std::move(options));
  const std::string zone = createZone("paced.test");
  ASSERT_FALSE(zone.empty());
  ASSERT_TRUE(Stack::waitFor([&] { return allInSync("paced.test"); }, kConverge));
  const std::string log = stack_->dir() + "/named-secondary/named.log";
  const size_t before = notifiesLogged(log, "paced.test");

  // Each change is served by the primary before the next is sent, so each is
  // its own UPDATE and serial: named's own NOTIFYs would be one per change.
  constexpr int kChanges = 12;
  const auto t0 = Clock::now();
  for (int i = 0; i < kChanges; ++i) {
    const std::string value = "192.0.2." + std::to_string(i + 1);
    addRecord(zone, "A", "h" + std::to_string(i), value);
    ASSERT_TRUE(Stack::waitFor(
        [&] {
          return serves(stack_->primaryServer(), "h" + std::to_string(i) + ".paced.test", "A",
                        value);
        },
        kConverge));
  }
  const auto changesMs = std::chrono::duration_cast<milliseconds>(Clock::now() - t0).count();
  ASSERT_TRUE(Stack::waitFor(
      [&] {
        return serves(stack_->secondaryServer(), "h11.paced.test", "A", "192.0.2.12") &&
               allInSync("paced.test");
      },
      kConverge))
      << "the last change never reached the secondary (no trailing NOTIFY?)";
  const size_t notifies = notifiesLogged(log, "paced.test") - before;
  // One at once, then one per interval begun while changes came, the last
  // one trailing.
  const size_t atMost = 2 + static_cast<size_t>(changesMs / 1000);
  std::cout << "[ notify ] " << kChanges << " changes in " << changesMs << " ms -> " << notifies
            << " NOTIFYs to the secondary\n";
  EXPECT_GE(notifies, 1u);
  EXPECT_LE(notifies, atMost) << "NOTIFYs were not paced";
  EXPECT_LT(notifies, static_cast<size_t>(kChanges)) << "one NOTIFY per change";
}

TEST_F(DeployTest, PrimaryDownChangesStillCommitAndEverythingConvergesWhenItReturns) {
  boot();
  const std::string zone = createZone("outage.test");
  addRecord(zone, "A", "before", "192.0.2.1");
  ASSERT_TRUE(
      Stack::waitFor([&] { return bothServe("before.outage.test", "A", "192.0.2.1"); }, kConverge));

  stack_->stopNamed("primary");
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(postRecord(zone, recordJson("A", "during" + std::to_string(i), "192.0.2.2")).status,
              201);
  }
  // The status shows the lag and why.
  deploy::PushStatus lagging;
  ASSERT_TRUE(Stack::waitFor(
      [&] {
        auto s = status("outage.test");
        if (!s.ok()) return false;
        lagging = *s;
        return s->wantedSerial > s->deployedSerial && !s->lastError.empty() &&
               !s->nameservers[0].inSync;
      },
      kConverge))
      << "the pusher's status never showed the primary lagging";
  std::cout << "[ outage ] status while named is down: " << lagging.lastError << "\n";
  EXPECT_FALSE(lagging.nameservers[1].inSync);
  EXPECT_TRUE(serves(stack_->secondaryServer(), "before.outage.test", "A", "192.0.2.1"))
      << "the secondary keeps serving the old version";

  stack_->startNamed("primary");
  ASSERT_TRUE(Stack::waitFor(
      [&] {
        return bothServe("during0.outage.test", "A", "192.0.2.2") &&
               bothServe("during2.outage.test", "A", "192.0.2.2") && allInSync("outage.test");
      },
      kConverge))
      << "the nameservers did not converge after named came back";
  auto s = status("outage.test");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->lastError.empty()) << s->lastError;
}

// A pusher killed with -9 and started again confirms every zone it deployed
// before, unchanged ones included, on both nameservers: the status (and so
// the API's in_sync and GET /changes/{id}/) never stays unknown until the
// zone changes or the next audit, minutes later (issue 8: "pusher restarted
// with 10,000 zones: every zone confirmed in sync").
TEST_F(DeployTest, RestartedPusherConfirmsEveryZoneItServesWithoutAChange) {
  StackOptions options;
  options.extraConfig = {"renderer.audit_interval_ms = 0"};  // no audit round re-sends the zones
  boot(std::move(options));
  std::vector<std::string> domains, zones;
  for (int z = 0; z < 3; ++z) {
    const std::string domain = "adopt" + std::to_string(z) + ".test";
    const std::string zone = createZone(domain);
    zones.push_back(zone);
    for (int i = 0; i < 3; ++i) {  // UPDATEs after the first load: the serial file is older
      addRecord(zone, "A", "h" + std::to_string(i), "192.0.2." + std::to_string(i + 1));
    }
    domains.push_back(domain);
  }
  for (const auto& d : domains) {
    ASSERT_TRUE(Stack::waitFor(
        [&] { return bothServe("h2." + d, "A", "192.0.2.3") && allInSync(d); }, kConverge))
        << d;
  }
  stack_->killNine("push");
  stack_->start("push");
  for (const auto& d : domains) {
    ASSERT_TRUE(Stack::waitFor([&] { return allInSync(d); }, kConverge))
        << d << " was never confirmed after the pusher's restart";
    auto s = status(d);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->nameservers[0].serial, servedSerial(stack_->primaryServer(), d));
    EXPECT_EQ(s->nameservers[1].serial, s->nameservers[0].serial);
  }
  // A change after the restart is the new reference, as before.
  addRecord(zones[0], "A", "after", "192.0.2.9");
  ASSERT_TRUE(Stack::waitFor(
      [&] { return bothServe("after." + domains[0], "A", "192.0.2.9") && allInSync(domains[0]); },
      kConverge));
}

TEST_F(DeployTest, CheckzoneRefusalOfAWholeVersionShowsInTheStatus) {
  // named-checkzone gates every whole version the renderer renders from the
  // store (audits, repairs, zones the pusher cannot update); record changes
  // go as UPDATEs that named checks itself. A checkzone that refuses zone
  // files containing a marker while a flag file exists, and hands everything
  // else to the real named-checkzone: the renderer's gate, driven the way a
  // rendering bug would drive it, without a test hook in production code.
  char path[] = "/tmp/zp-refusing-checkzone-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  const std::string flag = std::string(path) + ".refuse";
  {
    std::ofstream script(path, std::ios::trunc);
    script << "#!/bin/sh\n"
              "for last; do :; done\n"
              "if [ -e "
           << flag
           << " ] && grep -q zonepipe-refuse-me \"$last\"; then\n"
              "  echo \"$last: refused by the test's checkzone (marker found)\"\n"
              "  exit 1\n"
              "fi\n"
              "exec named-checkzone \"$@\"\n";
  }
  std::ofstream(flag).put('\n');
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  struct Remove {
    std::string p, f;
    ~Remove() {
      std::remove(p.c_str());
      std::remove(f.c_str());
    }
  } remove{path, flag};
  boot({true, {std::string("renderer.checkzone = ") + path, "renderer.audit_interval_ms = 1000"}});

  const std::string good = createZone("gate.test");
  addRecord(good, "A", "www", "192.0.2.10");
  const std::string zone = createZone("marked.test");
  addRecord(zone, "TXT", "note", "zonepipe-refuse-me");
  ASSERT_TRUE(Stack::waitFor(
      [&] {
        auto s = status("marked.test");
        return s.ok() && s->lastError.find("named-checkzone refused") != std::string::npos;
      },
      kConverge))
      << "the zone's status never showed the audit's refusal";
  // The refusal holds up nothing else.
  ASSERT_TRUE(
      Stack::waitFor([&] { return bothServe("www.gate.test", "A", "192.0.2.10"); }, kConverge));

  // Once the gate passes, the next audit clears the status.
  std::remove(flag.c_str());
  ASSERT_TRUE(Stack::waitFor(
      [&] {
        auto s = status("marked.test");
        return s.ok() && s->lastError.empty();
      },
      kConverge));
  ASSERT_TRUE(Stack::waitFor([&] { return allInSync("marked.test"); }, kConverge));
}

TEST_F(DeployTest, SerialOnlyRisesAcrossStoreRestartAndDeleteRecreate) {
  boot();
  std::string zone = createZone("serial.test");
  addRecord(zone, "A", "one", "192.0.2.1");
  ASSERT_TRUE(
      Stack::waitFor([&] { return bothServe("one.serial.test", "A", "192.0.2.1"); }, kConverge));
  const uint32_t first = servedSerial(stack_->secondaryServer(), "serial.test");
  ASSERT_NE(first, 0u);

  // A store restart: the log (and so the serials) continue.
  EXPECT_EQ(stack_->stop("store"), 0);
  stack_->start("store");
  ASSERT_TRUE(Stack::waitFor(
      [&] { return postRecord(zone, recordJson("A", "two", "192.0.2.2")).status == 201; },
      kConverge));
  ASSERT_TRUE(
      Stack::waitFor([&] { return bothServe("two.serial.test", "A", "192.0.2.2"); }, kConverge));
  const uint32_t second = servedSerial(stack_->secondaryServer(), "serial.test");
  EXPECT_TRUE(push::serialAtOrAfter(second, first + 1)) << first << " -> " << second;

  // Delete and re-create the same domain: gone from both, then back with a higher serial.
  ASSERT_EQ(stack_->http("DELETE", kZones + zone + "/", "", stack_->token()).status, 204);
  ASSERT_TRUE(Stack::waitFor(
      [&] {
        return servedSerial(stack_->primaryServer(), "serial.test") == 0 &&
               servedSerial(stack_->secondaryServer(), "serial.test") == 0;
      },
      kConverge))
      << "the deleted zone is still served";
  zone = createZone("serial.test");
  addRecord(zone, "A", "three", "192.0.2.3");
  ASSERT_TRUE(
      Stack::waitFor([&] { return bothServe("three.serial.test", "A", "192.0.2.3"); }, kConverge));
  const uint32_t third = servedSerial(stack_->secondaryServer(), "serial.test");
  EXPECT_TRUE(push::serialAtOrAfter(third, second + 1)) << second << " -> " << third;
  EXPECT_TRUE(stack_->digAt(stack_->secondaryServer(), "one.serial.test", "A").answers.empty());
  std::cout << "[ serial ] " << first << " -> " << second << " (store restart) -> " << third
            << " (delete + re-create)\n";
}

}  // namespace
}  // namespace zp::e2e
