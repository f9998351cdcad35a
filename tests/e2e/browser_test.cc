// The account pages in a real headless Chromium (issue 9, Tests): boots the
// whole pipeline with named, makes an account and a zone, and runs
// tests/browser/account_flow.mjs (puppeteer-core driving Debian's chromium)
// against it; then checks that the TXT record the browser-made token created
// is served by named. Needs `scripts/browser-deps` (scripts/test runs it and
// sets ZP_REQUIRE_BROWSER=1, so there a missing browser fails; elsewhere the
// test is skipped with what to run). ZP_SCREENSHOTS=DIR keeps the PNGs
// (docs/ holds the README's).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "tests/e2e/api_helpers.h"

namespace zp::e2e::api {
namespace {

const std::string kSource = std::string(ZP_SCRIPTS_DIR) + "/..";

class BrowserTest : public ApiTest {};

TEST_F(BrowserTest, AccountFlowInHeadlessChromium) {
  const std::string script = kSource + "/tests/browser/account_flow.mjs";
  const bool haveModules =
      std::filesystem::exists(kSource + "/tests/browser/node_modules/puppeteer-core");
  const char* chromium = std::getenv("CHROMIUM");
  const std::string browser = chromium != nullptr ? chromium : "/usr/bin/chromium";
  if (!haveModules || !std::filesystem::exists(browser)) {
    const std::string why =
        "the browser tests need Debian's chromium and puppeteer-core: run "
        "scripts/browser-deps";
    if (std::getenv("ZP_REQUIRE_BROWSER") != nullptr) FAIL() << why;
    GTEST_SKIP() << why;
  }
  const std::string user = uniqueName("browser");
  const std::string password = "browser test password";
  auto made =
      runCommand({"/bin/sh", "-c",
                  "printf '%s\\n' '" + password + "' | " + std::string(ZP_BIN_DIR) +
                      "/zonepipe --config " + stack().configPath() + " user create " + user},
                 milliseconds(30000));
  ASSERT_EQ(made.exitCode, 0) << made.err;
  const std::string token = tokenFor(user, "dns:*");
  const std::string domain = user + ".example";
  const std::string zone = createZone(domain, token);
  ASSERT_FALSE(zone.empty());
  ASSERT_EQ(
      call("POST", kZones + zone + "/records/", recordJson("A", "www", "192.0.2.10"), token).status,
      201);
  ASSERT_EQ(call("POST", kZones + zone + "/records/",
                 recordJson("MX", "@", "mail." + domain, R"(, "priority": 10)"), token)
                .status,
            201);
  ASSERT_TRUE(
      Stack::waitFor([&] { return !stack().dig("www." + domain, "A").empty(); }, kDnsDeadline));

  const char* shots = std::getenv("ZP_SCREENSHOTS");
  const std::string shotDir = shots != nullptr ? shots : stack().dir() + "/screenshots";
  auto run =
      runCommand({"/usr/bin/env", "ZP_BASE=http://127.0.0.1:" + std::to_string(stack().apiPort()),
                  "ZP_USER=" + user, "ZP_PASSWORD=" + password, "ZP_ZONE=" + zone,
                  "ZP_DOMAIN=" + domain, "ZP_SCREENSHOTS=" + shotDir, "node", script},
                 milliseconds(240000));
  EXPECT_EQ(run.exitCode, 0) << run.out << run.err;
  std::printf("%s", run.out.c_str());
  // The record the browser-made token created is served.
  EXPECT_TRUE(Stack::waitFor(
      [&] {
        return stack().dig("_acme-challenge." + domain, "TXT") == Strings{"\"browser-proof\""};
      },
      kDnsDeadline));
}

}  // namespace
}  // namespace zp::e2e::api
