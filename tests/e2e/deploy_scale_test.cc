// Deployment at operator scale (issue 8), end to end with real named primary
// and secondary: a zone of tens of thousands of records keeps deploying and
// one more change reaches named at once; the longest legal domain is served
// and removed; bursts of zone creations and deletions converge on both
// nameservers. Timings are printed, never asserted (bench/ holds the targets).

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "pipelines/push/soa_query.h"
#include "tests/e2e/harness.h"

namespace zp::e2e {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

const std::string kZones = "/api/v1/dns-zones/";

int64_t msSince(Clock::time_point t0) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - t0).count();
}

rapidjson::Document json(const HttpResponse& r) {
  rapidjson::Document d;
  d.Parse(r.body.c_str(), r.body.size());
  return d;
}

std::string uuidOf(const HttpResponse& r) {
  auto d = json(r);
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("uuid")) return "";
  return d["uuid"].GetString();
}

// `count` tasks over `threads` threads; each task retries on 429/503.
void runParallel(int count, int threads, const std::function<HttpResponse(int)>& task,
                 std::atomic<int>& ok, std::string& firstFailure) {
  std::atomic<int> next{0};
  std::mutex mu;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < count; i = next++) {
        for (int attempt = 0; attempt < 50; ++attempt) {
          const HttpResponse r = task(i);
          if (r.status == 201 || r.status == 204) {
            ++ok;
            break;
          }
          if (r.status != 429 && r.status != 503) {
            std::lock_guard lock(mu);
            if (firstFailure.empty()) firstFailure = std::to_string(r.status) + " " + r.body;
            break;
          }
        }
      }
    });
  }
  for (auto& t : pool) t.join();
}

// Asks every server for every zone's SOA with one UDP socket (hundreds of
// zones per round, no dig process per query): the SOA serial each answers
// authoritatively, 0 when it does not serve the zone.
std::map<std::string, uint32_t> soaSerials(const std::string& server, uint16_t defaultPort,
                                           const std::vector<std::string>& zones) {
  std::string address = server;
  uint16_t port = defaultPort;
  if (const auto colon = server.find(':'); colon != std::string::npos) {
    address = server.substr(0, colon);
    port = static_cast<uint16_t>(std::stoi(server.substr(colon + 1)));
  }
  push::SoaSocket socket;
  std::map<std::string, uint32_t> out;
  // 50 queries at a time, each asked up to three times: a burst of a
  // thousand would overflow a socket buffer and read as "not served".
  for (size_t start = 0; start < zones.size(); start += 50) {
    std::map<uint16_t, std::string> asked;
    for (size_t i = start; i < std::min(zones.size(), start + 50); ++i) {
      asked[static_cast<uint16_t>(i + 1)] = zones[i];
      out[zones[i]] = 0;
    }
    for (int attempt = 0; attempt < 3 && !asked.empty(); ++attempt) {
      for (const auto& [id, zone] : asked) (void)socket.send(address, port, zone, id);
      const auto until = Clock::now() + milliseconds(300);
      while (!asked.empty() && Clock::now() < until) {
        socket.wait(milliseconds(10));
        for (const auto& got : socket.drain()) {
          auto it = asked.find(got.reply.id);
          if (it == asked.end()) continue;
          if (got.reply.rcode == 0 && got.reply.authoritative && got.reply.serial) {
            out[it->second] = *got.reply.serial;
          }
          asked.erase(it);
        }
      }
    }
  }
  return out;
}

class DeployScaleTest : public ::testing::Test {
 protected:
  void boot(std::vector<std::string> extra = {}, std::string newZonesDir = {}) {
    StackOptions options;
    options.extraConfig = std::move(extra);
    options.newZonesDir = std::move(newZonesDir);
    options.extraConfig.push_back("api.rate_limit = 0");
    stack_ = std::make_unique<Stack>(std::move(options));
  }
  void TearDown() override { stack_.reset(); }

