#include "common/dns/validate.h"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/dns/record_spec.h"
#include "common/dns/text.h"

namespace zp::dns {

namespace {

Error valueError(std::string detail) { return Error::validation("value", std::move(detail)); }

// SRV owners start with _service._proto (RFC 2782).
Status checkSrvOwner(std::string_view owner) {
  const Error bad = Error::validation(
      "name", "SRV records need a name that starts with _service._proto, like _sip._tcp");
  const size_t firstDot = owner.find('.');
  if (firstDot == std::string_view::npos) return bad;
  const std::string_view service = owner.substr(0, firstDot);
  const size_t secondDot = owner.find('.', firstDot + 1);
  const std::string_view proto =
      owner.substr(firstDot + 1, secondDot == std::string_view::npos ? std::string_view::npos
                                                                     : secondDot - firstDot - 1);
  if (service.size() < 2 || service.front() != '_') return bad;
  if (proto != "_tcp" && proto != "_udp" && proto != "_tls" && proto != "_sctp") return bad;
  return std::nullopt;
}

// TLSA owners start with _port._proto (RFC 6698 3), port a decimal number.
Status checkPortProtoOwner(std::string_view owner) {
  const Error bad = Error::validation(
      "name", "TLSA records need a name that starts with _port._proto, like _443._tcp.www");
  const size_t firstDot = owner.find('.');
  if (firstDot == std::string_view::npos || firstDot < 2 || owner.front() != '_') return bad;
  const std::string_view port = owner.substr(1, firstDot - 1);
  for (const char c : port) {
    if (c < '0' || c > '9') return bad;
  }
  if (port.size() > 5 || std::stoul(std::string(port)) > 65535) return bad;
  const size_t secondDot = owner.find('.', firstDot + 1);
  const std::string_view proto =
      owner.substr(firstDot + 1, secondDot == std::string_view::npos ? std::string_view::npos
                                                                     : secondDot - firstDot - 1);
  if (proto != "_tcp" && proto != "_udp" && proto != "_sctp") return bad;
  return std::nullopt;
}

bool isSpace(char c) { return c == ' '; }

// "MX and SRV": the types whose row requires a priority.
std::string priorityTypeNames() {
  std::vector<std::string_view> names;
  for (const RecordSpec& s : recordSpecs()) {
    if (s.priority == PriorityRule::kRequired) names.push_back(s.name);
  }
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + std::string(names[i]);
  }
  return out;
}

}  // namespace

Result<RecordData> validateRecord(const RecordInput& input) {
  const auto type = recordTypeFromString(input.type);
  if (!type) {
    return Error::validation("record_type", "record_type must be one of " + recordTypeNames());
  }
  const RecordSpec& spec = specFor(*type);

  auto owner = checkOwnerSyntax(input.name);
  if (!owner) return owner.error();

  const std::string_view value = input.value;
  if (value.empty()) return valueError("value must not be empty");
  if (value.size() > kMaxValueOctets) {
    return valueError("value must be at most " + std::to_string(kMaxValueOctets) + " octets");
  }
  if (!isValidUtf8(value)) return valueError("value must be valid UTF-8 text");
  if (hasControlChar(value)) {
    return valueError("value must not contain control characters (such as tab or newline)");
  }
  if (!spec.textValue && (isSpace(value.front()) || isSpace(value.back()))) {
    return valueError("value must not start or end with a space");
  }
  auto canonical = spec.parse(value);
  if (!canonical) return canonical.error();

  if (spec.owner == OwnerRule::kServiceProto) {
    if (auto bad = checkSrvOwner(owner.value())) return *bad;
  } else if (spec.owner == OwnerRule::kPortProto) {
    if (auto bad = checkPortProtoOwner(owner.value())) return *bad;
  }

  RecordData out;
  out.type = *type;
  out.name = std::move(owner).value();
  out.value = std::move(canonical).value();

  if (input.ttl) {
    if (*input.ttl < kMinTtl || *input.ttl > kMaxTtl) {
      return Error::validation("ttl", "ttl must be between 60 and 604800 seconds");
    }
    out.ttl = static_cast<uint32_t>(*input.ttl);
  } else {
    out.ttl = kDefaultTtl;
  }

  if (spec.priority == PriorityRule::kRequired) {
    if (!input.priority) {
      return Error::validation("priority",
                               std::string(toString(*type)) + " records require a priority value");
    }
    if (*input.priority < 0 || *input.priority > 65535) {
      return Error::validation("priority", "priority must be between 0 and 65535");
    }
    out.priority = static_cast<uint16_t>(*input.priority);
  } else if (input.priority) {
    return Error::validation("priority", "priority is only allowed on " + priorityTypeNames() +
                                             " records; other types keep every number in value");
  }
  return out;
}

