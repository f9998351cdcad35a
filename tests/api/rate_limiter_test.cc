#include "pipelines/api/rate_limiter.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace zp::api {
namespace {

using namespace std::chrono_literals;
const RateLimiter::Clock::time_point t0{};

TEST(RateLimiterTest, OffWhenRateIsZero) {
  RateLimiter off(0, 0);
  EXPECT_FALSE(off.enabled());
  for (int i = 0; i < 10000; ++i) ASSERT_FALSE(off.acquire("tok", t0).has_value());
}

TEST(RateLimiterTest, BurstThenRetryAfterThenRefill) {
  RateLimiter limiter(2, 5);  // 2/s, burst 5
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(limiter.acquire("a", t0).has_value()) << i;
  auto retry = limiter.acquire("a", t0);
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(*retry, 1);                                        // 0.5 s rounds up to 1 s
  EXPECT_FALSE(limiter.acquire("a", t0 + 500ms).has_value());  // one token back
  EXPECT_TRUE(limiter.acquire("a", t0 + 500ms).has_value());
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(limiter.acquire("a", t0 + 60s).has_value()) << i;
  EXPECT_TRUE(limiter.acquire("a", t0 + 60s).has_value());  // never more than the burst
}

TEST(RateLimiterTest, TokensAreLimitedIndependently) {
  RateLimiter limiter(1, 1);
  EXPECT_FALSE(limiter.acquire("a", t0).has_value());
  EXPECT_TRUE(limiter.acquire("a", t0).has_value());
  EXPECT_FALSE(limiter.acquire("b", t0).has_value());
}

TEST(RateLimiterTest, RetryAfterGrowsWithASlowRate) {
  RateLimiter limiter(0.1, 1);  // one request per 10 s
  EXPECT_FALSE(limiter.acquire("a", t0).has_value());
  auto retry = limiter.acquire("a", t0);
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(*retry, 10);
}

TEST(RateLimiterTest, ConcurrentCallersNeverExceedTheBurst) {
  RateLimiter limiter(1, 100);
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        if (!limiter.acquire("shared", t0)) ++allowed;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 100);
}

}  // namespace
}  // namespace zp::api