  HttpResponse post(const std::string& path, const std::string& body) {
    return stack_->http("POST", path, body, stack_->token());
  }
  uint16_t dnsPort() {
    const std::string p = stack_->primaryServer();
    const auto colon = p.find(':');
    return colon == std::string::npos ? 53 : static_cast<uint16_t>(std::stoi(p.substr(colon + 1)));
  }
  size_t servedA(const std::string& server, const std::string& zone) {
    size_t n = 0;
    for (const auto& rr : stack_->axfr(server, zone)) n += rr.find(" IN A ") != std::string::npos;
    return n;
  }
  // Polls (up to `deadline`) until both nameservers serve `records` A records in `zone`.
  bool bothServe(const std::string& zone, int records, milliseconds deadline) {
    return Stack::waitFor(
        [&] {
          return servedA(stack_->primaryServer(), zone) == static_cast<size_t>(records) &&
                 servedA(stack_->secondaryServer(), zone) == static_cast<size_t>(records);
        },
        deadline);
  }

  std::unique_ptr<Stack> stack_;
};

TEST_F(DeployScaleTest, BigZoneKeepsDeployingAndOneMoreChangeIsServedAtOnce) {
  // The measured failure: past ~41,000 records the zone never deployed again
  // (a snapshot over Cap'n Proto's traversal limit). Deltas never grow with the zone.
  int records =
      20000;  // ZP_E2E_BIG_ZONE=50000 for the size of the original failure (about 2 minutes)
  if (const char* env = std::getenv("ZP_E2E_BIG_ZONE")) records = std::atoi(env);
  boot({"quota.records_per_zone = 1000000"});
  const std::string zone = uuidOf(post(kZones, R"({"domain": "big.test"})"));
  ASSERT_FALSE(zone.empty());

  std::atomic<int> created{0};
  std::string failure;
  const auto t0 = Clock::now();
  runParallel(
      records, 8,
      [&](int i) {
        return post(kZones + zone + "/records/",
                    R"({"record_type": "A", "name": "h)" + std::to_string(i) +
                        R"(", "value": "10.)" + std::to_string(i / 65536) + "." +
                        std::to_string(i / 256 % 256) + "." + std::to_string(i % 256) + R"("})");
      },
      created, failure);
  ASSERT_EQ(created.load(), records) << failure;
  std::cout << "[ bigzone ] " << records << " records answered 201 in " << msSince(t0) << " ms\n";

  const auto served = Clock::now();
  ASSERT_TRUE(bothServe("big.test", records, milliseconds(180000)))
      << "the big zone did not converge on both nameservers";
  std::cout << "[ bigzone ] both nameservers serve all " << records << " records "
            << msSince(served) << " ms after the last 201\n";

  // One more change in the big zone: served by the primary moments after its 201.
  const auto t1 = Clock::now();
  ASSERT_EQ(post(kZones + zone + "/records/",
                 R"({"record_type": "TXT", "name": "one-more", "value": "hello"})")
                .status,
            201);
  ASSERT_TRUE(Stack::waitFor(
      [&] {
        return !stack_->digAt(stack_->primaryServer(), "one-more.big.test", "TXT").answers.empty();
      },
      milliseconds(10000)));
  std::cout << "[ bigzone ] one change in a " << records << "-record zone served by the primary "
            << msSince(t1) << " ms after its 201 (dig included)\n";
  // The zone's detail and export still answer (no 503 for a big zone).
  EXPECT_EQ(stack_->http("GET", kZones + zone + "/", "", stack_->token()).status, 200);
  const auto exported = stack_->http("GET", kZones + zone + "/export", "", stack_->token());
  EXPECT_EQ(exported.status, 200);
  EXPECT_NE(exported.body.find("one-more.big.test. "), std::string::npos);
}