std::vector<std::string> ancestorNames(std::string_view relative) {
  std::vector<std::string> out;
  if (relative == "@") return out;
  for (size_t dot = relative.find('.'); dot != std::string_view::npos;
       dot = relative.find('.', dot + 1)) {
    out.emplace_back(relative.substr(dot + 1));
  }
  out.emplace_back("@");
  return out;
}

bool needsDescendants(RecordType type) {
  return type == RecordType::kNs || type == RecordType::kDname;
}

bool hiddenBelow(RecordType upper, const RecordData& below) {
  if (upper == RecordType::kDname) return true;
  if (upper == RecordType::kNs) {
    const bool glue = below.type == RecordType::kA || below.type == RecordType::kAaaa;
    return !glue || below.name.starts_with("*");
  }
  return false;
}

namespace {

Error conflict(std::string field, std::string detail) {
  return Error{ErrorKind::kRecordConflict, std::move(field), std::move(detail)};
}

std::string shown(const std::string& name) { return name == "@" ? "the apex (@)" : name; }

bool isGlueType(RecordType t) { return t == RecordType::kA || t == RecordType::kAaaa; }
// What may sit at a delegation point beside its NS records.
bool belongsAtCut(RecordType t) {
  return t == RecordType::kNs || t == RecordType::kDs || isGlueType(t);
}

Status checkApexAndWildcard(const RecordData& c) {
  const RecordSpec& spec = specFor(c.type);
  if (c.name == "@" && !spec.atApex) {
    switch (c.type) {
      case RecordType::kNs:
        return Error::validation("name",
                                 "the NS records at the zone apex come from the service's "
                                 "configuration; NS records are only allowed below the apex");
      case RecordType::kDs:
        return Error::validation("name",
                                 "DS records belong at a delegation below the apex; the apex's "
                                 "DS records are published by the parent zone");
      default:
        return Error::validation(
            "name", "a " + std::string(spec.name) + " record cannot be at the zone apex (@)");
    }
  }
  if (c.type == RecordType::kNs && c.name.starts_with("*")) {
    return Error::validation("name",
                             "NS records cannot be at a wildcard name: named ignores them "
                             "(RFC 4592 4.2); delegate a named child instead");
  }
  // A write-time rule, not part of validateRecord: records stored before it
  // must still render (the renderer re-validates every record it writes).
  if (c.type == RecordType::kMx && c.value == "." && c.priority.value_or(0) != 0) {
    return Error::validation("priority", "a null MX (value .) has priority 0 (RFC 7505 3)");
  }
  if (c.type == RecordType::kDname && c.name.starts_with("*")) {
    return Error::validation("name",
                             "DNAME records cannot be at a wildcard name: named does not serve "
                             "them (RFC 4592 4.4); put the DNAME at the name to redirect");
  }
  return std::nullopt;
}

Status checkSameName(std::span<const Record> sameName, const RecordData& c,
                     std::string_view ignoreUuid) {
  const std::string type(toString(c.type));
  bool hasNs = false;
  for (const Record& e : sameName) {
    if ((!ignoreUuid.empty() && e.uuid == ignoreUuid) || e.data.name != c.name) continue;
    const RecordData& d = e.data;
    if (d.type == c.type && d.value == c.value) {
      return conflict("value", "an identical record already exists");
    }
    if (c.type == RecordType::kCname) {
      return conflict("name", "a CNAME record cannot share its name with other records; " + c.name +
                                  " already has a " + std::string(toString(d.type)) + " record");
    }
    if (d.type == RecordType::kCname) {
      return conflict("name", c.name +
                                  " already has a CNAME record, which cannot share its name "
                                  "with other records");
    }
    if (d.type == c.type && specFor(c.type).singleton) {
      return conflict("name", shown(c.name) + " already has a " + type +
                                  " record; a name holds "
                                  "at most one (RFC 6672 2.4)");
    }
    if (d.type == c.type && d.ttl != c.ttl) {
      return conflict("ttl", "the other " + type + " records at " + shown(c.name) + " have ttl " +
                                 std::to_string(d.ttl) +
                                 "; one RRset has one TTL (RFC 2181 5.2): use ttl " +
                                 std::to_string(d.ttl) + " here too");
    }
    if (c.type == RecordType::kMx && d.type == RecordType::kMx &&
        (c.value == "." || d.value == ".")) {
      return conflict("value", "a null MX (.) says " + shown(c.name) +
                                   " takes no mail, so it must be its only MX record (RFC 7505 3)");
    }
    if (d.type == RecordType::kNs) hasNs = true;
    if (c.type == RecordType::kNs && c.name != "@" && !belongsAtCut(d.type)) {
      return conflict("name", "NS records would make " + c.name + " a delegation, where its " +
                                  std::string(toString(d.type)) +
                                  " record would only be answered with a referral; only NS, DS "
                                  "and glue A/AAAA records belong at a delegation");
    }
    if (d.type == RecordType::kNs && c.name != "@" && !belongsAtCut(c.type)) {
      return conflict("name", c.name +
                                  " is a delegation (it has NS records): named answers it "
                                  "only with a referral; only NS, DS and glue A/AAAA "
                                  "records belong there");
    }
  }
  if (c.type == RecordType::kDs && !hasNs) {
    return conflict("name", "DS records belong at a delegation: add the NS records of " +
                                shown(c.name) +
                                " first (named drops a DS without NS, RFC 4035 2.4)");
  }
  return std::nullopt;
}

Status checkAncestors(std::span<const Record> ancestors, const RecordData& c) {
  for (const Record& e : ancestors) {
    const RecordData& d = e.data;
    if (d.type == RecordType::kDname) {
      return conflict("name", shown(c.name) + " is below the DNAME at " + shown(d.name) +
                                  ", which redirects every name below it: nothing can be "
                                  "stored there (RFC 6672 2.3)");
    }
    if (d.type == RecordType::kNs && d.name != "@" &&
        (!isGlueType(c.type) || c.name.starts_with("*"))) {
      return conflict("name", shown(c.name) + " is below the delegation at " + d.name +
                                  " (NS records): named answers it only with a referral; only "
                                  "glue A/AAAA records belong below a delegation");
    }
  }
  return std::nullopt;
}

Status checkDescendants(std::span<const Record> descendants, const RecordData& c,
                        std::string_view ignoreUuid) {
  for (const Record& e : descendants) {
    if (!ignoreUuid.empty() && e.uuid == ignoreUuid) continue;
    const RecordData& d = e.data;
    if (!hiddenBelow(c.type, d)) continue;
    if (c.type == RecordType::kDname) {
      return conflict("name", "a DNAME at " + shown(c.name) + " would hide the " +
                                  std::string(toString(d.type)) + " record at " + d.name +
                                  " below it (RFC 6672 2.3); remove the records below first");
    }
    {
      return conflict("name", "NS records at " + c.name + " would delegate the " +
                                  std::string(toString(d.type)) + " record at " + d.name +
                                  " away (named would answer it only with a referral); remove "
                                  "the records below first");
    }
  }
  return std::nullopt;
}

}  // namespace

