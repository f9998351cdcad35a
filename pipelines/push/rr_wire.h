#pragma once
// Zone-file record lines -> DNS wire form, with Knot DNS's zone parser
// (libzscanner): the same text the zone files hold (common/dns/zone_text.h)
// becomes the owner, type, TTL and rdata an RFC 2136 UPDATE carries, so we
// keep no rdata encoder of our own per record type.
// Pure (no I/O); each call uses its own scanner, so it is thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"

namespace zp::push {

struct WireRr {
  std::string owner;  // uncompressed wire-format name (length-prefixed labels, root byte)
  uint16_t type = 0;
  uint16_t rclass = 1;  // IN
  uint32_t ttl = 0;
  std::string rdata;  // wire-format rdata
};

// Parses `lines`, each one complete record with an absolute owner
// (`<owner.> <ttl> IN <TYPE> <rdata>`). Exactly lines.size() records must come
// out: a directive ($INCLUDE, $ORIGIN, ...), a blank or a line holding two
// records is an Error (kInternal: the renderer never writes one), naming the
// line and libzscanner's message.
Result<std::vector<WireRr>> parseRrLines(const std::vector<std::string_view>& lines);

}  // namespace zp::push