// Bulk loading by change sets of 5,000 records (more than one UPDATE message
// holds). Each set used to go as a whole version that the pusher converged by
// transferring named's whole copy; past a few thousand records that transfer
// failed (the TCP reader dropped bytes), so the zone never deployed again.
// Now each set is a delta that the pusher sends as several UPDATEs, and the
// export reads the zone in pages of 10,000 (no message grows with the zone).
TEST_F(DeployScaleTest, BigChangeSetsAreDeltasAndTheExportComesInPages) {
  constexpr int kSets = 5, kPerSet = 5000, kRecords = kSets * kPerSet;
  boot({"quota.records_per_zone = 1000000"});
  const std::string zone = uuidOf(post(kZones, R"({"domain": "bulk.test"})"));
  ASSERT_FALSE(zone.empty());
  for (int set = 0; set < kSets; ++set) {
    std::string body = R"({"changes": [)";
    for (int i = set * kPerSet; i < (set + 1) * kPerSet; ++i) {
      if (i > set * kPerSet) body += ',';
      body += R"({"action": "create", "record_type": "A", "name": "b)" + std::to_string(i) +
              R"(", "value": "10.1.)" + std::to_string(i / 256 % 256) + "." +
              std::to_string(i % 256) + R"("})";
    }
    body += "]}";
    const auto r = post(kZones + zone + "/changesets/", body);
    ASSERT_EQ(r.status, 201) << "set " << set << ": " << r.body.substr(0, 300);
  }
  ASSERT_TRUE(bothServe("bulk.test", kRecords, milliseconds(120000)))
      << "the bulk-loaded zone did not converge on both nameservers";
  std::ifstream pushLog(stack_->dir() + "/push.log");
  std::stringstream pushText;
  pushText << pushLog.rdbuf();
  EXPECT_NE(pushText.str().find("bulk.test serial"), std::string::npos);
  EXPECT_NE(pushText.str().find("5000 changes sent as"), std::string::npos)
      << "a set of 5,000 went otherwise than as a delta of several UPDATEs";
  EXPECT_EQ(pushText.str().find("named's copy of bulk.test"), std::string::npos)
      << "a set was converged by transferring the zone";

  // The export: three pages, every record once, the same bytes as the
  // renderer's own function would write (the golden and replay tests hold
  // that function to the deployed files).
  const auto exported = stack_->http("GET", kZones + zone + "/export", "", stack_->token());
  ASSERT_EQ(exported.status, 200) << exported.body.substr(0, 300);
  size_t lines = 0;
  for (size_t at = exported.body.find(" IN A "); at != std::string::npos;
       at = exported.body.find(" IN A ", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, static_cast<size_t>(kRecords));
  EXPECT_NE(exported.body.find("\nb0.bulk.test. 3600 IN A 10.1.0.0\n"), std::string::npos);
  EXPECT_NE(exported.body.find("\nb24999.bulk.test. 3600 IN A 10.1.97.167\n"), std::string::npos);
}

TEST_F(DeployScaleTest, TheLongestDomainIsServedAndRemoved) {
  boot();
  // Labels of 63, 63, 63 and 56 octets under .test: 253 characters, the most
  // a domain name may have; its zone file name must still fit (255 bytes).
  const std::string domain = std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                             std::string(63, 'c') + "." + std::string(56, 'd') + ".test";
  ASSERT_EQ(domain.size(), 253u);
  const std::string zone = uuidOf(post(kZones, R"({"domain": ")" + domain + R"("})"));
  ASSERT_FALSE(zone.empty());
  ASSERT_EQ(post(kZones + zone + "/records/",
                 R"({"record_type": "A", "name": "@", "value": "192.0.2.53"})")
                .status,
            201);
  for (const std::string& server : {stack_->primaryServer(), stack_->secondaryServer()}) {
    EXPECT_TRUE(Stack::waitFor(
        [&] {
          return stack_->digAt(server, domain, "A").answers ==
                 std::vector<std::string>{"192.0.2.53"};
        },
        milliseconds(30000)))
        << server << " never served the 253-character domain";
  }
  ASSERT_EQ(stack_->http("DELETE", kZones + zone + "/", "", stack_->token()).status, 204);
  for (const std::string& server : {stack_->primaryServer(), stack_->secondaryServer()}) {
    EXPECT_TRUE(
        Stack::waitFor([&] { return stack_->digAt(server, domain, "SOA").status == "REFUSED"; },
                       milliseconds(30000)))
        << server << " still serves the deleted zone";
  }
}

