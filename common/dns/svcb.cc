// SVCB and HTTPS values (RFC 9460): "priority target key=value ...".
#include <algorithm>
#include <array>
#include <map>
#include <vector>

#include "common/dns/name.h"
#include "common/dns/rdata.h"
#include "common/dns/rdata_fields.h"

namespace zp::dns::rdata {
namespace {

// The SvcParamKeys we accept, by number (RFC 9460 14.3.2).
constexpr std::array<std::string_view, 7> kKeys = {"mandatory", "alpn", "no-default-alpn", "port",
                                                   "ipv4hint",  "ech",  "ipv6hint"};

std::optional<uint16_t> keyNumber(std::string_view name) {
  for (size_t i = 0; i < kKeys.size(); ++i) {
    if (kKeys[i] == name) return static_cast<uint16_t>(i);
  }
  return std::nullopt;
}

Error svcbError(std::string detail) { return valueError("SVCB/HTTPS " + std::move(detail)); }

std::vector<std::string_view> splitComma(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t comma = s.find(',', start);
    out.push_back(
        s.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

bool isBase64(std::string_view s) {
  if (s.empty() || s.size() % 4 != 0) return false;
  size_t pad = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (c == '=') {
      if (i < s.size() - 2) return false;
      ++pad;
    } else if (pad > 0 || !(alnum || c == '+' || c == '/')) {
      return false;
    }
  }
  return true;
}

Result<std::string> canonicalParam(uint16_t key, std::string_view value, bool hasValue) {
  const std::string name(kKeys[key]);
  if (key == 2) {  // no-default-alpn
    if (hasValue) return svcbError("key no-default-alpn takes no value");
    return name;
  }
  if (!hasValue || value.empty()) return svcbError("key " + name + " needs a value");
  std::string out;
  switch (key) {
    case 0: {  // mandatory
      std::vector<uint16_t> keys;
      for (const auto k : splitComma(value)) {
        const auto n = keyNumber(k);
        if (!n) return svcbError("mandatory lists an unknown key '" + std::string(k) + "'");
        if (*n == 0) return svcbError("mandatory must not list itself");
        if (std::find(keys.begin(), keys.end(), *n) != keys.end()) {
          return svcbError("mandatory lists a key twice");
        }
        keys.push_back(*n);
      }
      std::sort(keys.begin(), keys.end());
      for (const uint16_t k : keys) out += (out.empty() ? "" : ",") + std::string(kKeys[k]);
      return name + "=" + out;
    }
    case 1:  // alpn
      for (const auto id : splitComma(value)) {
        if (id.empty() || id.size() > 255) {
          return svcbError("alpn ids must be 1 to 255 characters, like h2 or h3");
        }
        for (const char c : id) {
          const auto o = static_cast<unsigned char>(c);
          if (o <= 0x20 || o > 0x7e) {
            return svcbError("alpn ids may hold only printable ASCII without spaces");
          }
        }
      }
      return name + "=\"" + std::string(value) + "\"";
    case 3: {  // port
      const auto port = parseDecimal(value, 65535);
      if (!port) return svcbError("port must be a number from 0 to 65535");
      return name + "=" + std::to_string(*port);
    }
    case 4:  // ipv4hint
    case 6:  // ipv6hint
      for (const auto addr : splitComma(value)) {
        auto canonical = key == 4 ? parseIpv4(addr) : parseIpv6(addr);
        if (!canonical) {
          return svcbError(name + " must be a comma-separated list of " +
                           (key == 4 ? "IPv4" : "IPv6") + " addresses");
        }
        out += (out.empty() ? "" : ",") + *canonical;
      }
      return name + "=" + out;
    case 5:  // ech
      if (!isBase64(value)) return svcbError("ech must be base64 (an ECHConfigList)");
      return name + "=" + std::string(value);
    default:
      break;
  }
  return svcbError("key " + name + " is not supported");
}

}  // namespace

Result<std::string> parseSvcb(std::string_view value) {
  const std::string_view kShape =
      "value must be \"priority target key=value ...\", like '1 . alpn=\"h2,h3\" port=443'";
  std::vector<std::string_view> fields;
  for (size_t i = 0; i < value.size();) {
    if (value[i] == ' ') {
      ++i;
      continue;
    }
    const size_t end = std::min(value.find(' ', i), value.size());
    fields.push_back(value.substr(i, end - i));
    i = end;
  }
  if (fields.size() < 2) return svcbError(std::string(kShape));
  const auto priority = parseDecimal(fields[0], 65535);
  if (!priority) return svcbError("priority must be a number from 0 to 65535");
  auto target = DnsName::parseHostname(fields[1], "value", true);
  if (!target) return svcbError("target: " + target.error().detail);
  if (*priority == 0 && fields.size() > 2) {
    return svcbError("priority 0 (alias mode) takes no keys (RFC 9460 2.4.2)");
  }
  std::map<uint16_t, std::string> params;
  for (size_t i = 2; i < fields.size(); ++i) {
    const std::string_view f = fields[i];
    const size_t eq = f.find('=');
    const std::string_view key = f.substr(0, eq);
    std::string_view v = eq == std::string_view::npos ? std::string_view() : f.substr(eq + 1);
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    if (v.find_first_of("\"\\") != std::string_view::npos) {
      return svcbError("values may not hold '\"' or '\\'");
    }
    const auto n = keyNumber(key);
    if (!n) {
      return svcbError("key '" + std::string(key) +
                       "' is not one of mandatory, alpn, no-default-alpn, port, ipv4hint, ech, "
                       "ipv6hint");
    }
    if (params.count(*n) != 0) return svcbError("key " + std::string(key) + " appears twice");
    auto p = canonicalParam(*n, v, eq != std::string_view::npos);
    if (!p) return p.error();
    params[*n] = std::move(p).value();
  }
  if (params.count(2) != 0 && params.count(1) == 0) {
    return svcbError("no-default-alpn needs an alpn key too (RFC 9460 7.1.1)");
  }
  if (const auto m = params.find(0); m != params.end()) {
    for (const auto k : splitComma(std::string_view(m->second).substr(10))) {
      if (params.count(*keyNumber(k)) == 0) {
        return svcbError("mandatory lists " + std::string(k) + ", which is missing");
      }
    }
  }
  std::string out =
      std::to_string(*priority) + " " + (target->isRoot() ? std::string(".") : target->text());
  for (const auto& [key, text] : params) out += " " + text;
  return out;
}

}  // namespace zp::dns::rdata
