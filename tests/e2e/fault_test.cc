// The event log under faults, end to end (real programs, real named):
// - replay, log export/import and --deploy rebuild exactly what the running
//   system published;
// - while clients write, each program in turn (and named) is killed with
//   SIGKILL and restarted; afterwards every answered write is stored and
//   served, no write is half there or doubled, serials only rose, and every
//   zone converged; copies of the store's disk state (right after kill -9, and
//   hot with mdb_copy) open and equal what their own log replays to.

#include <dirent.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <capnp/message.h>
#include <capnp/serialize.h>

#include "pipelines/push/publisher.h"
#include "pipelines/replay/replay.h"
#include "schema/pipeline.capnp.h"
#include "tests/e2e/harness.h"

namespace zp::e2e {
namespace {

using std::chrono::milliseconds;

const std::string kZones = "/api/v1/dns-zones/";
constexpr auto kConverge = milliseconds(60000);

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string makeTempDir(const std::string& base, const std::string& name) {
  const std::string dir = base + "/" + name;
  std::filesystem::create_directories(dir);
  return dir;
}

// The pid of a program the harness started for `stack`: found through /proc
// by the executable's path and the stack's config path on its command line
// (the harness keeps its pids private). 0 when none runs.
pid_t findPid(const Stack& stack, const std::string& program) {
  const std::string exe = std::string(ZP_BIN_DIR) + "/zonepipe-" + program;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return 0;
  pid_t found = 0;
  while (dirent* entry = ::readdir(proc)) {
    const std::string name = entry->d_name;
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = readFile("/proc/" + name + "/cmdline");
    std::vector<std::string> argv;
    for (size_t pos = 0; pos < cmdline.size();) {
      const size_t end = cmdline.find('\0', pos);
      argv.push_back(cmdline.substr(pos, end - pos));
      if (end == std::string::npos) break;
      pos = end + 1;
    }
    if (argv.empty() || argv[0] != exe) continue;
    for (const auto& a : argv) {
      if (a == stack.configPath()) found = static_cast<pid_t>(std::stol(name));
    }
    if (found != 0) break;
  }
  ::closedir(proc);
  return found;
}

// kill -9 and restart one program; the harness reaps the dead child.
// `whileDown` runs between the kill and the restart.
void killNine(Stack& stack, const std::string& program,
              const std::function<void()>& whileDown = {}) {
  const pid_t pid = findPid(stack, program);
  ASSERT_GT(pid, 0) << "zonepipe-" << program << " is not running";
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  stack.stop(program);
  if (whileDown) whileDown();
  stack.start(program);
}

// Reads a store's log directly (the test opens copies of the live store).
class DirectLogSource : public replay::LogSource {
 public:
  explicit DirectLogSource(const store::Store& s) : store_(s) {}
  Result<replay::LogRange> open() override {
    return replay::LogRange{store_.lastSeq(), store_.lastSeq() == 0 ? 0u : 1u, store_.lastSeq()};
  }
  Result<std::vector<replay::EventWords>> nextPage() override {
    capnp::MallocMessageBuilder m;
    auto q = m.initRoot<schema::Query>();
    q.setVersion(schema::PROTOCOL_VERSION);
    auto g = q.getBody().initLogSince();
    g.setAfter(after_);
    g.setLimit(500);
    auto words = store_.query(q.asReader());
    capnp::FlatArrayMessageReader reader(words.asPtr());
    std::vector<replay::EventWords> page;
    for (auto e : reader.getRoot<schema::Reply>().getBody().getEvents().getItems()) {
      capnp::MallocMessageBuilder copy;
      copy.setRoot(e);
      page.push_back(capnp::messageToFlatArray(copy));
      after_ = e.getSeq();
    }
    return page;
  }

