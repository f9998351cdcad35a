#include "common/auth/scope.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "common/dns/record_type.h"
#include "common/util/ids.h"

namespace zp::auth {
namespace {

constexpr size_t kMaxItems = 100;  // per limit: a scope is a short list, not a database

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

void canonicalList(std::vector<std::string>& items) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
}

// A 16-byte address (IPv4 as ::ffff:a.b.c.d) and whether it was IPv4.
struct Address {
  std::array<uint8_t, 16> bytes{};
  bool v4 = false;
};

std::optional<Address> parseAddress(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  const std::string s(text);
  Address a;
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    a.v4 = true;
    a.bytes[10] = 0xff;
    a.bytes[11] = 0xff;
    std::memcpy(a.bytes.data() + 12, &v4, 4);
    return a;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(a.bytes.data(), &v6, 16);
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    a.v4 = std::memcmp(a.bytes.data(), kMapped, 12) == 0;  // ::ffff:a.b.c.d is IPv4
    return a;
  }
  return std::nullopt;
}

std::string addressText(const Address& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (a.v4) {
    inet_ntop(AF_INET, a.bytes.data() + 12, buf, sizeof(buf));
  } else {
    inet_ntop(AF_INET6, a.bytes.data(), buf, sizeof(buf));
  }
  return buf;
}

