#pragma once
// Field-level helpers shared by the rdata parsers (rdata.cc, svcb.cc): decimal
// numbers, hex strings, and splitting a value into space-separated fields with
// RFC 1035 5.1 quoted character-strings. Pure; thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"

namespace zp::dns::rdata {

// 1-5 decimal digits (no sign, no spaces) in 0..max; "007" is 7.
std::optional<uint32_t> parseDecimal(std::string_view s, uint32_t max);

// A value split at runs of spaces. A field may be a quoted character-string
// ("..."; inside it `\"`, `\\` and `\DDD` escapes are decoded); `text` holds
// the decoded octets. Unquoted fields may not hold '"' or '\\'.
struct Field {
  std::string text;
  bool quoted = false;
};
// nullopt when a quote is not closed, an escape is malformed, or an unquoted
// field holds '"' or '\\'.
std::optional<std::vector<Field>> splitFields(std::string_view value);

// Hex digits (either case) -> lower case; nullopt on any other character or an
// odd count.
std::optional<std::string> lowerHex(std::string_view hex);

Error valueError(std::string detail);

}  // namespace zp::dns::rdata
