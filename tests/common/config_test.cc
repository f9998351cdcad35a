#include "common/config/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace zp::config {
namespace {

TEST(ConfigParse, EmptyTextKeepsTheDefaults) {
  auto got = parse("", Config{});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(render(got.value()), render(Config{}));
  EXPECT_EQ(got->apiPort, 8080);
  EXPECT_EQ(got->nameservers, (std::vector<std::string>{"ns1.zonepipe.test", "ns2.zonepipe.test"}));
}

TEST(ConfigParse, ValuesCommentsAndWhitespace) {
  const std::string text =
      "# a comment line\n"
      "\n"
      "api.port = 9090   # trailing comment\n"
      "  api.address=0.0.0.0\r\n"
      "\tstore.dir = /var/lib/zonepipe/store\n"
      "dns.nameservers = a.ns.test , b.ns.test,,c.ns.test\n"
      "dns.soa_minimum = 60\n"
      "store.map_size = 1073741824\n";
  auto got = parse(text, Config{});
  ASSERT_TRUE(got.ok()) << got.error().detail;
  EXPECT_EQ(got->apiPort, 9090);
  EXPECT_EQ(got->apiAddress, "0.0.0.0");
  EXPECT_EQ(got->storeDir, "/var/lib/zonepipe/store");
  EXPECT_EQ(got->nameservers, (std::vector<std::string>{"a.ns.test", "b.ns.test", "c.ns.test"}));
  EXPECT_EQ(got->soaMinimum, 60u);
  EXPECT_EQ(got->storeMapSize, size_t{1} << 30);
  EXPECT_EQ(got->apiThreads, Config{}.apiThreads);  // untouched keys keep the base value
}

TEST(ConfigParse, AppliesOverTheBase) {
  Config base;
  base.home = "/srv/zp";
  base.apiPort = 1234;
  auto got = parse("api.threads = 4\n", base);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->home, "/srv/zp");
  EXPECT_EQ(got->apiPort, 1234);
  EXPECT_EQ(got->apiThreads, 4);
}

TEST(ConfigParse, Errors) {
  struct Case {
    std::string text;
    std::string wantField;
  };
  const Case cases[] = {
      {"api.prot = 9090\n", "api.prot"},           // typo: unknown key
      {"just some words\n", "line 1"},             // no '='
      {"api.port = 9090\nno equals\n", "line 2"},  // line number counts
      {"api.port = 70000\n", "api.port"},          // out of range for uint16
      {"api.port = -1\n", "api.port"},
      {"api.port = 80x\n", "api.port"},
      {"api.port =\n", "api.port"},  // empty number
      {"api.threads = 1.5\n", "api.threads"},
      {"dns.ns_ttl = 99999999999\n", "dns.ns_ttl"},        // over uint32
      {"= value\n", ""},                                   // empty key is unknown
      {"log.format = yaml\n", "log.format"},               // text or json
      {"renderer.instances = 0\n", "renderer.instances"},  // nobody would render
      {"renderer.instances = 1025\n", "renderer.instances"},
      {"renderer.instances = two\n", "renderer.instances"},
      {"store.first_seq = 0\n", "store.first_seq"},                     // seqs start at 1
      {"store.first_seq = 9223372036854775809\n", "store.first_seq"},   // above 2^63
      {"store.first_seq = 18446744073709551616\n", "store.first_seq"},  // over uint64
      {"store.first_seq = -1\n", "store.first_seq"},
  };
  for (const Case& c : cases) {
    auto got = parse(c.text, Config{});
    ASSERT_FALSE(got.ok()) << c.text;
    EXPECT_EQ(got.error().field, c.wantField) << c.text;
    EXPECT_FALSE(got.error().detail.empty());
  }
}

TEST(ConfigParse, RendererInstances) {
  EXPECT_EQ(Config{}.rendererInstances, 1u);
  for (uint32_t n : {1u, 2u, 1024u}) {
    auto got = parse("renderer.instances = " + std::to_string(n) + "\n", Config{});
    ASSERT_TRUE(got.ok()) << n;
    EXPECT_EQ(got->rendererInstances, n);
  }
}

TEST(ConfigParse, StoreFirstSeq) {
  EXPECT_EQ(Config{}.storeFirstSeq, 1u);
  for (uint64_t n : {uint64_t{1}, uint64_t{1} << 31, (uint64_t{1} << 32) - 3, uint64_t{1} << 63}) {
    auto got = parse("store.first_seq = " + std::to_string(n) + "\n", Config{});
    ASSERT_TRUE(got.ok()) << n;
    EXPECT_EQ(got->storeFirstSeq, n);
  }
}

TEST(ConfigRender, RoundTrips) {
  Config cfg;
  cfg.home = "/srv/zonepipe";
  cfg.apiPort = 8443;
  cfg.validatorEndpoints = {"ipc:///tmp/v1", "ipc:///tmp/v2"};
  cfg.nameservers = {"ns1.example.net"};
  cfg.soaRname = "dns.example.net";
  cfg.recordsPerZone = 50;
  cfg.storeMapSize = size_t{8} << 30;
  cfg.storeFirstSeq = (uint64_t{1} << 32) - 3;
  const std::string text = render(cfg);
  auto back = parse(text, Config{});
  ASSERT_TRUE(back.ok()) << back.error().detail;
  EXPECT_EQ(render(back.value()), text);
  EXPECT_EQ(back->validatorEndpoints, cfg.validatorEndpoints);
  EXPECT_EQ(back->storeMapSize, cfg.storeMapSize);
  EXPECT_EQ(back->storeFirstSeq, cfg.storeFirstSeq);
}

TEST(ConfigLoadFile, ReadsAFileAndReportsAMissingOne) {
  std::string pattern = (std::filesystem::temp_directory_path() / "zp-config-XXXXXX").string();
  const int fd = mkstemp(pattern.data());
  ASSERT_GE(fd, 0);
  close(fd);
  {
    std::ofstream out(pattern);
    out << "api.port = 7070\n";
  }
  auto got = loadFile(pattern, Config{});
  std::filesystem::remove(pattern);
  ASSERT_TRUE(got.ok()) << got.error().detail;
  EXPECT_EQ(got->apiPort, 7070);

  auto missing = loadFile(pattern, Config{});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().field, "config");
  EXPECT_NE(missing.error().detail.find(pattern), std::string::npos);
}

}  // namespace
}  // namespace zp::config
