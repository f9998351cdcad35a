#include "common/dns/record_spec.h"

#include <array>
#include <stdexcept>

#include "common/dns/rdata.h"

namespace zp::dns {
namespace {

using enum PriorityRule;
using enum OwnerRule;
using enum RecordType;

constexpr std::array<RecordSpec, kRecordTypeCount> kSpecs = {{
    // clang-format off
    // type  name   wire  priority   text   owner          apex   single excl   parser                writer                     format / example
    {kA,     "A",     1,  kAbsent,   false, kAny,          true,  false, false, rdata::parseIpv4,     rdata::writeVerbatim,
     "an IPv4 address in dotted-quad form", "192.0.2.1", -1, "RFC 1035"},
    {kAaaa,  "AAAA", 28,  kAbsent,   false, kAny,          true,  false, false, rdata::parseIpv6,     rdata::writeVerbatim,
     "an IPv6 address (shown in RFC 5952 form)", "2001:db8::1", -1, "RFC 3596"},
    {kCname, "CNAME", 5,  kAbsent,   false, kAny,          false, true,  true,  rdata::parseHostname, rdata::writeHostname,
     "a hostname", "target.example.net", -1, "RFC 1035"},
    {kMx,    "MX",   15,  kRequired, false, kAny,          true,  false, false, rdata::parseHostOrRoot, rdata::writeMx,
     "a hostname, or . for null MX (priority 0)", "mail.example.net", 10, "RFC 1035, RFC 7505"},
    {kTxt,   "TXT",  16,  kAbsent,   true,  kAny,          true,  false, false, rdata::parseTxt,      rdata::writeTxt,
     "text up to 4000 octets", "v=spf1 -all", -1, "RFC 1035"},
    {kNs,    "NS",    2,  kAbsent,   false, kAny,          false, false, false, rdata::parseHostname, rdata::writeHostname,
     "a hostname (a delegation; not at the apex)", "ns1.example.net", -1, "RFC 1035"},
    {kSrv,   "SRV",  33,  kRequired, false, kServiceProto, true,  false, false, rdata::parseSrv,      rdata::writeSrv,
     "weight port target", "5 5060 sip.example.net", 10, "RFC 2782"},
    {kCaa,   "CAA", 257,  kAbsent,   false, kAny,          true,  false, false, rdata::parseCaa,      rdata::writeCaa,
     "flags tag \"value\"", "0 issue \"letsencrypt.org\"", -1, "RFC 8659"},
    {kPtr,   "PTR",  12,  kAbsent,   false, kAny,          true,  false, false, rdata::parseHostname, rdata::writeHostname,
     "a hostname", "host.example.net", -1, "RFC 1035"},
    {kTlsa,  "TLSA", 52,  kAbsent,   false, kPortProto,    true,  false, false, rdata::parseTlsa,     rdata::writeVerbatim,
     "usage selector matching-type hex", "3 1 1 2bb183af6d3ce0cba8dd0c4b5a3d4c1d2bb183af6d3ce0cba8dd0c4b5a3d4c1d", -1, "RFC 6698"},
    {kSshfp, "SSHFP", 44, kAbsent,   false, kAny,          true,  false, false, rdata::parseSshfp,    rdata::writeVerbatim,
     "algorithm fingerprint-type hex", "4 2 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", -1, "RFC 4255"},
    {kDs,    "DS",   43,  kAbsent,   false, kAny,          false, false, false, rdata::parseDs,       rdata::writeVerbatim,
     "key-tag algorithm digest-type hex (at a delegation)", "12345 13 2 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", -1, "RFC 4034"},
    {kNaptr, "NAPTR", 35, kAbsent,   false, kAny,          true,  false, false, rdata::parseNaptr,    rdata::writeLastFieldHost,
     "order preference \"flags\" \"services\" \"regexp\" replacement", "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.net", -1, "RFC 3403"},
    {kDname, "DNAME", 39, kAbsent,   false, kAny,          true,  true,  false, rdata::parseHostname, rdata::writeHostname,
     "a domain name (nothing may exist below the owner)", "example.net", -1, "RFC 6672"},
    {kHttps, "HTTPS", 65, kAbsent,   false, kAny,          true,  false, false, rdata::parseSvcb,     rdata::writeSvcb,
     "priority target key=value ... (alpn, port, ipv4hint, ipv6hint, ech, mandatory, no-default-alpn)", "1 . alpn=\"h2,h3\" port=443", -1, "RFC 9460"},
    {kSvcb,  "SVCB", 64,  kAbsent,   false, kAny,          true,  false, false, rdata::parseSvcb,     rdata::writeSvcb,
     "priority target key=value ... (alpn, port, ipv4hint, ipv6hint, ech, mandatory, no-default-alpn)", "1 svc.example.net. port=8443", -1, "RFC 9460"},
    // clang-format on
}};

constexpr bool rowsInEnumOrder() {
  for (size_t i = 0; i < kSpecs.size(); ++i) {
    if (static_cast<size_t>(kSpecs[i].type) != i) return false;
  }
  return true;
}
static_assert(rowsInEnumOrder(), "kSpecs: row i must describe RecordType(i), one row per type");

}  // namespace

std::span<const RecordSpec> recordSpecs() { return kSpecs; }

const RecordSpec& specFor(RecordType type) {
  const auto i = static_cast<size_t>(type);
  if (i >= kSpecs.size()) throw std::logic_error("specFor: RecordType out of range");
  return kSpecs[i];
}

std::string recordTypeNames() {
  std::string out;
  for (const RecordSpec& s : kSpecs) out += (out.empty() ? "" : ", ") + std::string(s.name);
  return out;
}

std::optional<std::string> checkSpecRow(const RecordSpec& spec) {
  const std::string row = "record type row '" + std::string(spec.name) + "'";
  if (spec.name.empty()) return "a record type row has no name";
  if (spec.wireType == 0) return row + " has no wire type number";
  if (spec.parse == nullptr) return row + " has no value parser";
  if (spec.write == nullptr) return row + " has no zone-text writer";
  if (spec.format.empty()) return row + " has no value format";
  if (spec.example.empty()) return row + " has no example value";
  if (spec.rfc.empty()) return row + " names no RFC";
  if ((spec.priority == PriorityRule::kRequired) != (spec.examplePriority >= 0)) {
    return row + ": the example's priority does not match the priority rule";
  }
  return std::nullopt;
}

std::string_view toString(RecordType type) { return specFor(type).name; }

std::optional<RecordType> recordTypeFromString(std::string_view text) {
  for (const RecordSpec& s : kSpecs) {
    if (s.name == text) return s.type;
  }
  return std::nullopt;
}

}  // namespace zp::dns
