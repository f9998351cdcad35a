#pragma once
// A delta too large for one RFC 2136 UPDATE (a DNS message over TCP is at
// most 64 KiB, RFC 1035 4.2.2; DnsUpdater::kMaxMessage) as several UPDATEs in
// order, so that a big change set (up to dns::kMaxChangeSetItems changes) is
// deployed as a delta, without transferring the zone (issue 8: no
// whole-zone work per change). named increments a zone's serial by itself
// for an UPDATE without an SOA, so each chunk but the last carries the SOA
// with the next serial after named's (`served` + 1, + 2, ...), and the last
// the version's own: every serial named serves is one the store's version
// number is above (RFC 1982), so the secondaries follow each step by IXFR.
// Between the first and the last chunk named serves part of the set for
// a moment; the whole-version path (convergence by AXFR) splits the same way.
// Pure functions; thread-safe.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipelines/push/dns_update.h"

namespace zp::push {

// Record-line bytes per UPDATE (the renderer's coalescing limit, well under
// kMaxMessage once in wire form).
inline constexpr size_t kDeltaBytesPerUpdate = 40000;

struct DeltaChunk {
  std::vector<UpdateOp> ops;
  std::string soa;  // the SOA line this UPDATE ends with
};

// `ops` in order, cut into chunks of at most `maxBytes` of record lines (each
// line plus 16; a longer single line is a chunk by itself). The last chunk
// carries `soa` (the version's, serial `want`); chunk i before it the same SOA
// with serial served + i + 1. nullopt when those serials would not all be
// RFC 1982-below `want` (the version then goes whole), or `soa` is not an
// SOA line.
std::optional<std::vector<DeltaChunk>> splitDelta(const std::vector<UpdateOp>& ops,
                                                  const std::string& soa, uint32_t served,
                                                  uint32_t want,
                                                  size_t maxBytes = kDeltaBytesPerUpdate);

// `soa` (a zone-file SOA line: owner TTL class SOA mname rname serial refresh
// retry expire minimum) with its serial replaced; nullopt when it is not one.
std::optional<std::string> soaWithSerial(std::string_view soa, uint32_t serial);

}  // namespace zp::push
