#pragma once
// The SOA serial rule, in one place (RFC 1035 section 3.3.13, RFC 1982).
//
// A zone version is identified by the seq of the last event that changed the
// zone (a 64-bit number from the store's log). Its SOA serial is that seq mod
// 2^32, with 1 instead of 0 (0 is legal but confuses tools that treat it as
// "unset"). Every comparison of 32-bit serials uses RFC 1982 arithmetic.
// Pure functions; thread-safe.

#include <cstdint>

namespace zp::dns {

// The SOA serial of the version whose last event is `seq`.
uint32_t soaSerial(uint64_t seq);

// RFC 1982 section 3.2: true when `a` is greater than `b` (so a secondary
// holding `b` transfers `a`). Undefined pairs (distance exactly 2^31) are
// "not greater".
bool serialGreater(uint32_t a, uint32_t b);

}  // namespace zp::dns
