#pragma once
// Query-string values: Pistache hands them over still percent-encoded
// (pistache#1179), so the API decodes them here, and encodes them again for
// the links it builds. Stateless functions, thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/util/result.h"

namespace zp::api {

// Decodes %XX escapes and '+' (a space in form encoding). A '%' not followed by
// two hex digits is a validation error on `field`.
Result<std::string> percentDecode(std::string_view text, std::string_view field);

// Encodes everything except RFC 3986 unreserved characters.
std::string percentEncode(std::string_view text);

// The `domain=` filter of GET /dns-zones/: decoded, lower-case, without a
// trailing dot; a Unicode name becomes its punycode form so it matches the
// stored domain. Text that is no valid domain is returned as is (lower-case):
// it simply matches no zone.
Result<std::string> domainFilter(std::string_view raw);

// The `serial=` parameter of GET /dns-zones/{uuid}/export: absent is nullopt;
// otherwise a decimal integer from 1 to 2^64-1 (no sign, no spaces), else a
// validation error on field "serial".
Result<std::optional<uint64_t>> serialParam(const std::optional<std::string>& raw);

}  // namespace zp::api
