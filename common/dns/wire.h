#pragma once
// The few pieces of the DNS wire format (RFC 1035) that zonepipe speaks
// itself: building a query and walking a reply. Pure functions; nothing here
// throws for what the network delivers (short or malformed packets are
// nullopt/Errors). Used by the pusher's SOA checks and the benchmarks' probes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"

namespace zp::dns::wire {

inline constexpr uint16_t kTypeA = 1;
inline constexpr uint16_t kTypeSoa = 6;
inline constexpr uint16_t kClassIn = 1;
inline constexpr size_t kHeaderSize = 12;

// A query for `name` (dotted, trailing dot optional) of `qtype`, class IN,
// recursion not desired. Errors: an empty name or label, a label over 63
// octets, a name over 255 octets on the wire.
Result<std::string> buildQuery(uint16_t id, std::string_view name, uint16_t qtype);

// Big-endian reads; the caller checks `at + 2` (or 4) <= p.size().
uint16_t read16(std::string_view p, size_t at);
uint32_t read32(std::string_view p, size_t at);

// Skips a (possibly compressed) name at `at`: the offset after it, or nullopt
// when it runs past the packet or uses a reserved label type.
std::optional<size_t> skipName(std::string_view p, size_t at);

// One resource record of a reply's answer section: where its rdata lies in
// the packet (names inside it may point anywhere before it).
struct Answer {
  uint16_t type = 0;
  uint16_t klass = 0;
  size_t rdata = 0;  // offset of the rdata in the packet
  uint16_t rdlen = 0;
};

// A reply's header and answer section, checked for consistency: every name
// and rdata lies inside the packet. Errors for short or inconsistent packets,
// or a packet that is not a reply (QR clear).
struct Reply {
  uint16_t id = 0;
  int rcode = -1;
  bool authoritative = false;  // AA
  bool truncated = false;      // TC
  std::vector<Answer> answers;
};
Result<Reply> parseReply(std::string_view packet);

}  // namespace zp::dns::wire
