#include "common/dns/wire.h"

namespace zp::dns::wire {
namespace {

Error bad(std::string detail) { return {ErrorKind::kUnavailable, "", std::move(detail)}; }

void put16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}

}  // namespace

Result<std::string> buildQuery(uint16_t id, std::string_view name, uint16_t qtype) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty()) return bad("empty query name");
  std::string q;
  put16(q, id);
  put16(q, 0);  // standard query, RD=0
  put16(q, 1);  // QDCOUNT
  put16(q, 0);
  put16(q, 0);
  put16(q, 0);
  size_t wireSize = 1;
  while (true) {
    const size_t dot = name.find('.');
    const std::string_view label = name.substr(0, dot);
    if (label.empty() || label.size() > 63) return bad("bad label in query name");
    q.push_back(static_cast<char>(label.size()));
    q.append(label);
    wireSize += 1 + label.size();
    if (dot == std::string_view::npos) break;
    name.remove_prefix(dot + 1);
  }
  if (wireSize > 255) return bad("query name longer than 255 octets");
  q.push_back('\0');
  put16(q, qtype);
  put16(q, kClassIn);
  return q;
}

uint16_t read16(std::string_view p, size_t at) {
  return static_cast<uint16_t>((static_cast<uint8_t>(p[at]) << 8) |
                               static_cast<uint8_t>(p[at + 1]));
}

uint32_t read32(std::string_view p, size_t at) {
  return (static_cast<uint32_t>(read16(p, at)) << 16) | read16(p, at + 2);
}

std::optional<size_t> skipName(std::string_view p, size_t at) {
  for (int labels = 0; labels < 128; ++labels) {
    if (at >= p.size()) return std::nullopt;
    const auto len = static_cast<uint8_t>(p[at]);
    if ((len & 0xc0) == 0xc0) {
      if (at + 2 > p.size()) return std::nullopt;
      return at + 2;  // a pointer ends the name
    }
    if ((len & 0xc0) != 0) return std::nullopt;  // reserved label types
    if (len == 0) return at + 1;
    at += 1 + len;
  }
  return std::nullopt;
}

}  // namespace zp::dns::wire
