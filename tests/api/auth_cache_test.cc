#include "pipelines/api/auth_cache.h"

#include <gtest/gtest.h>

namespace zp::api {
namespace {

using namespace std::chrono_literals;

TokenHash hashOf(uint8_t b) {
  TokenHash h{};
  h.fill(b);
  return h;
}

std::shared_ptr<const Principal> principal(const std::string& user) {
  return std::make_shared<Principal>(Principal{user, "tok_1", {"dns:*"}, {}});
}

TEST(AuthCache, HitsUntilExpiryThenMisses) {
  AuthCache cache(500ms);
  const auto t0 = AuthCache::Clock::time_point{} + 10s;
  EXPECT_EQ(cache.find(hashOf(1), t0), nullptr);
  cache.insert(hashOf(1), principal("alice"), t0);
  ASSERT_NE(cache.find(hashOf(1), t0 + 499ms), nullptr);
  EXPECT_EQ(cache.find(hashOf(1), t0 + 499ms)->userId, "alice");
  EXPECT_EQ(cache.find(hashOf(2), t0), nullptr);
  EXPECT_EQ(cache.find(hashOf(1), t0 + 500ms), nullptr);  // revocation visible within 1 s
}

TEST(AuthCache, BoundedSize) {
  AuthCache cache(500ms, 4);
  const auto t0 = AuthCache::Clock::time_point{} + 10s;
  for (uint8_t i = 0; i < 4; ++i) cache.insert(hashOf(i), principal("u"), t0);
  EXPECT_EQ(cache.size(), 4u);
  cache.insert(hashOf(9), principal("u"), t0 + 1s);  // all expired: pruned
  EXPECT_EQ(cache.size(), 1u);
  for (uint8_t i = 0; i < 10; ++i) cache.insert(hashOf(i), principal("u"), t0 + 1s);
  EXPECT_LE(cache.size(), 4u);
}

}  // namespace
}  // namespace zp::api
