#include "common/dns/wire.h"

#include <gtest/gtest.h>

#include <string>

namespace zp::dns::wire {
namespace {

using namespace std::string_literals;

TEST(WireTest, QueryNamesGoodAndBad) {
  struct Case {
    std::string name;
    bool ok;
  };
  const Case cases[] = {
      {"example.com", true},
      {"example.com.", true},
      {std::string(63, 'a') + ".test", true},
      {"", false},
      {".", false},
      {"a..b", false},
      {std::string(64, 'a') + ".test", false},
      {std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
           std::string(61, 'd'),
       true},  // 255 octets on the wire
      {std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
           std::string(62, 'd'),
       false},  // 256
  };
  for (const auto& c : cases) {
    EXPECT_EQ(buildQuery(1, c.name, kTypeSoa).ok(), c.ok) << c.name;
  }
}

TEST(WireTest, QueryBytesAreExact) {
  auto q = buildQuery(0x1234, "a.bc", kTypeA);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*q,
            "\x12\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00"
            "\x01"
            "a\x02"
            "bc\x00\x00\x01\x00\x01"s);
}

TEST(WireTest, SkipNameHandlesPointersAndTruncation) {
  const std::string packet =
      "\x01"
      "a\x00\xc0\x00\x05"
      "ab"s;
  EXPECT_EQ(skipName(packet, 0), std::optional<size_t>(3));  // a label then the root
  EXPECT_EQ(skipName(packet, 3), std::optional<size_t>(5));  // a pointer ends the name
  EXPECT_EQ(skipName(packet, 5), std::nullopt);              // label runs past the end
  EXPECT_EQ(skipName("\x40x"s, 0), std::nullopt);            // reserved label type
  EXPECT_EQ(read16("\x12\x34"s, 0), 0x1234);
  EXPECT_EQ(read32("\x01\x02\x03\x04"s, 0), 0x01020304u);
}

}  // namespace
}  // namespace zp::dns::wire
