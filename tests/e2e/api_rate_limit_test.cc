// Per-token rate limiting over real HTTP (API.md: 429 rate_limited with
// Retry-After): a token over its budget is refused, another token is not, and
// a refused request changes nothing.
#include <gtest/gtest.h>

#include <string>

#include "tests/e2e/harness.h"

namespace zp::e2e {
namespace {

TEST(ApiRateLimitTest, ATokenOverItsBudgetGets429WithRetryAfter) {
  StackOptions options;
  options.secondary = false;
  // One request per 10 s after a burst of 3: the test cannot refill by accident.
  options.extraConfig = {"api.rate_limit = 0.1", "api.rate_burst = 3"};
  Stack stack(options);
  const std::string busy = stack.token();
  // A second token of the same user: it sees the same zones, with its own budget.
  auto other = stack.cli({"token", "create", "--user", "e2e-admin", "--permissions", "dns:*"});
  ASSERT_EQ(other.exitCode, 0) << other.err;
  std::string otherToken = other.out;
  while (!otherToken.empty() && (otherToken.back() == '\n')) otherToken.pop_back();

  int ok = 0;
  HttpResponse limited;
  for (int i = 0; i < 6; ++i) {
    auto r = stack.http("GET", "/api/v1/dns-zones/", "", busy);
    if (r.status == 200) {
      ++ok;
    } else {
      limited = r;
      break;
    }
  }
  // The stack's own readiness checks may have spent some of the burst.
  EXPECT_LE(ok, 3);
  ASSERT_EQ(limited.status, 429) << limited.body;
  EXPECT_NE(limited.body.find("\"error_code\":\"rate_limited\""), std::string::npos)
      << limited.body;
  const std::string retry = limited.header("retry-after");
  ASSERT_FALSE(retry.empty());
  EXPECT_GE(std::stoi(retry), 1);
  EXPECT_LE(std::stoi(retry), 10);

  // A refused write changes nothing.
  auto refused = stack.http("POST", "/api/v1/dns-zones/", R"({"domain": "limited.test"})", busy);
  EXPECT_EQ(refused.status, 429);
  auto list = stack.http("GET", "/api/v1/dns-zones/?domain=limited.test", "", otherToken);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.body, "[]");

  // Limits are per token: another token still gets through.
  EXPECT_EQ(stack.http("GET", "/api/v1/dns-zones/", "", otherToken).status, 200);
}

}  // namespace
}  // namespace zp::e2e