// Prefix length over the 16-byte form: IPv4 /n is /96+n.
bool samePrefix(const Address& a, const Address& b, unsigned bits) {
  for (unsigned i = 0; i < 16 && bits > 0; ++i) {
    const unsigned take = std::min(bits, 8U);
    const auto mask = static_cast<uint8_t>(0xff << (8 - take));
    if ((a.bytes[i] & mask) != (b.bytes[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

struct Cidr {
  Address base;
  unsigned bits = 0;  // over the 16-byte form
};

std::optional<Cidr> decodeCidr(std::string_view text) {
  const size_t slash = text.find('/');
  auto base = parseAddress(text.substr(0, slash));
  if (!base) return std::nullopt;
  const unsigned max = base->v4 ? 32 : 128;
  unsigned bits = max;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    bits = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      bits = bits * 10 + static_cast<unsigned>(c - '0');
    }
    if (bits > max) return std::nullopt;
  }
  Cidr cidr{*base, base->v4 ? bits + 96 : bits};
  // Clear the host bits, so the text is canonical.
  unsigned keep = cidr.bits;
  for (auto& byte : cidr.base.bytes) {
    const unsigned take = std::min(keep, 8U);
    byte = static_cast<uint8_t>(byte & (take == 0 ? 0 : (0xff << (8 - take))));
    keep -= take;
  }
  if (cidr.base.v4) {  // the ::ffff: marker lies inside a /96+n prefix: restore it
    cidr.base.bytes[10] = 0xff;
    cidr.base.bytes[11] = 0xff;
  }
  return cidr;
}

// A name label: letters, digits, '-', '_' (service labels), 1-63 octets.
bool validLabel(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  for (char c : label) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool validPattern(std::string_view p) {
  if (p == "@") return true;
  if (p.empty() || p.size() > 253) return false;
  size_t stars = 0;
  size_t start = 0;
  std::vector<std::string_view> labels;
  while (start <= p.size()) {
    size_t dot = p.find('.', start);
    if (dot == std::string_view::npos) dot = p.size();
    labels.push_back(p.substr(start, dot - start));
    start = dot + 1;
  }
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] == "*") {
      ++stars;
      if (i != 0 && i != labels.size() - 1) return false;
    } else if (!validLabel(labels[i])) {
      return false;
    }
  }
  return stars == 0 || (stars == 1 && labels.size() > 1);
}

Error permission(std::string detail) { return {ErrorKind::kPermission, "", std::move(detail)}; }

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

Result<std::string> parseCidr(std::string_view text) {
  auto cidr = decodeCidr(text);
  if (!cidr) {
    return Error::validation("allowed_ips", "`" + std::string(text.substr(0, 60)) +
                                                "` is not an address or CIDR such as "
                                                "192.0.2.0/24 or 2001:db8::/32");
  }
  const unsigned bits = cidr->base.v4 ? cidr->bits - 96 : cidr->bits;
  return addressText(cidr->base) + "/" + std::to_string(bits);
}

Result<Scope> validateScope(Scope raw, int64_t now) {
  auto tooMany = [](const char* field) {
    return Error::validation(
        field, std::string(field) + " holds more than " + std::to_string(kMaxItems) + " entries");
  };
  if (raw.zones.size() > kMaxItems) return tooMany("zones");
  if (raw.recordTypes.size() > kMaxItems) return tooMany("record_types");
  if (raw.names.size() > kMaxItems) return tooMany("names");
  if (raw.allowedIps.size() > kMaxItems) return tooMany("allowed_ips");
  Scope out;
  for (const auto& z : raw.zones) {
    if (!looksLikeUuid(z)) {
      return Error::validation("zones",
                               "zones must hold zone uuids; `" + z.substr(0, 60) + "` is not one");
    }
    out.zones.push_back(lower(z));
  }
  for (const auto& t : raw.recordTypes) {
    std::string type = upper(t);
    if (!dns::recordTypeFromString(type)) {
      std::string known;
      for (const auto k : dns::kAllRecordTypes)
        known += (known.empty() ? "" : ", ") + std::string(dns::toString(k));
      return Error::validation(
          "record_types", "unknown record type `" + t.substr(0, 20) + "`; use one of " + known);
    }
    out.recordTypes.push_back(std::move(type));
  }
  for (const auto& n : raw.names) {
    std::string name = lower(n);
    if (!validPattern(name)) {
      return Error::validation(
          "names", "`" + n.substr(0, 60) +
                       "` is not an owner name pattern: use a name relative to the zone "
                       "(\"_acme-challenge\", \"@\" for the apex), optionally with one `*` "
                       "label first or last (\"_acme-challenge.*\")");
    }
    out.names.push_back(std::move(name));
  }
  if (raw.expiresAt < 0 || (raw.expiresAt != 0 && raw.expiresAt <= now)) {
    return Error::validation("expires_at", "expires_at must be in the future");
  }
  out.expiresAt = raw.expiresAt;
  for (const auto& ip : raw.allowedIps) {
    auto cidr = parseCidr(ip);
    if (!cidr) return cidr.error();
    out.allowedIps.push_back(std::move(cidr).value());
  }
  canonicalList(out.zones);
  canonicalList(out.recordTypes);
  canonicalList(out.names);
  canonicalList(out.allowedIps);
  return out;
}

bool nameMatches(std::string_view pattern, std::string_view name) {
  const std::string n = lower(name);
  if (pattern.size() >= 2 && pattern.substr(pattern.size() - 2) == ".*") {
    const std::string_view head = pattern.substr(0, pattern.size() - 1);  // "x."
    return n.size() > head.size() && n.compare(0, head.size(), head) == 0;
  }
  if (pattern.size() >= 2 && pattern.substr(0, 2) == "*.") {
    const std::string_view tail = pattern.substr(1);  // ".x"
    return n.size() > tail.size() && n.compare(n.size() - tail.size(), tail.size(), tail) == 0;
  }
  return n == pattern;
}

bool zoneInScope(const Scope& scope, std::string_view zoneUuid) {
  if (scope.zones.empty()) return true;
  const std::string z = lower(zoneUuid);
  return std::find(scope.zones.begin(), scope.zones.end(), z) != scope.zones.end();
}

Status recordInScope(const Scope& scope, std::string_view type, std::string_view name) {
  if (!scope.recordTypes.empty() && std::find(scope.recordTypes.begin(), scope.recordTypes.end(),
                                              type) == scope.recordTypes.end()) {
    return permission("this token may only change records of type " + joined(scope.recordTypes) +
                      ", not " + std::string(type));
  }
  if (!scope.names.empty() &&
      std::none_of(scope.names.begin(), scope.names.end(),
                   [&](const std::string& p) { return nameMatches(p, name); })) {
    return permission("this token may only change records named " + joined(scope.names) + ", not " +
                      std::string(name));
  }
  return std::nullopt;
}

Status zoneWritesInScope(const Scope& scope) {
  if (scope.limitsZones()) {
    return permission("this token is limited to some zones; it cannot create or delete zones");
  }
  if (scope.limitsRecords()) {
    return permission(
        "this token is limited to some record types or names; it cannot create or delete "
        "zones");
  }
  return std::nullopt;
}

bool addressAllowed(const Scope& scope, std::string_view address) {
  if (scope.allowedIps.empty()) return true;
  auto peer = parseAddress(address);
  if (!peer) return false;
  for (const auto& text : scope.allowedIps) {
    auto cidr = decodeCidr(text);
    if (cidr && cidr->base.v4 == peer->v4 && samePrefix(cidr->base, *peer, cidr->bits)) {
      return true;
    }
  }
  return false;
}

Status checkRequest(const Scope& scope, int64_t now, std::string_view address) {
  if (scope.expiresAt != 0 && now >= scope.expiresAt) {
    return Error{ErrorKind::kAuthentication, "",
                 "this API token expired at " + isoTime(scope.expiresAt) +
                     "; create a new one at /account/developers/"};
  }
  if (!addressAllowed(scope, address)) {
    return Error{ErrorKind::kAuthentication, "",
                 "this API token may not be used from " + std::string(address.substr(0, 45)) +
                     " (its allowed_ips are " + joined(scope.allowedIps) + ")"};
  }
  return std::nullopt;
}

}  // namespace zp::auth
