// The pusher's zone directory and its decisions, with a fake rndc.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "pipelines/push/publisher.h"
#include "pipelines/push/pusher.h"
#include "tests/push/temp_dir.h"

namespace zp::push {
namespace {

namespace fs = std::filesystem;

std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(IsSafeDomain, OnlyLdhAndDots) {
  struct Case {
    const char* domain;
    bool safe;
  } cases[] = {
      {"example.com", true},
      {"a-b.example", true},
      {"xn--bcher-kva.example", true},
      {"a", true},
      {"", false},
      {".example.com", false},
      {"example.com.", false},
      {"a..b", false},
      {"../etc", false},
      {"a/b", false},
      {"Example.com", false},
      {"a b", false},
      {"a\"; };", false},
      {"a_b.example", false},
      {"a\n.example", false},
  };
  for (const auto& c : cases) EXPECT_EQ(isSafeDomain(c.domain), c.safe) << c.domain;
  EXPECT_TRUE(isSafeDomain(std::string(63, 'a') + ".b"));
  EXPECT_FALSE(isSafeDomain(std::string(64, 'a') + ".b"));
  std::string longName;
  while (longName.size() < 254) longName += "abcdefg.";
  EXPECT_FALSE(isSafeDomain(longName.substr(0, 254)));
}

TEST(Publisher, WritesZoneAndSerialAndRemovesThem) {
  zp::testing::TempDir dir;
  Publisher p(dir.path() + "/zones/");
  // Fixed-length names (32 hex digits of SHA-256), never the domain.
  EXPECT_EQ(p.zonePath("a.test"), dir.path() + "/zones/52dcf5eeb77a59de2eb7221158d2316a.zone");
  EXPECT_EQ(p.deployedSerial("a.test"), 0u);
  EXPECT_FALSE(p.deployed("a.test"));
  p.writeZone("a.test", "zone text\n");
  p.writeSerial("a.test", 12);
  EXPECT_EQ(readAll(p.zonePath("a.test")), "zone text\n");
  EXPECT_EQ(p.deployedSerial("a.test"), 12u);
  EXPECT_TRUE(p.deployed("a.test"));
  EXPECT_EQ(Publisher(dir.path() + "/zones").deployedSerial("a.test"), 12u);  // survives restarts
  EXPECT_EQ(p.deployedZones(), (std::map<std::string, uint64_t>{{"a.test", 12}}));
  std::ofstream(p.zonePath("a.test") + ".jnl") << "named's journal";
  p.remove("a.test");
  EXPECT_FALSE(fs::exists(p.zonePath("a.test")));
  EXPECT_EQ(p.deployedSerial("a.test"), 0u);
  p.remove("a.test");  // twice is fine
  EXPECT_TRUE(fs::is_empty(p.zoneDir()));
}

TEST(Publisher, AGarbledSerialFileCountsAsNothingDeployed) {
  zp::testing::TempDir dir;
  Publisher p(dir.path());
  std::string serialPath = p.zonePath("a.test");
  serialPath.replace(serialPath.size() - 5, 5, ".serial");
  for (const char* text : {"", "x", "12x", "-3", "12", "12 b.test", "x a.test"}) {
    std::ofstream(serialPath) << text;
    EXPECT_EQ(p.deployedSerial("a.test"), 0u) << text;
  }
  std::ofstream(serialPath) << "12 a.test\n";
  EXPECT_EQ(p.deployedSerial("a.test"), 12u);
}

// A 253-character domain (the longest there is) still makes a short file
// name: named and the file system never see the domain as a path.
TEST(Publisher, TheLongestDomainGetsAFixedLengthFileName) {
  zp::testing::TempDir dir;
  Publisher p(dir.path());
  const std::string domain = std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                             std::string(63, 'c') + "." + std::string(56, 'd') + ".test";
  ASSERT_EQ(domain.size(), 253u);
  ASSERT_TRUE(isSafeDomain(domain));
  EXPECT_EQ(fs::path(p.zonePath(domain)).filename().string().size(), 32u + 5u);
  p.writeZone(domain, "zone\n");
  p.writeSerial(domain, 7);
  EXPECT_EQ(p.deployedSerial(domain), 7u);
  EXPECT_EQ(p.deployedZones().at(domain), 7u);
}

// Answers rndc commands from a script and records them.
class FakeRndc : public Rndc {
 public:
  ProcessResult run(const std::vector<std::string>& args) override {
    calls.push_back(args.at(0) + " " + args.at(1));
    if (args.at(0) == "addzone") lastAddzoneText = args.at(2);
    ProcessResult r;
    r.started = true;
    r.exitCode = 0;
    auto it = failures.find(args.at(0));
    if (it != failures.end()) {
      r.exitCode = 1;
      r.errors = "rndc: '" + args.at(0) + "' failed: " + it->second + "\n";
    }
    return r;
  }
  const std::string& configPath() const override { return config_; }

