#include "common/dns/serial.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>

namespace zp::dns {
namespace {

constexpr uint64_t k2p31 = uint64_t{1} << 31;
constexpr uint64_t k2p32 = uint64_t{1} << 32;

// One row: the zone's serial before the event (nullopt: a new zone), the
// event's seq, and the serial the new version must get.
struct Case {
  std::optional<uint32_t> previous;
  uint64_t seq;
  uint32_t want;
  const char* why;
};

// Issue 8, item 6: a zone left unchanged while more than 2^31 events were
// committed for other zones got soaSerial(seq), which RFC 1982 calls lower than
// its last serial, so secondaries kept the old zone forever.
TEST(NextSoaSerial, Issue8Item6RisesByRfc1982HoweverLongTheZoneWasIdle) {
  const Case cases[] = {
      // a new zone takes the seq (mod 2^32, 1 instead of 0), whatever came before
      {std::nullopt, 1, 1, "first event of the log"},
      {std::nullopt, 42, 42, "new zone"},
      {std::nullopt, k2p32, 1, "new zone at seq 2^32: 0 is skipped"},
      {std::nullopt, k2p32 + 7, 7, "new zone after the seq wrapped"},
      // a zone that changes often follows the seq
      {41, 42, 42, "next event"},
      {5, 1000, 1000, "other zones changed in between"},
      {0xfffffffdu, k2p32 - 2, 0xfffffffeu, "just below 2^32"},
      {0xfffffffeu, k2p32 - 1, 0xffffffffu, "last serial before the wrap"},
      {0xffffffffu, k2p32, 1, "across 2^32: 1, not 0, and 1 is greater than 2^32-1"},
      {0xffffffffu, k2p32 + 5, 5, "across 2^32 with other zones in between"},
      {0x7fffffffu, k2p31, 0x80000000u, "across 2^31"},
      {10, k2p31 + 9, static_cast<uint32_t>(k2p31 + 9), "idle for 2^31 - 1 events: still greater"},
      // idle too long: the seq's serial is not greater, so previous + 1
      {10, k2p31 + 10, 11, "idle for exactly 2^31 events (RFC 1982 undefined)"},
      {10, k2p31 + 11, 11, "idle for 2^31 + 1 events"},
      {10, k2p32 + 10, 11, "idle for 2^32 events: the seq's serial equals the old one"},
      {10, k2p32 + 3, 11, "idle for 2^32 - 7 events: the seq's serial is lower"},
      {0xffffffffu, k2p32 + 0x7fffffffu, 1, "previous 2^32-1, 2^31 apart: wraps to 1, skips 0"},
      {0xffffffffu, 0xffffffffu, 1, "same seq's serial as previous: wraps to 1"},
      {0x80000000u, k2p32 + 0x80000000u, 0x80000001u, "idle for 2^32 events at 2^31"},
  };
  for (const Case& c : cases) {
    const uint32_t got = nextSoaSerial(c.previous, c.seq);
    EXPECT_EQ(got, c.want) << c.why;
    EXPECT_NE(got, 0u) << c.why;
    if (c.previous) {
      EXPECT_TRUE(serialGreater(got, *c.previous)) << c.why;
    }
  }
}

TEST(SoaSerial, SeqModuloTwoToThe32WithOneForZero) {
  EXPECT_EQ(soaSerial(0), 1u);
  EXPECT_EQ(soaSerial(42), 42u);
  EXPECT_EQ(soaSerial(k2p32 - 1), 0xffffffffu);
  EXPECT_EQ(soaSerial(k2p32), 1u);
  EXPECT_EQ(soaSerial(k2p32 + 9), 9u);
}

TEST(SerialGreater, Rfc1982Table) {
  struct Row {
    uint32_t a, b;
    bool greater;
  };
  const Row rows[] = {
      {6, 5, true},
      {5, 5, false},
      {5, 6, false},
      {0, 0xffffffffu, true},
      {1, 0xffffffffu, true},
      {0xffffffffu, 0, false},
      {0x80000004u, 5, true},
      {0x80000005u, 5, false},  // 2^31 apart: undefined, "not greater" either way
      {5, 0x80000005u, false},
  };
  for (const Row& r : rows) EXPECT_EQ(serialGreater(r.a, r.b), r.greater) << r.a << " " << r.b;
}

TEST(StoredOrDerivedSerial, FallsBackToTheSeqForDataWithoutASerial) {
  EXPECT_EQ(storedOrDerivedSerial(0, 42), 42u);
  EXPECT_EQ(storedOrDerivedSerial(0, k2p32), 1u);
  EXPECT_EQ(storedOrDerivedSerial(7, 42), 7u);
}

}  // namespace
}  // namespace zp::dns
