#pragma once
// The catalog zone (RFC 9432, BIND 9.18 "version 2"): one zone on the primary
// listing every zone it serves, so secondaries configured with
// `catalog-zones { zone "catalog.zonepipe.invalid" ... }` add and remove
// member zones themselves, with no per-zone step. Pure functions.

#include <cstdint>
#include <set>
#include <string>

#include "common/dns/reserved.h"

namespace zp::push {

// The name lives in common/dns/reserved.h, which also keeps users from creating it.
inline constexpr const char* kCatalogZone = dns::kCatalogZone;

// The member's unique label below `zones.`: 16 hex digits of FNV-1a-64 of the
// domain, so the same domain always gets the same label (a stable identity
// across pusher restarts).
std::string catalogMemberLabel(const std::string& domain);

// The catalog zone file: SOA + NS "invalid.", `version TXT "2"` and one
// `<label>.zones PTR <domain>.` per member, sorted by domain. `serial` as is.
std::string renderCatalog(const std::set<std::string>& members, uint32_t serial);

// The lines of it that change: the SOA at `serial`, and one member's PTR
// (both as UPDATE operations take them, without the newline).
std::string catalogSoaLine(uint32_t serial);
std::string catalogMemberLine(const std::string& domain);

}  // namespace zp::push
