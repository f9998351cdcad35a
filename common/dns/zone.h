#pragma once
// A zone as the domain sees it.

#include <cstdint>
#include <string>
#include <vector>

#include "common/dns/record.h"
#include "common/dns/serial.h"

namespace zp::dns {

struct Zone {
  std::string uuid;
  std::string domain;  // normalised: lower-case punycode, no trailing dot
  std::string ownerId;
  int64_t createdAt = 0;
  uint32_t recordCount = 0;
  uint64_t serial = 0;  // seq of the last event that changed the zone (the version id)
  // The SOA serial of that version, chosen by the store (dns::nextSoaSerial);
  // 0 for zones last changed before it was stored: use soaSerialOf().
  uint32_t soaSerial = 0;
};

// The SOA serial the zone's current version carries.
inline uint32_t soaSerialOf(const Zone& zone) {
  return storedOrDerivedSerial(zone.soaSerial, zone.serial);
}

// Everything the renderer needs for one zone file.
struct ZoneSnapshot {
  Zone zone;
  std::vector<Record> records;  // any order; the renderer sorts
};

}  // namespace zp::dns