TEST_F(DeployScaleTest, BurstsOfZoneCreatesAndDeletesConvergeOnBothNameservers) {
  int zones = 200;
  if (const char* env = std::getenv("ZP_E2E_CHURN_ZONES")) zones = std::atoi(env);
  std::vector<std::string> extra = {"quota.zones_per_user = 100000"};
  if (const char* level = std::getenv("ZP_E2E_LOG_LEVEL"))
    extra.push_back(std::string("log.level = ") + level);
  boot(extra);
  std::vector<std::string> domains(static_cast<size_t>(zones)), uuids(static_cast<size_t>(zones));
  for (int i = 0; i < zones; ++i)
    domains[static_cast<size_t>(i)] = "churn" + std::to_string(i) + ".test";

  // Creates: a zone and one A record each, 8 clients.
  std::atomic<int> created{0};
  std::string failure;
  const auto t0 = Clock::now();
  runParallel(
      zones, 8,
      [&](int i) {
        const auto z = static_cast<size_t>(i);
        if (uuids[z].empty()) {
          auto r = post(kZones, R"({"domain": ")" + domains[z] + R"("})");
          if (r.status != 201) return r;
          uuids[z] = uuidOf(r);
        }
        return post(kZones + uuids[z] + "/records/",
                    R"({"record_type": "A", "name": "www", "value": "192.0.2.1"})");
      },
      created, failure);
  ASSERT_EQ(created.load(), zones) << failure;
  const auto lastCreate = Clock::now();
  std::cout << "[ churn  ] " << zones << " zones + records answered 201 in " << msSince(t0)
            << " ms\n";

  // Every zone's latest serial, as the API reports it.
  std::map<std::string, uint32_t> want;
  for (int i = 0; i < zones; ++i) {
    auto d = json(
        stack_->http("GET", kZones + uuids[static_cast<size_t>(i)] + "/", "", stack_->token()));
    ASSERT_TRUE(d.IsObject() && d.HasMember("serial"));
    want[domains[static_cast<size_t>(i)]] = static_cast<uint32_t>(d["serial"].GetUint64());
  }
  auto allServe = [&](const std::string& server) {
    for (const auto& [domain, serial] : soaSerials(server, dnsPort(), domains)) {
      if (serial == 0 || !push::serialAtOrAfter(serial, want[domain])) return false;
    }
    return true;
  };
  for (const auto& [name, server] : {std::pair{"primary", stack_->primaryServer()},
                                     std::pair{"secondary", stack_->secondaryServer()}}) {
    ASSERT_TRUE(Stack::waitFor([&] { return allServe(server); }, milliseconds(60000)))
        << "the " << name << " did not serve every new zone";
    std::cout << "[ churn  ] the " << name << " serves all " << zones << " zones "
              << msSince(lastCreate) << " ms after the last 201 (polling included)\n";
  }

  // Deletes, 8 clients.
  std::atomic<int> deleted{0};
  runParallel(
      zones, 8,
      [&](int i) {
        return stack_->http("DELETE", kZones + uuids[static_cast<size_t>(i)] + "/", "",
                            stack_->token());
      },
      deleted, failure);
  ASSERT_EQ(deleted.load(), zones) << failure;
  const auto lastDelete = Clock::now();
  auto noneServe = [&](const std::string& server) {
    for (const auto& [domain, serial] : soaSerials(server, dnsPort(), domains)) {
      if (serial != 0) return false;
    }
    return true;
  };
  for (const auto& [name, server] : {std::pair{"primary", stack_->primaryServer()},
                                     std::pair{"secondary", stack_->secondaryServer()}}) {
    ASSERT_TRUE(Stack::waitFor([&] { return noneServe(server); }, milliseconds(60000)))
        << "the " << name << " still serves deleted zones";
    std::cout << "[ churn  ] the " << name << " serves none of the " << zones << " zones "
              << msSince(lastDelete) << " ms after the last 204 (polling included)\n";
  }
}

