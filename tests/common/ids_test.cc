#include "common/util/ids.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <string>

namespace zp {
namespace {

TEST(NewUuid, IsVersion4AndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string u = newUuid();
    ASSERT_TRUE(looksLikeUuid(u)) << u;
    EXPECT_EQ(u[14], '4') << u;                                          // version 4
    EXPECT_NE(std::string("89ab").find(u[19]), std::string::npos) << u;  // RFC 4122 variant
    for (const char c : u) EXPECT_FALSE(c >= 'A' && c <= 'F') << u;
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(LooksLikeUuid, Table) {
  struct Case {
    std::string input;
    bool want;
  };
  const Case cases[] = {
      {"123e4567-e89b-42d3-a456-426614174000", true},
      {"123E4567-E89B-42D3-A456-426614174000", true},
      {"00000000-0000-0000-0000-000000000000", true},
      {"", false},
      {"123e4567e89b42d3a456426614174000", false},
      {"123e4567-e89b-42d3-a456-42661417400", false},
      {"123e4567-e89b-42d3-a456-4266141740000", false},
      {"123e4567-e89b-42d3-a456_426614174000", false},
      {"g23e4567-e89b-42d3-a456-426614174000", false},
      {"{23e4567-e89b-42d3-a456-426614174000", false},
      {"123e4567-e89b-42d3-a456-42661417400/", false},
      {"../../../../../../../../etc/passwd00", false},
  };
  for (const Case& c : cases) EXPECT_EQ(looksLikeUuid(c.input), c.want) << c.input;
}

TEST(IsoTime, Table) {
  EXPECT_EQ(isoTime(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(isoTime(1705314600), "2024-01-15T10:30:00Z");
  EXPECT_EQ(isoTime(951782400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(isoTime(4102444799), "2099-12-31T23:59:59Z");
}

TEST(Clock, SecondsAndMillisAgree) {
  const int64_t s = nowSeconds();
  const int64_t ms = nowMillis();
  EXPECT_LE(std::llabs(ms / 1000 - s), 1);
  EXPECT_GT(s, 1700000000);  // after 2023: the clock is not at the epoch
}

}  // namespace
}  // namespace zp
