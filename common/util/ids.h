#pragma once
// Identifiers and timestamps shared by every stage.

#include <cstdint>
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

}  // namespace zp