 private:
  const store::Store& store_;
  uint64_t after_ = 0;
};

std::string zoneSnapshotBytes(const store::Store& s, const std::string& domain) {
  capnp::MallocMessageBuilder m;
  auto q = m.initRoot<schema::Query>();
  q.setVersion(schema::PROTOCOL_VERSION);
  q.getBody().setZoneSnapshot(domain);
  auto words = s.query(q.asReader());
  capnp::FlatArrayMessageReader reader(words.asPtr());
  auto canonical = capnp::canonicalize(reader.getRoot<schema::Reply>().getBody());
  return std::string(reinterpret_cast<const char*>(canonical.asBytes().begin()),
                     canonical.asBytes().size());
}

// A copy of the store's directory opens, its log is complete, and the state
// rebuilt from that log alone equals the copy's state.
void checkStoreCopy(const std::string& dir, const std::vector<std::string>& domains) {
  SCOPED_TRACE("store copy " + dir);
  store::StoreOptions o;
  o.dir = dir;
  o.mapSize = size_t{1} << 30;
  store::Store copy(o);
  EXPECT_GT(copy.lastSeq(), 0u);
  store::StoreOptions r = o;
  r.dir = dir + "-rebuilt";
  store::Store rebuilt(r);
  DirectLogSource source(copy);
  auto result = replay::rebuildStore(source, rebuilt);
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(rebuilt.lastSeq(), copy.lastSeq());
  for (const auto& d : domains) {
    EXPECT_EQ(zoneSnapshotBytes(rebuilt, d), zoneSnapshotBytes(copy, d)) << d;
  }
}

// kill -9 the primary named (pid from its pid file) and start it again
// with the harness; its zones come back from the NZD and the zone files.
void killNineNamed(Stack& stack) {
  std::istringstream in(readFile(stack.dir() + "/named/named.pid"));
  pid_t pid = 0;
  in >> pid;
  ASSERT_GT(pid, 0) << "no pid in " << stack.dir() << "/named/named.pid";
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  // Gone once /proc no longer lists it (or lists a zombie nobody reaped yet).
  ASSERT_TRUE(Stack::waitFor(
      [&] {
        const std::string stat = readFile("/proc/" + std::to_string(pid) + "/stat");
        const size_t paren = stat.rfind(')');
        return stat.empty() || (paren != std::string::npos && stat.substr(paren + 2, 1) == "Z");
      },
      milliseconds(10000)));
  stack.startNamed("primary");
}

rapidjson::Document parse(const HttpResponse& r) {
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  if (d.HasParseError()) throw std::runtime_error("not JSON: " + r.body);
  return d;
}

// The SOA serial named serves for `domain`, 0 when it serves none.
uint64_t servedSerial(Stack& stack, const std::string& domain) {
  auto answers = stack.dig(domain, "SOA");
  if (answers.size() != 1) return 0;
  std::istringstream in(answers[0]);
  std::string mname, rname;
  uint64_t serial = 0;
  in >> mname >> rname >> serial;
  return serial;
}

class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StackOptions options;
    options.secondary = false;
    stack_ = std::make_unique<Stack>(options);
  }
  void TearDown() override { stack_.reset(); }

  std::string createZone(const std::string& domain) {
    auto r = stack_->http("POST", kZones, R"({"domain": ")" + domain + R"("})", stack_->token());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? std::string(parse(r)["uuid"].GetString()) : "";
  }
  std::string createRecord(const std::string& zone, const std::string& body) {
    auto r = stack_->http("POST", kZones + zone + "/records/", body, stack_->token());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? std::string(parse(r)["uuid"].GetString()) : "";
  }
  // The zone's serial as the store reports it, and its records' names.
  std::pair<uint64_t, std::multiset<std::string>> zoneState(const std::string& uuid) {
    auto r = stack_->http("GET", kZones + uuid + "/", "", stack_->token());
    if (r.status != 200) throw std::runtime_error("GET zone: " + std::to_string(r.status));
    auto d = parse(r);
    std::multiset<std::string> names;
    for (const auto& rec : d["records"].GetArray()) names.insert(rec["name"].GetString());
    return {d["serial"].GetUint64(), names};
  }
  // Waits until named serves the store's serial of each zone.
  bool converged(const std::map<std::string, std::string>& zones) {
    return Stack::waitFor(
        [&] {
          for (const auto& [domain, uuid] : zones) {
            try {
              if (servedSerial(*stack_, domain) != zoneState(uuid).first) return false;
            } catch (const std::runtime_error&) {
              return false;
            }
          }
          return true;
        },
        kConverge);
  }

