#pragma once
// Zone text: one zone's snapshot as a BIND9 zone file, deterministically (the
// same snapshot and settings always give the same bytes; golden tests and
// replay checks compare them), and the single lines it is made of, which the
// renderer also sends as RFC 2136 UPDATE operations, so a change applied by
// UPDATE and a whole file rendered later hold the very same records.
// Pure functions; thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "common/config/config.h"
#include "common/dns/zone.h"

namespace zp::dns {

// What every zone gets from the service's configuration: the SOA and the
// apex NS set. Names are written without a trailing dot.
struct ZoneFileSettings {
  std::vector<std::string> nameservers;  // "ns1.zonepipe.test"; the first is the SOA MNAME
  std::string soaRname;                  // "hostmaster.zonepipe.test" (mailbox as a name)
  uint32_t refresh = 3600;
  uint32_t retry = 600;
  uint32_t expire = 1209600;
  uint32_t minimum = 300;
  uint32_t nsTtl = 3600;  // TTL of the SOA and the apex NS records
};

ZoneFileSettings settingsFrom(const config::Config& cfg);

// Renders the zone file: a header comment (no timestamps), the SOA (serial =
// dns::soaSerialOf(snapshot.zone): the stored SOA serial, or for a zone stored
// without one, its serial mod 2^32, 1 instead of 0), the apex NS set, then every
// record sorted by (name with "@" first, type, value, uuid), one per line as
// `<absolute owner> <ttl> IN <TYPE> <rdata>`, hostnames with a trailing dot.
// Every record is re-validated first and TXT/CAA text is quoted and escaped,
// so no stored value can add a line, a directive or a comment.
// Throws std::invalid_argument when the snapshot or settings break the
// domain rules (a bug upstream or a broken config, never user input).
std::string renderZoneFile(const dns::ZoneSnapshot& snapshot, const ZoneFileSettings& settings);

// renderZoneFile for a zone whose records arrive in parts (the pages of a big
// zone, Query.zoneSnapshotPage): the same bytes, with each record's work
// (re-validation, its line) done as its part arrives, so no single step holds
// a thread for the whole zone but the final sort. One thread at a time.
class ZoneFileBuilder {
 public:
  // Throws std::invalid_argument when `domain` is not normalised or
  // `settings` has no nameservers (as renderZoneFile).
  ZoneFileBuilder(const std::string& domain, ZoneFileSettings settings);
  // Takes the records over. Throws std::invalid_argument for a record that
  // is not canonical.
  void add(std::vector<dns::Record> records);
  // The file for `zone` (its SOA serial; its domain must be the builder's)
  // holding every record added; the builder is empty afterwards.
  std::string finish(const dns::Zone& zone);
  size_t size() const { return lines_.size(); }

 private:
  struct Line {
    dns::Record record;
    std::string text;
  };
  std::string domain_;
  ZoneFileSettings settings_;
  std::vector<Line> lines_;
};

// The SOA line of `domain` (normalised) at `serial` (already the 32-bit SOA
// serial, see serial.h), as renderZoneFile writes it, without the newline.
// Throws std::invalid_argument like renderZoneFile.
std::string soaLine(const std::string& domain, uint32_t serial, const ZoneFileSettings& settings);

// One record of zone `domain` as renderZoneFile writes it, without the
// newline: `<absolute owner> <ttl> IN <TYPE> <rdata>`. Re-validates the record
// first; throws std::invalid_argument when it is not canonical.
std::string recordLine(const dns::Record& record, const std::string& domain);

}  // namespace zp::dns
