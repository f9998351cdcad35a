#pragma once
// Reading a BIND zone file for POST /api/v1/dns-zones/{uuid}/import and
// `zonepipe zone import` (issue 10), with Knot DNS's libzscanner (RFC 1035 master files: $ORIGIN,
// $TTL, relative names, multi-line records, escapes, every type) and libknot's presentation writer
// for the rdata. Pure functions; thread-safe.
//
// What the service owns is skipped and said so: the SOA and the apex NS set
// (from its configuration). $INCLUDE is refused (it would read the server's
// files). A record of a type the service does not offer, or of a class other
// than IN, is refused. Errors are kValidation naming `line N` (and libzscanner's
// reason) in `detail`, field `body`.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/dns/record.h"
#include "common/util/result.h"

namespace zp::dns {

struct SkippedRecord {
  size_t line = 0;
  std::string rr;   // the record as a zone-file line
  std::string why;  // "the SOA is the service's", ...
};

struct ParsedZoneFile {
  // Every record in file order: absolute owner with a trailing dot, the
  // type's name, the value in the API's form (MX/SRV: priority apart; TXT:
  // the text itself), TTL.
  std::vector<dns::RecordInput> records;
  std::vector<size_t> lines;  // the line of each record (its last line when it spans several)
  std::vector<SkippedRecord> skipped;
};

// `domain`: the zone's normalised domain (the file's origin unless it says
// $ORIGIN). Default TTL 3600 when the file has no $TTL.
Result<ParsedZoneFile> parseZoneFile(std::string_view text, const std::string& domain);

}  // namespace zp::dns