  std::unique_ptr<Stack> stack_;
};

TEST_F(FaultTest, ReplayExportImportAndDeployRebuildWhatTheSystemPublished) {
  std::map<std::string, std::string> zones;  // domain -> uuid
  for (const std::string d : {"alpha.test", "beta.test", "gamma.test"}) zones[d] = createZone(d);
  createRecord(zones["alpha.test"], R"({"record_type":"A","name":"www","value":"192.0.2.1"})");
  createRecord(zones["alpha.test"],
               R"({"record_type":"MX","name":"@","value":"mail.alpha.test","priority":10})");
  createRecord(zones["alpha.test"], R"({"record_type":"TXT","name":"@","value":"v=spf1 -all"})");
  const std::string gone = createRecord(
      zones["beta.test"], R"({"record_type":"AAAA","name":"v6","value":"2001:db8::1"})");
  createRecord(zones["beta.test"],
               R"({"record_type":"CNAME","name":"alias","value":"www.alpha.test"})");
  createRecord(zones["gamma.test"], R"({"record_type":"A","name":"x","value":"192.0.2.7"})");
  ASSERT_EQ(stack_->http("DELETE", "/api/v1/dns-records/" + gone + "/", "", stack_->token()).status,
            204);
  ASSERT_EQ(stack_->http("DELETE", kZones + zones["gamma.test"] + "/", "", stack_->token()).status,
            204);
  zones.erase("gamma.test");
  ASSERT_TRUE(converged(zones));
  ASSERT_TRUE(Stack::waitFor(
      [&] {
        return stack_->digAt(stack_->primaryServer(), "gamma.test", "SOA").status != "NOERROR";
      },
      kConverge));

  const std::string work = makeTempDir(stack_->dir(), "replay-work");
  const std::string file = work + "/log.capnp";
  auto exported = stack_->cli({"log", "export", file});
  ASSERT_EQ(exported.exitCode, 0) << exported.err;

  auto sameFiles = [&](const std::string& zonesDir) {
    // The current version as the API exports it (what the converged
    // nameservers serve) equals the replay's rendering, byte for byte.
    const push::Publisher rendered(zonesDir);
    for (const auto& [domain, uuid] : zones) {
      const std::string published =
          stack_->http("GET", kZones + uuid + "/export/", "", stack_->token()).body;
      EXPECT_FALSE(published.empty()) << domain;
      EXPECT_EQ(readFile(rendered.zonePath(domain)), published) << zonesDir << domain;
    }
    EXPECT_FALSE(std::filesystem::exists(rendered.zonePath("gamma.test")));
  };
  // From the exported file and from the live home: the same zone files.
  auto fromFile = stack_->cli({"replay", "--from", file, "--to", work + "/from-file"});
  ASSERT_EQ(fromFile.exitCode, 0) << fromFile.err;
  sameFiles(work + "/from-file/zones");
  auto fromHome = stack_->cli({"replay", "--from", stack_->dir(), "--to", work + "/from-home"});
  ASSERT_EQ(fromHome.exitCode, 0) << fromHome.err;
  sameFiles(work + "/from-home/zones");
  // Never over an existing store.
  auto again = stack_->cli({"replay", "--from", file, "--to", work + "/from-file"});
  EXPECT_EQ(again.exitCode, 1);
  EXPECT_NE(again.err.find("not empty"), std::string::npos) << again.err;

  // Import into an empty home; a second import is refused.
  const std::string home = work + "/imported-home";
  auto import =
      runCommand({std::string(ZP_BIN_DIR) + "/zonepipe", "--home", home, "log", "import", file},
                 milliseconds(30000));
  ASSERT_EQ(import.exitCode, 0) << import.err;
  auto twice =
      runCommand({std::string(ZP_BIN_DIR) + "/zonepipe", "--home", home, "log", "import", file},
                 milliseconds(30000));
  EXPECT_EQ(twice.exitCode, 1) << twice.err;
  // Replaying the imported home's store (exported again from a file of it)
  // would need its store running; the import itself replayed every event.
  EXPECT_NE(import.err.find("2 zone(s)"), std::string::npos) << import.err;

  // --deploy pushes every zone to the configured named through rndc.
  auto deploy = stack_->cli({"replay", "--from", file, "--to", work + "/deployed", "--deploy"});
  ASSERT_EQ(deploy.exitCode, 0) << deploy.err;
  EXPECT_EQ(stack_->dig("www.alpha.test", "A"), std::vector<std::string>{"192.0.2.1"});
  EXPECT_TRUE(converged(zones));

  // A damaged file is refused.
  {
    std::ofstream out(work + "/bad.capnp", std::ios::binary);
    out << readFile(file).substr(0, 100);
  }
  auto bad = stack_->cli({"replay", "--from", work + "/bad.capnp", "--to", work + "/bad"});
  EXPECT_EQ(bad.exitCode, 1) << bad.err;
}

