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

Result<Reply> parseReply(std::string_view p) {
  if (p.size() < kHeaderSize) return bad("DNS reply shorter than its header");
  Reply r;
  r.id = read16(p, 0);
  const uint16_t flags = read16(p, 2);
  if ((flags & 0x8000) == 0) return bad("not a reply (QR clear)");
  r.authoritative = (flags & 0x0400) != 0;
  r.truncated = (flags & 0x0200) != 0;
  r.rcode = flags & 0x000f;
  const uint16_t qd = read16(p, 4);
  const uint16_t an = read16(p, 6);
  size_t at = kHeaderSize;
  for (uint16_t i = 0; i < qd; ++i) {
    auto next = skipName(p, at);
    if (!next || *next + 4 > p.size()) return bad("truncated question section");
    at = *next + 4;
  }
  for (uint16_t i = 0; i < an; ++i) {
    auto next = skipName(p, at);
    if (!next || *next + 10 > p.size()) return bad("truncated answer record");
    at = *next;
    Answer a{read16(p, at), read16(p, at + 2), at + 10, read16(p, at + 8)};
    at += 10;
    if (at + a.rdlen > p.size()) return bad("answer rdata runs past the packet");
    at += a.rdlen;
    r.answers.push_back(a);
  }
  return r;
}

}  // namespace zp::dns::wire
