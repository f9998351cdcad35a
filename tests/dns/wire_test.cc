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

TEST(WireTest, ParseReplyWalksTheAnswersOrRefusesThePacket) {
  // Header: id 0x1234, QR|AA, rcode 0, 1 question, 1 answer; question a.bc A;
  // answer: pointer to the question name, A IN, ttl 60, rdata 192.0.2.1.
  const std::string good =
      "\x12\x34\x84\x00\x00\x01\x00\x01\x00\x00\x00\x00"
      "\x01"
      "a\x02"
      "bc\x00\x00\x01\x00\x01"
      "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\xc0\x00\x02\x01"s;
  auto r = parseReply(good);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->id, 0x1234);
  EXPECT_TRUE(r->authoritative);
  EXPECT_EQ(r->rcode, 0);
  ASSERT_EQ(r->answers.size(), 1u);
  EXPECT_EQ(r->answers[0].type, kTypeA);
  EXPECT_EQ(r->answers[0].rdlen, 4);
  EXPECT_EQ(static_cast<uint8_t>(good[r->answers[0].rdata]), 0xc0);

  std::string query = good;
  query[2] = 0x04;                                    // QR clear: a query, not a reply
  std::string cut = good.substr(0, good.size() - 1);  // rdata runs past the end
  for (const std::string& bad : {std::string("\x12\x34"s), query, cut}) {
    EXPECT_FALSE(parseReply(bad).ok()) << bad.size();
  }
}

}  // namespace
}  // namespace zp::dns::wire
