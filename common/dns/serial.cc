#include "common/dns/serial.h"

namespace zp::dns {

uint32_t soaSerial(uint64_t seq) {
  const auto s = static_cast<uint32_t>(seq & 0xffffffffu);
  return s == 0 ? 1 : s;
}

bool serialGreater(uint32_t a, uint32_t b) {
  constexpr uint32_t kHalf = uint32_t{1} << 31;
  return (a < b && b - a > kHalf) || (a > b && a - b < kHalf);
}

uint32_t nextSoaSerial(std::optional<uint32_t> previous, uint64_t seq) {
  const uint32_t candidate = soaSerial(seq);
  if (!previous || serialGreater(candidate, *previous)) return candidate;
  const uint32_t next = *previous + 1;  // unsigned: wraps mod 2^32
  return next == 0 ? 1 : next;
}

}  // namespace zp::dns
