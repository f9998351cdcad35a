#include "common/dns/validate.h"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/dns/text.h"

namespace zp::dns {

namespace {

enum class PriorityRule { kAbsent, kRequired };

using ValueCheck = Result<std::string> (*)(std::string_view value);

// One row per record type: what the value must look like and whether a
// priority belongs to it. Adding a type means adding a row (and its tests).
struct RecordSpec {
  RecordType type;
  PriorityRule priority;
  bool textValue;  // free text: leading/trailing spaces are part of the value
  ValueCheck check;
};

Error valueError(std::string detail) { return Error::validation("value", std::move(detail)); }

// Parses 1-5 decimal digits (no sign, no spaces) into 0..max.
std::optional<uint32_t> parseDecimal(std::string_view s, uint32_t max) {
  if (s.empty() || s.size() > 5) return std::nullopt;
  uint32_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

Result<std::string> checkIpv4Strict(std::string_view value) {
  const std::string_view kDetail =
      "value must be an IPv4 address in dotted-quad form, like 192.0.2.1";
  int parts = 0;
  size_t start = 0;
  while (true) {
    const size_t dot = value.find('.', start);
    const std::string_view part =
        value.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part.front() == '0')) {
      return valueError(std::string(kDetail));
    }
    for (const char c : part) {
      if (c < '0' || c > '9') return valueError(std::string(kDetail));
    }
    if (!parseDecimal(part, 255)) return valueError(std::string(kDetail));
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (parts != 4) return valueError(std::string(kDetail));
  return std::string(value);
}

Result<std::string> checkIpv6(std::string_view value) {
  const std::string_view kDetail = "value must be an IPv6 address, like 2001:db8::1";
  if (value.size() >= INET6_ADDRSTRLEN) return valueError(std::string(kDetail));
  if (value.find('%') != std::string_view::npos) {
    return valueError("value must be an IPv6 address without a zone index (%...)");
  }
  const std::string input(value);
  std::array<unsigned char, 16> addr{};
  if (inet_pton(AF_INET6, input.c_str(), addr.data()) != 1) {
    return valueError(std::string(kDetail));
  }
  std::array<char, INET6_ADDRSTRLEN> out{};
  if (inet_ntop(AF_INET6, addr.data(), out.data(), out.size()) == nullptr) {
    return valueError(std::string(kDetail));
  }
  return std::string(out.data());
}

Result<std::string> checkHostname(std::string_view value) {
  auto name = DnsName::parseHostname(value, "value", false);
  if (!name) return name.error();
  return name->text();
}

Result<std::string> checkHostOrRoot(std::string_view value) {
  auto name = DnsName::parseHostname(value, "value", true);
  if (!name) return name.error();
  return name->isRoot() ? std::string(".") : name->text();
}

Result<std::string> checkTxt(std::string_view value) {
  if (value.size() > kMaxTxtOctets) {
    return valueError("value must be at most 4000 octets for TXT records");
  }
  return std::string(value);  // UTF-8 and control characters are checked for every type
}

Result<std::string> checkSrv(std::string_view value) {
  const std::string_view kDetail =
      "SRV value must be \"weight port target\", like \"5 5060 sip.example.com\"";
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    const size_t space = value.find(' ', start);
    fields.push_back(value.substr(
        start, space == std::string_view::npos ? std::string_view::npos : space - start));
    if (space == std::string_view::npos) break;
    start = space + 1;
  }
  if (fields.size() != 3) return valueError(std::string(kDetail));
  for (const std::string_view f : fields) {
    if (f.empty()) return valueError(std::string(kDetail));
  }
  const auto weight = parseDecimal(fields[0], 65535);
  if (!weight) return valueError("SRV weight must be a number from 0 to 65535");
  const auto port = parseDecimal(fields[1], 65535);
  if (!port) return valueError("SRV port must be a number from 0 to 65535");
  auto target = DnsName::parseHostname(fields[2], "value", true);
  if (!target) {
    return valueError("SRV target: " + target.error().detail);
  }
  return std::to_string(*weight) + " " + std::to_string(*port) + " " +
         (target->isRoot() ? std::string(".") : target->text());
}

Result<std::string> checkCaa(std::string_view value) {
  const std::string_view kDetail =
      "CAA value must be 'flags tag \"value\"', like '0 issue \"letsencrypt.org\"'";
  const size_t firstSpace = value.find(' ');
  if (firstSpace == std::string_view::npos) return valueError(std::string(kDetail));
  const size_t secondSpace = value.find(' ', firstSpace + 1);
  if (secondSpace == std::string_view::npos) return valueError(std::string(kDetail));
  const std::string_view flagsText = value.substr(0, firstSpace);
  const std::string_view tagText = value.substr(firstSpace + 1, secondSpace - firstSpace - 1);
  const std::string_view quoted = value.substr(secondSpace + 1);
  const auto flags = parseDecimal(flagsText, 255);
  if (!flags) return valueError("CAA flags must be a number from 0 to 255");
  std::string tag(tagText);
  for (char& c : tag) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (tag != "issue" && tag != "issuewild" && tag != "iodef") {
    return valueError("CAA tag must be issue, issuewild or iodef");
  }
  if (quoted.size() < 2 || quoted.front() != '"' || quoted.back() != '"') {
    return valueError("CAA value must be in double quotes, like \"letsencrypt.org\"");
  }
  const std::string_view inner = quoted.substr(1, quoted.size() - 2);
  if (inner.size() > 255) return valueError("CAA value must be at most 255 characters");
  for (const char c : inner) {
    const auto octet = static_cast<unsigned char>(c);
    if (octet < 0x20 || octet > 0x7e || c == '"' || c == '\\') {
      return valueError(
          "CAA value may contain only printable ASCII characters, without '\"' or '\\'");
    }
  }
  return std::to_string(*flags) + " " + tag + " \"" + std::string(inner) + "\"";
}

constexpr RecordSpec kRecordSpecs[] = {
    // type              priority                text   value check
    {RecordType::kA, PriorityRule::kAbsent, false, checkIpv4Strict},
    {RecordType::kAaaa, PriorityRule::kAbsent, false, checkIpv6},
    {RecordType::kCname, PriorityRule::kAbsent, false, checkHostname},
    {RecordType::kMx, PriorityRule::kRequired, false, checkHostOrRoot},
    {RecordType::kTxt, PriorityRule::kAbsent, true, checkTxt},
    {RecordType::kNs, PriorityRule::kAbsent, false, checkHostname},
    {RecordType::kSrv, PriorityRule::kRequired, false, checkSrv},
    {RecordType::kCaa, PriorityRule::kAbsent, false, checkCaa},
};

const RecordSpec& specFor(RecordType type) {
  for (const RecordSpec& spec : kRecordSpecs) {
    if (spec.type == type) return spec;
  }
  throw std::logic_error("validate: no RecordSpec for a RecordType");
}

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

bool isSpace(char c) { return c == ' '; }

}  // namespace