  std::map<std::string, std::string> failures;  // command -> rndc's complaint
  std::vector<std::string> calls;
  std::string lastAddzoneText;

 private:
  std::string config_ = "/etc/zonepipe/rndc.conf";
};

TEST(Pusher, UpsertsAndRemovals) {
  struct Case {
    const char* name;
    uint64_t deployedBefore;  // 0: never deployed
    DeployRequest request;
    std::map<std::string, std::string> failures;
    std::vector<std::string> calls;
    bool ok;
    uint64_t deployedAfter;
  } cases[] = {
      {"new zone is added", 0, {"a.test", 5, "zone\n"}, {}, {"addzone a.test"}, true, 5},
      {"known zone is reloaded", 3, {"a.test", 5, "zone\n"}, {}, {"reload a.test"}, true, 5},
      {"same serial is a no-op", 5, {"a.test", 5, "zone\n"}, {}, {}, true, 5},
      {"older serial is a no-op", 7, {"a.test", 5, "zone\n"}, {}, {}, true, 7},
      {"older removal is a no-op", 7, {"a.test", 5, std::nullopt}, {}, {}, true, 7},
      {"named already has it",
       0,
       {"a.test", 5, "zone\n"},
       {{"addzone", "already exists"}},
       {"addzone a.test", "reload a.test"},
       true,
       5},
      {"named lost it",
       3,
       {"a.test", 5, "zone\n"},
       {{"reload", "not found"}},
       {"reload a.test", "addzone a.test"},
       true,
       5},
      {"named is down",
       3,
       {"a.test", 5, "zone\n"},
       {{"reload", "connection refused"}},
       {"reload a.test"},
       false,
       3},
      {"addzone refused",
       0,
       {"a.test", 5, "zone\n"},
       {{"addzone", "permission denied"}},
       {"addzone a.test"},
       false,
       0},
      {"removal", 3, {"a.test", 5, std::nullopt}, {}, {"delzone a.test"}, true, 0},
      {"removal of a zone named does not know",
       0,
       {"a.test", 5, std::nullopt},
       {{"delzone", "not found"}},
       {"delzone a.test"},
       true,
       0},
      {"removal while named is down",
       3,
       {"a.test", 5, std::nullopt},
       {{"delzone", "connection refused"}},
       {"delzone a.test"},
       false,
       3},
      {"unsafe name", 0, {"../x", 5, "zone\n"}, {}, {}, false, 0},
  };
  for (const auto& c : cases) {
    zp::testing::TempDir dir;
    Publisher publisher(dir.path());
    if (c.deployedBefore) {
      publisher.writeZone("a.test", "old\n");
      publisher.writeSerial("a.test", c.deployedBefore);
    }
    FakeRndc rndc;
    rndc.failures = c.failures;
    Pusher pusher(publisher, rndc);
    const DeployResult result = pusher.deploy(c.request);
    EXPECT_EQ(result.ok, c.ok) << c.name << ": " << result.detail;
    EXPECT_EQ(rndc.calls, c.calls) << c.name;
    EXPECT_EQ(publisher.deployedSerial("a.test"), c.deployedAfter) << c.name;
    if (!c.ok && !c.calls.empty()) {
      EXPECT_NE(result.detail.find("is named running? check /etc/zonepipe/rndc.conf"),
                std::string::npos)
          << c.name << ": " << result.detail;
      EXPECT_NE(result.detail.find(c.failures.begin()->second), std::string::npos) << c.name;
    }
    if (c.ok && c.request.zoneFile && c.deployedAfter != c.deployedBefore) {
      EXPECT_EQ(readAll(publisher.zonePath("a.test")), *c.request.zoneFile) << c.name;
    }
    if (c.ok && !c.request.zoneFile && c.deployedAfter == 0) {
      EXPECT_FALSE(fs::exists(publisher.zonePath("a.test"))) << c.name;
    }
  }
}

TEST(Pusher, AddzoneNamesTheAbsoluteZoneFile) {
  zp::testing::TempDir dir;
  Publisher publisher(dir.path());
  FakeRndc rndc;
  Pusher pusher(publisher, rndc);
  ASSERT_TRUE(pusher.deploy({"b.test", 1, "zone\n"}).ok);
  EXPECT_EQ(rndc.lastAddzoneText,
            "{ type primary; file \"" + publisher.zonePath("b.test") + "\"; };");
}

// With an update key, zones are dynamic: named takes UPDATEs signed with it.
TEST(Pusher, AddzoneAllowsUpdatesWithTheKey) {
  zp::testing::TempDir dir;
  Publisher publisher(dir.path());
  FakeRndc rndc;
  PusherOptions options;
  options.updateKey = "zonepipe-rndc";
  Pusher pusher(publisher, rndc, options);
  ASSERT_TRUE(pusher.deploy({"b.test", 1, "zone\n"}).ok);
  EXPECT_EQ(rndc.lastAddzoneText, "{ type primary; file \"" + publisher.zonePath("b.test") +
                                      "\"; allow-update { key \"zonepipe-rndc\"; }; };");
}

// push.journal_dir: named keeps each zone's journal there (tmpfs: no disk
// sync per UPDATE), named by the same fixed-length stem; removals and whole
// loads delete it there.
TEST(Pusher, AJournalDirectoryGoesIntoTheZoneConfig) {
  zp::testing::TempDir dir;
  Publisher publisher(dir.path() + "/zones", dir.path() + "/journals/");
  EXPECT_EQ(publisher.journalPath("a.test"),
            dir.path() + "/journals/52dcf5eeb77a59de2eb7221158d2316a.jnl");
  EXPECT_EQ(Publisher(dir.path() + "/other").journalPath("a.test"),
            Publisher(dir.path() + "/other").zonePath("a.test") + ".jnl");
  FakeRndc rndc;
  Pusher pusher(publisher, rndc);
  ASSERT_TRUE(pusher.deploy({"a.test", 1, "zone\n"}).ok);
  EXPECT_EQ(rndc.lastAddzoneText, "{ type primary; file \"" + publisher.zonePath("a.test") +
                                      "\"; journal \"" + publisher.journalPath("a.test") +
                                      "\"; };");
  std::ofstream(publisher.journalPath("a.test")) << "named's journal";
  ASSERT_TRUE(pusher.deploy({"a.test", 2, std::nullopt}).ok);  // removal
  EXPECT_FALSE(std::filesystem::exists(publisher.journalPath("a.test")));
  Publisher quoted(dir.path() + "/zones", dir.path() + "/j\"x");
  EXPECT_THROW(Pusher(quoted, rndc), std::invalid_argument);
}

TEST(Pusher, RefusesAZoneDirectoryThatCannotBeQuoted) {
  zp::testing::TempDir dir;
  Publisher publisher(dir.path() + "/we\"ird");
  FakeRndc rndc;
  EXPECT_THROW(Pusher(publisher, rndc), std::invalid_argument);
}

}  // namespace
}  // namespace zp::push
