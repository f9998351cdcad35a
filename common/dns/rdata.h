#pragma once
// Per-type record values: parsers from API input to the canonical `value`
// (the whole rdata in presentation format, API.md) and writers from the
// canonical value to zone-file rdata. Each record type's row in
// common/dns/record_spec.cc names one parser and one writer from here.
// Pure functions; thread-safe. Parsers return validation errors on field
// "value" with a sentence saying what the value must look like.

#include <string>
#include <string_view>

#include "common/dns/record.h"
#include "common/util/result.h"

namespace zp::dns::rdata {

// A: strict dotted quad (no leading zeros). RFC 1035 3.4.1.
Result<std::string> parseIpv4(std::string_view value);
// AAAA: any IPv6 text form, answered in RFC 5952 form. RFC 3596.
Result<std::string> parseIpv6(std::string_view value);
// CNAME, NS, PTR, DNAME: an absolute hostname, lower-case, without the dot.
Result<std::string> parseHostname(std::string_view value);
// MX: a hostname, or "." (null MX, RFC 7505).
Result<std::string> parseHostOrRoot(std::string_view value);
// TXT: text up to 4000 octets (split into 255-octet strings when written).
Result<std::string> parseTxt(std::string_view value);
// SRV: "weight port target" (the priority is the record's priority). RFC 2782.
Result<std::string> parseSrv(std::string_view value);
// CAA: `flags tag "value"`, tag issue/issuewild/iodef. RFC 8659.
Result<std::string> parseCaa(std::string_view value);
// TLSA: "usage selector mtype hex", usage 0-3, selector 0-1, mtype 0-2 (SHA-256:
// 64 hex digits, SHA-512: 128). Hex lower-case, in one piece. RFC 6698 2.1.
Result<std::string> parseTlsa(std::string_view value);
// SSHFP: "algorithm fptype hex", algorithm 1-4 or 6, fptype 1 (SHA-1, 40 hex
// digits) or 2 (SHA-256, 64). RFC 4255, 6594, 7479, 8709.
Result<std::string> parseSshfp(std::string_view value);
// DS: "keytag algorithm digesttype hex", a DNSSEC algorithm of RFC 8624's table,
// digest type 1 (SHA-1, 40 hex), 2 (SHA-256, 64) or 4 (SHA-384, 96). RFC 4034 5.
Result<std::string> parseDs(std::string_view value);
// NAPTR: `order preference "flags" "services" "regexp" replacement`, flags
// letters and digits (upper-cased), regexp and replacement exclusive (one is
// "" or "."). RFC 3403 4.1.
Result<std::string> parseNaptr(std::string_view value);
// SVCB and HTTPS: "priority target key=value ...", keys mandatory, alpn,
// no-default-alpn, port, ipv4hint, ech, ipv6hint, written in key order, alpn
// quoted. Priority 0 (alias mode) takes no keys. RFC 9460 2.3, 7. In svcb.cc.
Result<std::string> parseSvcb(std::string_view value);

// Zone-file rdata of a canonical record (the same text libzscanner parses for
// the UPDATE, pipelines/push/rr_wire.h). Preconditions: `r` is canonical.
std::string writeVerbatim(const RecordData& r);
std::string writeHostname(const RecordData& r);       // "host."
std::string writeMx(const RecordData& r);             // "10 host."
std::string writeTxt(const RecordData& r);            // "\"...\" \"...\""
std::string writeSrv(const RecordData& r);            // "10 5 5060 host."
std::string writeCaa(const RecordData& r);            // `0 issue "ca.example"`
std::string writeLastFieldHost(const RecordData& r);  // NAPTR: replacement "host."
std::string writeSvcb(const RecordData& r);           // target "host."

}  // namespace zp::dns::rdata
