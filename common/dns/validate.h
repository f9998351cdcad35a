#pragma once
// Record validation: pure functions, no I/O. The API, the validator and the
// admin CLI call these; the store re-checks zone-level rules with
// checkRecordInZone. One table (validate.cc) describes each type's rules.

#include <span>

#include "common/dns/name.h"
#include "common/dns/record.h"
#include "common/util/result.h"

namespace zp::dns {

inline constexpr int64_t kMinTtl = 60;
inline constexpr int64_t kMaxTtl = 604800;
inline constexpr uint32_t kDefaultTtl = 3600;
inline constexpr size_t kMaxTxtOctets = 4000;

// Validates one record on its own (type, owner syntax, value, ttl, priority)
// and returns it in canonical form: A strict dotted quad, AAAA in RFC 5952
// form, hostnames lower-case without trailing dot, TXT as given (control
// characters rejected), SRV "weight port target", CAA `flags tag "value"`.
Result<RecordData> validateRecord(const RecordInput& input);

// Zone-level rules for adding `candidate` (name already relative) to `zone`,
// given the zone's records at the same owner name: CNAME not at the apex and
// never beside other data, NS not at the apex, no duplicate (name, type,
// value). `ignoreUuid` skips one existing record (an update replacing itself).
Status checkRecordInZone(const DnsName& zone, std::span<const Record> sameName,
                         const RecordData& candidate, std::string_view ignoreUuid = {});

}  // namespace zp::dns
