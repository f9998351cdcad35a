#include "pipelines/api/zone_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace zp::api {
namespace {

std::shared_ptr<const std::string> body(size_t size, char fill = 'x') {
  return std::make_shared<const std::string>(size, fill);
}

TEST(ZoneCache, FreshOnlyAtTheRenderedSerial) {
  ZoneCache cache;
  EXPECT_FALSE(cache.find("z1"));
  EXPECT_EQ(cache.fresh("z1", 7), nullptr);
  cache.insert("z1", "example.com", 7, body(10, 'a'));
  const struct {
    std::string uuid;
    uint64_t serial;
    bool hit;
  } cases[] = {
      {"z1", 7, true},   // same version: served
      {"z1", 8, false},  // a write since: re-render
      {"z1", 6, false},  // the store is behind the cache (restored store): re-render
      {"z2", 7, false},  // another zone
      {"Z1", 7, false},  // uuids are matched exactly (the server lower-cases them)
  };
  for (const auto& c : cases) {
    EXPECT_EQ(cache.fresh(c.uuid, c.serial) != nullptr, c.hit) << c.uuid << " @" << c.serial;
  }
  auto entry = cache.find("z1");
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->domain, "example.com");
  EXPECT_EQ(entry->serial, 7u);
  EXPECT_EQ(*entry->json, std::string(10, 'a'));
}

TEST(ZoneCache, NewerSerialReplacesOlderNeverTheReverse) {
  ZoneCache cache;
  cache.insert("z1", "example.com", 7, body(10, 'a'));
  cache.insert("z1", "example.com", 9, body(20, 'b'));
  EXPECT_EQ(cache.fresh("z1", 7), nullptr);
  ASSERT_NE(cache.fresh("z1", 9), nullptr);
  EXPECT_EQ(cache.bytes(), 20u);
  cache.insert("z1", "example.com", 8, body(30, 'c'));  // a slow render of an older version
  ASSERT_NE(cache.fresh("z1", 9), nullptr);
  EXPECT_EQ(*cache.fresh("z1", 9), std::string(20, 'b'));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.bytes(), 20u);
}

TEST(ZoneCache, EraseForgetsTheZone) {
  ZoneCache cache;
  cache.insert("z1", "example.com", 7, body(10));
  cache.insert("z2", "example.org", 3, body(5));
  cache.erase("z1");
  cache.erase("nope");
  EXPECT_FALSE(cache.find("z1"));
  EXPECT_TRUE(cache.find("z2"));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.bytes(), 5u);
}

TEST(ZoneCache, BoundedByBodyBytes) {
  ZoneCache cache(100);
  cache.insert("big", "big.example", 1, body(101));  // larger than the budget: not kept
  EXPECT_FALSE(cache.find("big"));
  cache.insert("a", "a.example", 1, body(60));
  cache.insert("b", "b.example", 1, body(60));  // evicts to fit
  EXPECT_LE(cache.bytes(), 100u);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_TRUE(cache.find("b"));
  cache.insert("c", "c.example", 1, body(40));
  EXPECT_EQ(cache.bytes(), 100u);
  EXPECT_EQ(cache.size(), 2u);
  cache.insert("c", "c.example", 1, nullptr);  // nothing to keep
  EXPECT_EQ(cache.size(), 2u);
}

TEST(ZoneCache, ConcurrentReadersAndWriters) {
  ZoneCache cache(1000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (uint64_t i = 0; i < 2000; ++i) {
        const std::string uuid = "z" + std::to_string(i % 7);
        if (t % 2 == 0) {
          cache.insert(uuid, "d", i, body(i % 50 + 1));
        } else if (auto json = cache.fresh(uuid, i)) {
          EXPECT_EQ(json->size(), i % 50 + 1);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_LE(cache.bytes(), 1000u);
}

}  // namespace
}  // namespace zp::api