Status checkRecordInZone(const DnsName& zone, const ZoneNeighbourhood& around,
                         const RecordData& candidate, std::string_view ignoreUuid) {
  (void)zone;
  if (auto st = checkApexAndWildcard(candidate)) return st;
  if (auto st = checkSameName(around.sameName, candidate, ignoreUuid)) return st;
  std::vector<Record> ancestors;
  for (const Record& e : around.ancestors) {
    if (ignoreUuid.empty() || e.uuid != ignoreUuid) ancestors.push_back(e);
  }
  if (auto st = checkAncestors(ancestors, candidate)) return st;
  return checkDescendants(around.descendants, candidate, ignoreUuid);
}

Status checkRecordInZone(const DnsName& zone, std::span<const Record> sameName,
                         const RecordData& candidate, std::string_view ignoreUuid) {
  return checkRecordInZone(zone, ZoneNeighbourhood{sameName, {}, {}}, candidate, ignoreUuid);
}

Status checkRecordRemoval(std::span<const Record> sameName, const Record& removed) {
  if (removed.data.type != RecordType::kNs) return std::nullopt;
  size_t ns = 0;
  bool ds = false;
  for (const Record& e : sameName) {
    if (e.uuid == removed.uuid || e.data.name != removed.data.name) continue;
    if (e.data.type == RecordType::kNs) ++ns;
    if (e.data.type == RecordType::kDs) ds = true;
  }
  if (ns == 0 && ds) {
    return conflict("name", "this is the last NS record of the delegation " + removed.data.name +
                                ", which has DS records: delete the DS records first (named "
                                "drops a DS without NS, RFC 4035 2.4)");
  }
  return std::nullopt;
}

}  // namespace zp::dns
