#pragma once
// The SOA serial rule, in one place (RFC 1035 section 3.3.13, RFC 1982).
//
// A zone version is identified by the seq of the last event that changed the
// zone (a 64-bit number from the store's log). Its SOA serial is chosen by the
// store when it commits that event (nextSoaSerial) and kept with the zone and
// the event: seq mod 2^32, with 1 instead of 0 (0 is legal but confuses tools
// that treat it as "unset"), unless that would not be RFC 1982-greater than
// the zone's previous serial, in which case the previous serial plus one.
// Every comparison of 32-bit serials uses RFC 1982 arithmetic.
// Pure functions; thread-safe.

#include <cstdint>
#include <optional>

namespace zp::dns {

// seq mod 2^32, 1 instead of 0: the serial nextSoaSerial prefers, and the
// serial of data written before serials were stored (a stored 0).
uint32_t soaSerial(uint64_t seq);

// RFC 1982 section 3.2: true when `a` is greater than `b` (so a secondary
// holding `b` transfers `a`). Undefined pairs (distance exactly 2^31) are
// "not greater".
bool serialGreater(uint32_t a, uint32_t b);

// The SOA serial of the zone version made by event `seq`. `previous` is the
// zone's serial before the event (nullopt for a new zone). The result is
// soaSerial(seq) when that is RFC 1982-greater than `previous`, else
// previous + 1 (mod 2^32, skipping 0). So serials follow the seq as long as
// the zone changes at least once every 2^31 events, and still rise by one
// after a longer idle time, when soaSerial(seq) may have wrapped past it.
uint32_t nextSoaSerial(std::optional<uint32_t> previous, uint64_t seq);

// The SOA serial of a stored zone or event: `stored` when set, else the one
// derived from its seq (data written before serials were stored keeps 0).
inline uint32_t storedOrDerivedSerial(uint32_t stored, uint64_t seq) {
  return stored != 0 ? stored : soaSerial(seq);
}

}  // namespace zp::dns