// Drift: named's copy is changed behind zonepipe's back (an UPDATE signed with
// the pusher's own key, as a stray script would do); the audit finds it and
// loads the store's version, above named's serial so the secondary follows.
TEST_F(DeployScaleTest, DriftBehindOurBackIsFoundAndRepaired) {
  boot({"renderer.audit_interval_ms = 1000"});
  const std::string zone = uuidOf(post(kZones, R"({"domain": "drift.test"})"));
  ASSERT_FALSE(zone.empty());
  ASSERT_EQ(post(kZones + zone + "/records/",
                 R"({"record_type": "A", "name": "www", "value": "192.0.2.80"})")
                .status,
            201);
  ASSERT_TRUE(Stack::waitFor(
      [&] {
        return stack_->digAt(stack_->secondaryServer(), "www.drift.test", "A").answers ==
               std::vector<std::string>{"192.0.2.80"};
      },
      milliseconds(30000)));

  const std::string primary = stack_->primaryServer();
  const std::string address = primary.substr(0, primary.find(':'));
  const std::string script = "server " + address + " " + std::to_string(dnsPort()) +
                             "\nzone drift.test\nupdate add bogus.drift.test. 60 IN A 192.0.2.66\n"
                             "update delete www.drift.test. A\nsend\n";
  const std::string scriptPath = stack_->dir() + "/drift.nsupdate";
  std::ofstream(scriptPath) << script;
  auto edited = runCommand({"nsupdate", "-k", stack_->dir() + "/named/rndc.key", scriptPath},
                           milliseconds(10000));
  // nsupdate exits 0 only when named applied the UPDATE (NOERROR). It may be
  // repaired before the next query already (audits run every second), so
  // seeing it is reported, not required.
  ASSERT_EQ(edited.exitCode, 0) << edited.err << edited.out;
  const bool seen = stack_->digAt(primary, "bogus.drift.test", "A").answers ==
                    std::vector<std::string>{"192.0.2.66"};
  std::cout << "[ drift  ] the edit was " << (seen ? "" : "already repaired, not ")
            << "seen on the primary\n";

  const auto t0 = Clock::now();
  for (const std::string& server : {primary, stack_->secondaryServer()}) {
    EXPECT_TRUE(Stack::waitFor(
        [&] {
          return stack_->digAt(server, "bogus.drift.test", "A").answers.empty() &&
                 stack_->digAt(server, "www.drift.test", "A").answers ==
                     std::vector<std::string>{"192.0.2.80"};
        },
        milliseconds(30000)))
        << server << " still serves the edited zone";
  }
  std::cout << "[ drift  ] repaired on both nameservers " << msSince(t0)
            << " ms after the edit (audits every second)\n";
}

// push.journal_dir and named's new-zone database on tmpfs (no disk sync per
// UPDATE or addzone in named) are lost when the host reboots: named comes back
// without the zones added at run time, and with zone files older than its
// journals held. The audits find the zones missing, add them again and bring
// them to the store's version; the secondary keeps the newest version
// throughout.
TEST_F(DeployScaleTest, LostJournalsAndAddedZonesAreRepairedByTheAudits) {
  const std::string volatileDir =
      ::testing::TempDir() + "zp-volatile-" + std::to_string(::getpid());
  const std::string journals = volatileDir + "/journals", nzd = volatileDir + "/nzd";
  std::filesystem::remove_all(volatileDir);
  // Pages of 2 records: the audits read each zone from the store in several,
  // and send each version to the pusher in pieces of 256 bytes.
  boot({"renderer.audit_interval_ms = 1000", "push.journal_dir = " + journals,
        "renderer.snapshot_page = 2", "renderer.deploy_piece_bytes = 256"},
       nzd);
  const std::string primary = stack_->primaryServer();
  const std::vector<std::string> domains = {"journal.test", "journal2.test"};
  for (const std::string& domain : domains) {
    const std::string zone = uuidOf(post(kZones, R"({"domain": ")" + domain + R"("})"));
    ASSERT_FALSE(zone.empty());
    ASSERT_TRUE(
        Stack::waitFor([&] { return stack_->digAt(primary, domain, "SOA").status == "NOERROR"; },
                       milliseconds(30000)));
    // Changes by UPDATE: in named's journal, not in its zone file yet.
    for (int i = 0; i < 5; ++i) {
      ASSERT_EQ(
          post(kZones + zone + "/records/", R"({"record_type": "A", "name": "r)" +
                                                std::to_string(i) + R"(", "value": "192.0.2.90"})")
              .status,
          201);
    }
  }
  for (const std::string& domain : domains) {
    for (const std::string& server : {primary, stack_->secondaryServer()}) {
      ASSERT_TRUE(Stack::waitFor([&] { return servedA(server, domain) == 5; }, milliseconds(30000)))
          << domain << " at " << server;
    }
  }
  ASSERT_FALSE(std::filesystem::is_empty(journals)) << "named keeps no journal in " << journals;
  ASSERT_FALSE(std::filesystem::is_empty(nzd)) << "named keeps no new-zone database in " << nzd;

  // The host "reboots": named dies without writing its zone files, tmpfs is empty.
  stack_->killNineNamed("primary");
  for (const std::string& dir : {journals, nzd}) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      std::filesystem::remove_all(entry.path());
    }
  }
  stack_->startNamed("primary");
  const auto t0 = Clock::now();
  for (const std::string& domain : domains) {
    EXPECT_TRUE(Stack::waitFor([&] { return servedA(primary, domain) == 5; }, milliseconds(30000)))
        << "the primary did not get back " << domain << " as it was";
  }
  std::cout << "[ journal] the primary serves both zones and every change again " << msSince(t0)
            << " ms after its restart without journals or added zones (audits every second)\n";
  for (const std::string& domain : domains) {
    EXPECT_EQ(servedA(stack_->secondaryServer(), domain), 5u) << domain;
  }
}

