#include "pipelines/push/delta_chunks.h"

#include "common/dns/serial.h"

namespace zp::push {

std::optional<std::string> soaWithSerial(std::string_view soa, uint32_t serial) {
  // Fields are separated by blanks (zone_text.h writes one space); the serial is the 7th.
  size_t at = 0;
  std::vector<std::pair<size_t, size_t>> fields;
  while (at < soa.size() && fields.size() < 7) {
    while (at < soa.size() && (soa[at] == ' ' || soa[at] == '\t')) ++at;
    const size_t start = at;
    while (at < soa.size() && soa[at] != ' ' && soa[at] != '\t') ++at;
    if (at > start) fields.emplace_back(start, at - start);
  }
  if (fields.size() < 7 || soa.substr(fields[3].first, fields[3].second) != "SOA") {
    return std::nullopt;
  }
  for (size_t i = 0; i < fields[6].second; ++i) {
    const char c = soa[fields[6].first + i];
    if (c < '0' || c > '9') return std::nullopt;
  }
  std::string out(soa.substr(0, fields[6].first));
  out += std::to_string(serial);
  out += soa.substr(fields[6].first + fields[6].second);
  return out;
}

std::optional<std::vector<DeltaChunk>> splitDelta(const std::vector<UpdateOp>& ops,
                                                  const std::string& soa, uint32_t served,
                                                  uint32_t want, size_t maxBytes) {
  std::vector<DeltaChunk> chunks(1);
  size_t bytes = 0;
  for (const auto& op : ops) {
    const size_t size = op.rr.size() + 16;
    if (!chunks.back().ops.empty() && bytes + size > maxBytes) {
      chunks.emplace_back();
      bytes = 0;
    }
    bytes += size;
    chunks.back().ops.push_back(op);
  }
  for (size_t i = 0; i + 1 < chunks.size(); ++i) {
    const uint32_t serial = served + static_cast<uint32_t>(i) + 1;
    if (!dns::serialGreater(want, serial)) return std::nullopt;
    auto line = soaWithSerial(soa, serial);
    if (!line) return std::nullopt;
    chunks[i].soa = std::move(*line);
  }
  chunks.back().soa = soa;
  return chunks;
}

}  // namespace zp::push
