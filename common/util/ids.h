#pragma once
// Identifiers and timestamps shared by every stage.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zp {

// A random UUID v4, lower-case, from the OS's CSPRNG.
std::string newUuid();
// True for a lower-case or upper-case canonical 8-4-4-4-12 hex UUID.
bool looksLikeUuid(std::string_view text);

int64_t nowSeconds();
int64_t nowMillis();
// ISO 8601 UTC with seconds precision and `Z`: "2024-01-15T10:30:00Z".
std::string isoTime(int64_t unixSeconds);
// Parses ISO 8601 / RFC 3339 date-times: "2026-12-01T00:00:00Z",
// "2026-12-01T01:00:00+01:00", fractions of a second ignored ("...:00.5Z").
// A time zone (Z or an offset) is required. Unix seconds, or nullopt.
std::optional<int64_t> parseIsoTime(std::string_view text);

}  // namespace zp