// Serials across 2^31 and 2^32 (issue 8, item 6): a log that starts just
// below each, and every version of a zone is taken by both nameservers (the
// served serial rises in RFC 1982 terms each time, through the wrap). The
// long-idle case (more than 2^31 events elsewhere) is tested in the store's
// tests, which can jump the log.
TEST_F(DeployScaleTest, SerialsRiseThroughTheWrapOnBothNameservers) {
  for (const uint64_t first : {(uint64_t{1} << 31) - 3, (uint64_t{1} << 32) - 3}) {
    SCOPED_TRACE(first);
    boot({"store.first_seq = " + std::to_string(first)});
    const std::string zone = uuidOf(post(kZones, R"({"domain": "wrap.test"})"));
    ASSERT_FALSE(zone.empty());
    uint32_t last[2] = {0, 0};
    for (int i = 0; i < 6; ++i) {
      const std::string name = "v" + std::to_string(i);
      ASSERT_EQ(post(kZones + zone + "/records/",
                     R"({"record_type": "A", "name": ")" + name + R"(", "value": "192.0.2.1"})")
                    .status,
                201);
      const std::vector<std::string> servers = {stack_->primaryServer(), stack_->secondaryServer()};
      for (size_t s = 0; s < 2; ++s) {
        ASSERT_TRUE(Stack::waitFor(
            [&] {
              return stack_->digAt(servers[s], name + ".wrap.test", "A").answers ==
                     std::vector<std::string>{"192.0.2.1"};
            },
            milliseconds(30000)))
            << servers[s] << " never served " << name;
        const auto soa = soaSerials(servers[s], dnsPort(), {"wrap.test"});
        const uint32_t serial = soa.at("wrap.test");
        if (last[s] != 0) {
          EXPECT_TRUE(push::serialAtOrAfter(serial, last[s]) && serial != last[s])
              << servers[s] << ": " << last[s] << " then " << serial;
        }
        last[s] = serial;
      }
    }
    stack_.reset();
  }
}

// kill -9 of the pusher and of the primary named during a burst of writes:
// everything acknowledged is served by both nameservers once they are back.
TEST_F(DeployScaleTest, PusherAndNamedKilledDuringABurstConverge) {
  boot();
  const std::string zone = uuidOf(post(kZones, R"({"domain": "crash.test"})"));
  ASSERT_FALSE(zone.empty());
  constexpr int kRecords = 600;
  std::atomic<int> created{0};
  std::string failure;
  std::thread writer([&] {
    runParallel(
        kRecords, 4,
        [&](int i) {
          return post(kZones + zone + "/records/", R"({"record_type": "A", "name": "c)" +
                                                       std::to_string(i) +
                                                       R"(", "value": "192.0.2.9"})");
        },
        created, failure);
  });
  ASSERT_TRUE(Stack::waitFor([&] { return created.load() >= kRecords / 4; }, milliseconds(30000)));
  stack_->killNine("push");
  stack_->start("push");
  ASSERT_TRUE(Stack::waitFor([&] { return created.load() >= kRecords / 2; }, milliseconds(30000)));
  stack_->killNineNamed("primary");
  stack_->startNamed("primary");
  writer.join();
  ASSERT_EQ(created.load(), kRecords) << failure;
  for (const std::string& server : {stack_->primaryServer(), stack_->secondaryServer()}) {
    EXPECT_TRUE(Stack::waitFor(
        [&] { return servedA(server, "crash.test") == static_cast<size_t>(kRecords); },
        milliseconds(60000)))
        << server << " serves " << servedA(server, "crash.test") << " of " << kRecords
        << " acknowledged records";
  }
}

}  // namespace
}  // namespace zp::e2e
