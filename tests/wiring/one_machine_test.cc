#include "pipelines/wiring/one_machine.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace zp::wiring {
namespace {

class WiringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/zp-wiring-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  Startup load(const std::string& text, std::vector<std::string> extra = {}) {
    const std::string path = dir_ + "/zonepipe.conf";
    std::ofstream(path) << text;
    std::vector<std::string> args = {"prog", "--config", path};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    return loadOrExit(static_cast<int>(argv.size()), argv.data());
  }

  std::string dir_;
};

TEST_F(WiringTest, DefaultsLiveBelowHome) {
  const auto c = defaults("/srv/zp");
  EXPECT_EQ(c.storeDir, "/srv/zp/store");
  EXPECT_EQ(c.storeCommands, "ipc:///srv/zp/run/store-commands.sock");
  ASSERT_EQ(c.validatorEndpoints.size(), 1u);
  EXPECT_EQ(c.pushZoneDir, "/srv/zp/zones");
}

TEST_F(WiringTest, HomeInTheFileMovesEveryDefault) {
  const auto s = load("home = " + dir_ + "/elsewhere\napi.port = 9999\n");
  EXPECT_EQ(s.config.storeDir, dir_ + "/elsewhere/store");
  EXPECT_EQ(s.config.pushZoneDir, dir_ + "/elsewhere/zones");
  EXPECT_EQ(s.config.apiPort, 9999);
}

TEST_F(WiringTest, ExplicitEndpointsWinOverDefaults) {
  const auto s = load("store.query = tcp://10.0.0.5:7001\n", {"--home", dir_, "--instance", "2"});
  EXPECT_EQ(s.config.storeQuery, "tcp://10.0.0.5:7001");
  EXPECT_EQ(s.config.storeDir, dir_ + "/store");
  EXPECT_EQ(s.args, (std::vector<std::string>{"--instance", "2"}));
}

TEST_F(WiringTest, BadConfigExits100) {
  EXPECT_EXIT(load("no.such.key = 1\n"), ::testing::ExitedWithCode(100), "unknown key");
}

}  // namespace
}  // namespace zp::wiring
