#include "common/dns/rdata.h"

#include <arpa/inet.h>
#include <regex.h>

#include <algorithm>
#include <array>
#include <vector>

#include "common/dns/name.h"
#include "common/dns/rdata_fields.h"
#include "common/dns/text.h"

namespace zp::dns::rdata {
namespace {

constexpr size_t kMaxTxtOctets = 4000;

// "host" -> "host."; "." (null MX, SRV/SVCB "no target") stays ".".
std::string absoluteHost(std::string_view host) {
  if (host == ".") return ".";
  std::string out(host);
  out.push_back('.');
  return out;
}

// A hostname field of a multi-field value ("." allowed): canonical text.
Result<std::string> hostField(std::string_view text, std::string_view what) {
  auto name = DnsName::parseHostname(text, "value", true);
  if (!name) return valueError(std::string(what) + ": " + name.error().detail);
  return name->isRoot() ? std::string(".") : name->text();
}

// The fields of a value that is all unquoted tokens; nullopt when any is quoted.
std::optional<std::vector<std::string>> plainFields(std::string_view value) {
  auto fields = splitFields(value);
  if (!fields) return std::nullopt;
  std::vector<std::string> out;
  for (auto& f : *fields) {
    if (f.quoted) return std::nullopt;
    out.push_back(std::move(f.text));
  }
  return out;
}

// Numbers then hex data that may come in several space-separated pieces (as
// zone files and dnssec-dsfromkey write it): "n1 n2 ... hex hex".
struct NumbersAndHex {
  std::vector<uint32_t> numbers;
  std::string hex;  // lower case, joined
};
Result<NumbersAndHex> numbersAndHex(std::string_view value, size_t count,
                                    const std::vector<uint32_t>& max, std::string_view shape,
                                    const std::vector<std::string_view>& names) {
  auto fields = plainFields(value);
  if (!fields || fields->size() < count + 1) return valueError(std::string(shape));
  NumbersAndHex out;
  for (size_t i = 0; i < count; ++i) {
    const auto n = parseDecimal((*fields)[i], max[i]);
    if (!n) {
      return valueError(std::string(names[i]) + " must be a number from 0 to " +
                        std::to_string(max[i]));
    }
    out.numbers.push_back(*n);
  }
  std::string joined;
  for (size_t i = count; i < fields->size(); ++i) joined += (*fields)[i];
  auto hex = lowerHex(joined);
  if (!hex || hex->empty()) {
    return valueError("the data after the numbers must be an even number of hex digits");
  }
  out.hex = std::move(*hex);
  return out;
}

bool oneOf(uint32_t v, std::initializer_list<uint32_t> allowed) {
  for (const uint32_t a : allowed) {
    if (a == v) return true;
  }
  return false;
}

std::string joinNumbers(const std::vector<uint32_t>& numbers, const std::string& hex) {
  std::string out;
  for (const uint32_t n : numbers) out += std::to_string(n) + " ";
  return out + hex;
}

}  // namespace

Result<std::string> parseIpv4(std::string_view value) {
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

Result<std::string> parseIpv6(std::string_view value) {
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

Result<std::string> parseHostname(std::string_view value) {
  auto name = DnsName::parseHostname(value, "value", false);
  if (!name) return name.error();
  return name->text();
}

Result<std::string> parseHostOrRoot(std::string_view value) {
  auto name = DnsName::parseHostname(value, "value", true);
  if (!name) return name.error();
  return name->isRoot() ? std::string(".") : name->text();
}

Result<std::string> parseTxt(std::string_view value) {
  if (value.size() > kMaxTxtOctets) {
    return valueError("value must be at most 4000 octets for TXT records");
  }
  return std::string(value);  // UTF-8 and control characters are checked for every type
}

Result<std::string> parseSrv(std::string_view value) {
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

Result<std::string> parseCaa(std::string_view value) {
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

Result<std::string> parseTlsa(std::string_view value) {
  auto parsed = numbersAndHex(
      value, 3, {255, 255, 255},
      "TLSA value must be \"usage selector matching-type hex\", like \"3 1 1 2bb1...\"",
      {"TLSA usage", "TLSA selector", "TLSA matching type"});
  if (!parsed) return parsed.error();
  const auto& n = parsed->numbers;
  if (n[0] > 3) return valueError("TLSA usage must be 0, 1, 2 or 3 (RFC 6698)");
  if (n[1] > 1) return valueError("TLSA selector must be 0 (certificate) or 1 (public key)");
  if (n[2] > 2) {
    return valueError("TLSA matching type must be 0 (exact), 1 (SHA-256) or 2 (SHA-512)");
  }
  const size_t want = n[2] == 1 ? 64 : n[2] == 2 ? 128 : 0;
  if (want != 0 && parsed->hex.size() != want) {
    return valueError("TLSA data for matching type " + std::to_string(n[2]) + " must be " +
                      std::to_string(want) + " hex digits");
  }
  if (parsed->hex.size() > 8192) return valueError("TLSA data must be at most 4096 octets");
  return joinNumbers(n, parsed->hex);
}

Result<std::string> parseSshfp(std::string_view value) {
  auto parsed = numbersAndHex(
      value, 2, {255, 255},
      "SSHFP value must be \"algorithm fingerprint-type hex\", like \"4 2 9f86d0...\"",
      {"SSHFP algorithm", "SSHFP fingerprint type"});
  if (!parsed) return parsed.error();
  const auto& n = parsed->numbers;
  if (!oneOf(n[0], {1, 2, 3, 4, 6})) {
    return valueError(
        "SSHFP algorithm must be 1 (RSA), 2 (DSA), 3 (ECDSA), 4 (Ed25519) or 6 "
        "(Ed448)");
  }
  if (!oneOf(n[1], {1, 2})) {
    return valueError("SSHFP fingerprint type must be 1 (SHA-1) or 2 (SHA-256)");
  }
  const size_t want = n[1] == 1 ? 40 : 64;
  if (parsed->hex.size() != want) {
    return valueError("SSHFP fingerprint of type " + std::to_string(n[1]) + " must be " +
                      std::to_string(want) + " hex digits");
  }
  return joinNumbers(n, parsed->hex);
}

Result<std::string> parseDs(std::string_view value) {
  auto parsed =
      numbersAndHex(value, 3, {65535, 255, 255},
                    "DS value must be \"key-tag algorithm digest-type hex\", like \"12345 13 2 "
                    "3a5f...\"",
                    {"DS key tag", "DS algorithm", "DS digest type"});
  if (!parsed) return parsed.error();
  const auto& n = parsed->numbers;
  if (!oneOf(n[1], {5, 7, 8, 10, 13, 14, 15, 16})) {
    return valueError(
        "DS algorithm must be a DNSSEC signing algorithm in use (RFC 8624): 5, 7, 8, 10, 13, "
        "14, 15 or 16");
  }
  if (!oneOf(n[2], {1, 2, 4})) {
    return valueError("DS digest type must be 1 (SHA-1), 2 (SHA-256) or 4 (SHA-384)");
  }
  const size_t want = n[2] == 1 ? 40 : n[2] == 2 ? 64 : 96;
  if (parsed->hex.size() != want) {
    return valueError("DS digest of type " + std::to_string(n[2]) + " must be " +
                      std::to_string(want) + " hex digits");
  }
  return joinNumbers(n, parsed->hex);
}

// A NAPTR regexp (its text, unescaped) as RFC 3402 3.2 defines it and named
// enforces it when it loads or is sent one (BIND's naptr_35.c,
// txt_valid_regex): empty, or `<delim> ERE <delim> replacement <delim> [i]`,
// where the delimiter is not a digit, `\` or `i`; a `\` escapes the next
// character; the replacement may use back-references \1-\9 (not \0) up to
// the ERE's number of groups, and the ERE must compile as a POSIX extended
// regular expression. Found by the zone_render fuzz target: "!^.*$#sip:x!"
// was accepted here, then refused by named-checkzone and every UPDATE.
namespace {
constexpr size_t kMaxEreSize = 1000;  // see validNaptrRegexp

// About how many nodes regcomp makes of the ERE from `at` to the end or the
// `)` closing the group being read (`at` stops there): atoms count 1, a group
// the sum of its parts, `+` doubles its operand and `{m,n}` multiplies it by
// max(m, n). Past kMaxEreSize it returns kMaxEreSize + 1 at once, and so it
// does for two duplication symbols in a row ("a+*", "a{2}?").
size_t ereSize(std::string_view ere, size_t& at, int depth) {
  size_t total = 0;
  while (at < ere.size() && ere[at] != ')') {
    size_t atom = 1;
    const char c = ere[at++];
    if (c == '(') {
      if (depth > 32) return kMaxEreSize + 1;
      atom = std::max<size_t>(ereSize(ere, at, depth + 1), 1);
      if (at >= ere.size()) return kMaxEreSize + 1;  // unclosed: regcomp refuses it anyway
      ++at;                                          // the ')'
    } else if (c == '\\') {
      ++at;
    } else if (c == '[') {  // a bracket expression: up to its ']' (one first is a member)
      if (at < ere.size() && ere[at] == '^') ++at;
      if (at < ere.size() && ere[at] == ']') ++at;
      while (at < ere.size() && ere[at] != ']') {
        if (ere[at] == '[' && at + 1 < ere.size() &&
            (ere[at + 1] == ':' || ere[at + 1] == '.' || ere[at + 1] == '=')) {
          const auto close = ere.find(std::string{ere[at + 1], ']'}, at + 2);
          if (close == std::string_view::npos) return kMaxEreSize + 1;
          at = close + 2;
        } else {
          ++at;
        }
      }
      ++at;
    }
    for (int quantifiers = 0;
         at < ere.size() && (ere[at] == '+' || ere[at] == '*' || ere[at] == '?' || ere[at] == '{');
         ++quantifiers) {
      // Adjacent duplication symbols are undefined in POSIX EREs (XBD 9.4.6),
      // and glibc's regcomp takes seconds for "^.+*+++++" (8 s; fuzz finding).
      if (quantifiers > 0) return kMaxEreSize + 1;
      if (ere[at] == '{') {
        size_t bound = 0, number = 0;  // the larger of {m,n}
        for (++at; at < ere.size() && ere[at] != '}'; ++at) {
          if (ere[at] >= '0' && ere[at] <= '9') {
            number = std::min<size_t>(number * 10 + static_cast<size_t>(ere[at] - '0'), 100000);
            bound = std::max(bound, number);
          } else {
            number = 0;
          }
        }
        atom *= std::max<size_t>(bound, 1);
      } else if (ere[at] == '+') {
        atom *= 2;
      }
      ++at;
      if (atom > kMaxEreSize) return kMaxEreSize + 1;
    }
    total += atom;
    if (total > kMaxEreSize) return kMaxEreSize + 1;
  }
  return total;
}

bool validNaptrRegexp(std::string_view re) {
  if (re.empty()) return true;
  const char delim = re[0];
  if ((delim >= '0' && delim <= '9') || delim == '\\' || delim == 'i' || delim == '\0')
    return false;
  int part = 0;  // 0: the ERE, 1: the replacement, 2: the flags
  int backref = 0;
  std::string ere;
  for (size_t i = 1; i < re.size(); ++i) {
    const char c = re[i];
    if (c == '\0') return false;
    if (c == delim) {
      if (++part > 2) return false;
      continue;
    }
    if (part == 2) {
      if (c != 'i') return false;
      continue;
    }
    if (part == 0) ere += c;
    if (c == '\\') {
      if (++i >= re.size() || re[i] == '\0') return false;
      const char e = re[i];
      if (part == 1 && e == '0') return false;
      if (part == 1 && e >= '1' && e <= '9') backref = std::max(backref, e - '0');
      if (part == 0) ere += e;
    }
  }
  if (part != 2) return false;
  // Repetitions copy their operand in what regcomp builds: "(a{255}){255}"
  // and "#+++...+" (each + applies to the last) took glibc over 20 s (found by
  // the fuzz targets). named's ERE check builds nothing; so that regcomp
  // stays cheap, the ERE's expanded size must stay small.
  size_t at = 0;
  if (ereSize(ere, at, 0) > kMaxEreSize || at != ere.size()) return false;
  regex_t compiled;
  if (regcomp(&compiled, ere.c_str(), REG_EXTENDED | REG_NOSUB) != 0) return false;
  const size_t groups = compiled.re_nsub;
  regfree(&compiled);
  return static_cast<size_t>(backref) <= groups;
}
}  // namespace

Result<std::string> parseNaptr(std::string_view value) {
  const std::string_view kDetail =
      "NAPTR value must be 'order preference \"flags\" \"services\" \"regexp\" replacement', "
      "like '100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.com'";
  auto fields = splitFields(value);
  if (!fields || fields->size() != 6) return valueError(std::string(kDetail));
  const auto& f = *fields;
  if (f[0].quoted || f[1].quoted || !f[2].quoted || !f[3].quoted || !f[4].quoted || f[5].quoted) {
    return valueError(std::string(kDetail));
  }
  const auto order = parseDecimal(f[0].text, 65535);
  if (!order) return valueError("NAPTR order must be a number from 0 to 65535");
  const auto preference = parseDecimal(f[1].text, 65535);
  if (!preference) return valueError("NAPTR preference must be a number from 0 to 65535");
  std::string flags = f[2].text;
  if (flags.size() > 255) {  // found by the record_value fuzz target: an exception, i.e. a 503
    return valueError("NAPTR flags are at most 255 octets");
  }
  for (char& c : flags) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
      return valueError("NAPTR flags may hold only letters and digits, like \"S\" or \"U\"");
    }
  }
  for (const auto* s : {&f[3].text, &f[4].text}) {
    if (s->size() > 255) return valueError("NAPTR services and regexp are at most 255 octets");
    if (hasControlChar(*s) || !isValidUtf8(*s)) {
      return valueError("NAPTR services and regexp must be text without control characters");
    }
  }
  if (!validNaptrRegexp(f[4].text)) {
    return valueError(
        "NAPTR regexp must be empty or a substitution expression (RFC 3402 3.2): a delimiter "
        "(not a digit, \\ or i), a POSIX extended regular expression, the delimiter, the "
        "replacement (back-references \\1-\\9 to its groups), the delimiter and optionally "
        "the flag i, like \"!^.*$!sip:info@example.com!\" (repetitions such as {m,n} and + "
        "may not expand it past 1000 characters)");
  }
  auto replacement = hostField(f[5].text, "NAPTR replacement");
  if (!replacement) return replacement.error();
  if (!f[4].text.empty() && *replacement != ".") {
    return valueError(
        "NAPTR regexp and replacement exclude each other (RFC 3403): one must be \"\" or \".\"");
  }
  return std::to_string(*order) + " " + std::to_string(*preference) + " " +
         quoteCharacterString(flags) + " " + quoteCharacterString(f[3].text) + " " +
         quoteCharacterString(f[4].text) + " " + *replacement;
}

std::string writeVerbatim(const RecordData& r) { return r.value; }

std::string writeHostname(const RecordData& r) { return absoluteHost(r.value); }

std::string writeMx(const RecordData& r) {
  return std::to_string(r.priority.value_or(0)) + " " + absoluteHost(r.value);
}

std::string writeTxt(const RecordData& r) { return txtRdata(r.value); }

std::string writeSrv(const RecordData& r) {
  const size_t lastSpace = r.value.rfind(' ');
  return std::to_string(r.priority.value_or(0)) + " " + r.value.substr(0, lastSpace) + " " +
         absoluteHost(std::string_view(r.value).substr(lastSpace + 1));
}

std::string writeCaa(const RecordData& r) {
  const std::string_view value = r.value;
  const size_t firstSpace = value.find(' ');
  const size_t secondSpace = value.find(' ', firstSpace + 1);
  const std::string_view quoted = value.substr(secondSpace + 1);
  return std::string(value.substr(0, secondSpace)) + " " +
         quoteCharacterString(quoted.substr(1, quoted.size() - 2));
}

std::string writeLastFieldHost(const RecordData& r) {
  const size_t lastSpace = r.value.rfind(' ');
  return r.value.substr(0, lastSpace + 1) +
         absoluteHost(std::string_view(r.value).substr(lastSpace + 1));
}

std::string writeSvcb(const RecordData& r) {
  const size_t first = r.value.find(' ');
  const size_t second = r.value.find(' ', first + 1);
  const std::string_view target = std::string_view(r.value).substr(
      first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
  std::string out = r.value.substr(0, first + 1) + absoluteHost(target);
  if (second != std::string::npos) out += r.value.substr(second);
  return out;
}

}  // namespace zp::dns::rdata
