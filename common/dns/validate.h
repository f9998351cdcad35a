#pragma once
// Record validation: pure functions, no I/O. The API, the validator and the
// admin CLI call these; the store re-checks zone-level rules with
// checkRecordInZone. One table (validate.cc) describes each type's rules.

#include <span>
#include <string>
#include <vector>

#include "common/dns/name.h"
#include "common/dns/record.h"
#include "common/util/result.h"

namespace zp::dns {

inline constexpr int64_t kMinTtl = 60;
inline constexpr int64_t kMaxTtl = 604800;
inline constexpr uint32_t kDefaultTtl = 3600;
inline constexpr size_t kMaxTxtOctets = 4000;
// Any value: keeps every record's wire rdata far below the 65535-octet limit
// (RFC 1035 3.2.1), so nothing stored can fail to become an UPDATE.
inline constexpr size_t kMaxValueOctets = 16384;

// Validates one record on its own (type, owner syntax, value, ttl, priority)
// and returns it in canonical form: A strict dotted quad, AAAA in RFC 5952
// form, hostnames lower-case without trailing dot, TXT as given (control
// characters rejected), SRV "weight port target", CAA `flags tag "value"`.
Result<RecordData> validateRecord(const RecordInput& input);

// The records the zone rules look at, as the store finds them (names
// relative to the zone). `ancestors` holds the records at every name between
// the candidate's owner and the apex, the apex included ("a.b" -> "b", "@").
// `descendants` holds the records below the owner; the store needs to fill it
// only when needsDescendants(candidate type) (a full scan of the zone).
struct ZoneNeighbourhood {
  std::span<const Record> sameName;
  std::span<const Record> ancestors;
  std::span<const Record> descendants;
};

// The names whose records make up `ancestors` for `relative` (nearest first,
// "@" last; empty for "@").
std::vector<std::string> ancestorNames(std::string_view relative);
// True for the types whose zone rules look below their owner (NS, DNAME).
bool needsDescendants(RecordType type);
// True when a record `below` an `upper` record's owner would be hidden by it
// (everything below a DNAME; below an NS delegation, all but glue A/AAAA at
// non-wildcard names). The store stops collecting descendants at the first.
bool hiddenBelow(RecordType upper, const RecordData& below);

// Zone-level rules for adding `candidate` (name already relative), or for an
// update replacing the record `ignoreUuid` with it. Validation errors (field
// "name") for a type not allowed at the apex (CNAME, NS, DS), and NS or DNAME
// at a wildcard (named ignores them, RFC 4592 4.2, 4.4), a null MX with a
// priority other than 0 (field "priority", RFC 7505 3); record_conflict for:
// - a duplicate (name, type, value) (field "value");
// - a TTL differing from the rest of its RRset (field "ttl"; RFC 2181 5.2:
//   one RRset, one TTL; the API refuses rather than report a TTL not served);
// - CNAME beside other data, a second CNAME or DNAME at a name (RFC 1034
//   3.6.2, RFC 6672 2.4), a null MX beside other MX (RFC 7505 3);
// - data below a DNAME (RFC 6672 2.3), and data at or below a delegation
//   (NS below the apex) other than NS/DS at it and glue A/AAAA (RFC 1034
//   4.2.1: named answers those names only with a referral);
// - DS without NS at its name (RFC 4035 2.4; named drops such a DS).
Status checkRecordInZone(const DnsName& zone, const ZoneNeighbourhood& around,
                         const RecordData& candidate, std::string_view ignoreUuid = {});
// The same with only the records at the candidate's name.
Status checkRecordInZone(const DnsName& zone, std::span<const Record> sameName,
                         const RecordData& candidate, std::string_view ignoreUuid = {});

// Rules for removing `removed` (by DELETE, or by an update that moves it to
// another name or type), given the records at its name: the last NS of a
// delegation that holds DS records stays (record_conflict, field "name").
Status checkRecordRemoval(std::span<const Record> sameName, const Record& removed);

}  // namespace zp::dns
