#pragma once
// Changes too many for one RFC 2136 UPDATE (a DNS message over TCP is at most
// 64 KiB, RFC 1035 4.2.2; DnsUpdater::kMaxMessage) go as several UPDATEs in
// order: a big change set's delta (Pusher::applyDelta; issue 8: a set is
// deployed as a delta, without transferring the zone) and an audit's repair
// (Pusher::converge). Every UPDATE but the last carries no SOA, so named
// increments the zone's serial by one for each (BIND's default
// serial-update-method; it skips 0); the last carries the version's SOA,
// whose serial must therefore be above named's serial plus the number of
// UPDATEs (RFC 1982) for named to take it. Between the first and the last
// named serves part of the change for a moment. Pure; thread-safe.

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace zp::push {

// Bytes per UPDATE, counted as record lines or as wire records: well under
// DnsUpdater::kMaxMessage once in wire form (a line is never shorter than its
// wire form by more than a few bytes).
inline constexpr size_t kUpdateChunkBytes = 40000;

// `ops` in order, cut into runs of at most `maxBytes` as `size(op)` counts
// them; an op longer than that is a run by itself. Never empty: no ops is one
// empty run (an UPDATE of the SOA alone).
template <typename Op, typename Size>
std::vector<std::vector<Op>> chunkBySize(std::vector<Op> ops, Size size,
                                         size_t maxBytes = kUpdateChunkBytes) {
  std::vector<std::vector<Op>> chunks(1);
  size_t bytes = 0;
  for (auto& op : ops) {
    const size_t n = size(op);
    if (!chunks.back().empty() && bytes + n > maxBytes) {
      chunks.emplace_back();
      bytes = 0;
    }
    bytes += n;
    chunks.back().push_back(std::move(op));
  }
  return chunks;
}

}  // namespace zp::push