Result<RecordData> validateRecord(const RecordInput& input) {
  const auto type = recordTypeFromString(input.type);
  if (!type) {
    return Error::validation("record_type",
                             "record_type must be one of A, AAAA, CNAME, MX, TXT, NS, SRV, CAA");
  }
  const RecordSpec& spec = specFor(*type);

  auto owner = checkOwnerSyntax(input.name);
  if (!owner) return owner.error();

  const std::string_view value = input.value;
  if (value.empty()) return valueError("value must not be empty");
  if (!isValidUtf8(value)) return valueError("value must be valid UTF-8 text");
  if (hasControlChar(value)) {
    return valueError("value must not contain control characters (such as tab or newline)");
  }
  if (!spec.textValue && (isSpace(value.front()) || isSpace(value.back()))) {
    return valueError("value must not start or end with a space");
  }
  auto canonical = spec.check(value);
  if (!canonical) return canonical.error();

  if (*type == RecordType::kSrv) {
    if (auto bad = checkSrvOwner(owner.value())) return *bad;
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
    return Error::validation("priority", "priority is only allowed on MX and SRV records");
  }
  return out;
}

Status checkRecordInZone(const DnsName& zone, std::span<const Record> sameName,
                         const RecordData& candidate, std::string_view ignoreUuid) {
  (void)zone;
  if (candidate.name == "@" && candidate.type == RecordType::kCname) {
    return Error::validation("name", "a CNAME record cannot be at the zone apex (@)");
  }
  if (candidate.name == "@" && candidate.type == RecordType::kNs) {
    return Error::validation("name",
                             "the NS records at the zone apex come from the service's "
                             "configuration; NS records are only allowed below the apex");
  }
  const auto conflict = [](std::string field, std::string detail) {
    return Error{ErrorKind::kRecordConflict, std::move(field), std::move(detail)};
  };
  for (const Record& existing : sameName) {
    if (!ignoreUuid.empty() && existing.uuid == ignoreUuid) continue;
    if (existing.data.name != candidate.name) continue;
    if (existing.data.type == candidate.type && existing.data.value == candidate.value) {
      return conflict("value", "an identical record already exists");
    }
  }
  for (const Record& existing : sameName) {
    if (!ignoreUuid.empty() && existing.uuid == ignoreUuid) continue;
    if (existing.data.name != candidate.name) continue;
    if (candidate.type == RecordType::kCname) {
      return conflict("name", "a CNAME record cannot share its name with other records; " +
                                  candidate.name + " already has a " +
                                  std::string(toString(existing.data.type)) + " record");
    }
    if (existing.data.type == RecordType::kCname) {
      return conflict("name", candidate.name +
                                  " already has a CNAME record, which cannot share its name "
                                  "with other records");
    }
  }
  return std::nullopt;
}

}  // namespace zp::dns