TEST_F(FaultTest, KillNineEachProgramWhileClientsWrite) {
  constexpr int kWrites = 2000;  // as issue 5 asks
  constexpr int kClients = 8;
  std::map<std::string, std::string> zones;
  std::vector<std::string> domains = {"k1.test", "k2.test", "k3.test"};
  for (const auto& d : domains) zones[d] = createZone(d);

  enum class Outcome { kPending, kCreated, kExists, kUnknown };
  std::vector<Outcome> outcomes(kWrites, Outcome::kPending);
  std::atomic<int> done{0};
  std::atomic<bool> stopSampling{false};
  auto nameOf = [](int i) { return "w" + std::to_string(i); };
  auto zoneOf = [&](int i) { return domains[static_cast<size_t>(i) % domains.size()]; };

  auto client = [&](int first) {
    for (int i = first; i < kWrites; i += kClients) {
      const std::string body = R"({"record_type":"A","name":")" + nameOf(i) +
                               R"(","value":"10.0.)" + std::to_string(i / 250) + "." +
                               std::to_string(i % 250 + 1) + R"(","ttl":300})";
      Outcome outcome = Outcome::kUnknown;
      bool unanswered = false;
      const auto until = std::chrono::steady_clock::now() + milliseconds(60000);
      while (std::chrono::steady_clock::now() < until) {
        try {
          auto r = stack_->http("POST", kZones + zones.at(zoneOf(i)) + "/records/", body,
                                stack_->token());
          if (r.status == 201) {
            outcome = Outcome::kCreated;
            break;
          }
          if (r.status == 409 && unanswered) {  // an earlier attempt was applied
            outcome = Outcome::kExists;
            break;
          }
          if (r.status != 503) break;  // anything else: keep kUnknown
          unanswered = true;           // 503: may or may not have been applied
        } catch (const std::runtime_error&) {
          unanswered = true;  // no answer (the API or a stage was killed)
          Stack::waitFor(
              [&] {
                try {
                  return stack_->http("GET", kZones, "").status == 401;
                } catch (const std::runtime_error&) {
                  return false;
                }
              },
              milliseconds(10000));
        }
      }
      outcomes[static_cast<size_t>(i)] = outcome;
      ++done;
    }
  };

  // Serials named serves, sampled during the run: they must never go down.
  std::map<std::string, std::vector<uint64_t>> seen;
  std::thread sampler([&] {
    while (!stopSampling) {
      for (const auto& d : domains) {
        const uint64_t s = servedSerial(*stack_, d);
        if (s != 0) seen[d].push_back(s);
      }
    }
  });

  const std::string crashCopy = stack_->dir() + "/store-crash-copy";
  const std::string hotCopy = stack_->dir() + "/store-hot-copy";
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) clients.emplace_back(client, c);
  const std::vector<std::string> victims = {"store",    "validator", "api",
                                            "renderer", "push",      "named"};
  for (size_t k = 0; k < victims.size(); ++k) {
    const int mark = static_cast<int>((k + 1) * kWrites / (victims.size() + 2));
    Stack::waitFor([&] { return done >= mark; }, milliseconds(120000));
    SCOPED_TRACE("kill -9 " + victims[k]);
    if (victims[k] == "named") {
      killNineNamed(*stack_);
    } else if (victims[k] == "store") {
      // The disk state right after kill -9 (a crash image), and a hot copy
      // taken with mdb_copy while the restarted store takes writes.
      killNine(*stack_, "store", [&] {
        std::filesystem::create_directories(crashCopy);
        std::filesystem::copy_file(stack_->dir() + "/store/data.mdb", crashCopy + "/data.mdb");
      });
      Stack::waitFor([&] { return done >= mark + 20; }, milliseconds(60000));
      std::filesystem::create_directories(hotCopy);
      auto copied =
          runCommand({"mdb_copy", stack_->dir() + "/store", hotCopy}, milliseconds(30000));
      EXPECT_EQ(copied.exitCode, 0) << copied.err;
    } else {
      killNine(*stack_, victims[k]);
    }
  }
  for (auto& t : clients) t.join();
  stopSampling = true;
  sampler.join();
  checkStoreCopy(crashCopy, domains);
  checkStoreCopy(hotCopy, domains);

  // Every zone converges: named serves the store's serial.
  ASSERT_TRUE(converged(zones));
  int created = 0, unknown = 0;
  for (const auto& d : domains) {
    auto [serial, names] = zoneState(zones[d]);
    const std::string file = readFile(stack_->servedZoneFile(d));
    for (int i = 0; i < kWrites; ++i) {
      if (zoneOf(i) != d) continue;
      const auto n = names.count(nameOf(i));
      EXPECT_LE(n, 1u) << nameOf(i) << " is stored twice";
      const Outcome o = outcomes[static_cast<size_t>(i)];
      if (o == Outcome::kCreated || o == Outcome::kExists) {
        ++created;
        EXPECT_EQ(n, 1u) << nameOf(i) << " was answered 201 but is not stored";
      } else {
        ++unknown;
      }
      // Stored means served (the primary's zone by AXFR), and only then.
      const bool inFile = file.find("\n" + nameOf(i) + "." + d + ". ") != std::string::npos;
      EXPECT_EQ(inFile, n == 1) << nameOf(i) << " in " << d;
    }
    // Serials only rose.
    const auto& s = seen[d];
    for (size_t j = 1; j < s.size(); ++j) {
      EXPECT_LE(s[j - 1], s[j]) << d << " went from serial " << s[j - 1] << " to " << s[j];
    }
    EXPECT_EQ(servedSerial(*stack_, d), serial);
  }
  EXPECT_GT(created, kWrites / 2) << "too few writes were answered to test anything";
  std::fprintf(stderr, "fault run: %d of %d writes answered, %d without a definite answer\n",
               created, kWrites, unknown);
  // Spot checks through DNS.
  for (int i = 0; i < kWrites; i += 97) {
    if (outcomes[static_cast<size_t>(i)] != Outcome::kCreated) continue;
    EXPECT_EQ(stack_->dig(nameOf(i) + "." + zoneOf(i), "A"),
              std::vector<std::string>{"10.0." + std::to_string(i / 250) + "." +
                                       std::to_string(i % 250 + 1)});
  }
}

}  // namespace
}  // namespace zp::e2e
