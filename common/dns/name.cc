#include "common/dns/name.h"

#include <idn2.h>

#include <string>
#include <vector>

#include "common/dns/text.h"

namespace zp::dns {

namespace {

constexpr size_t kMaxLabel = 63;
constexpr size_t kMaxName = 253;  // without the trailing dot
// Raw input longer than this cannot become a name of 253 octets, even as
// Unicode (at most 4 octets per character); rejected before IDNA runs.
constexpr size_t kMaxInput = 4 * (kMaxName + 1);

// What a name may contain beyond letters, digits and inner hyphens.
struct NameRules {
  bool allowUnderscore = false;  // '_' as a label's first character (SRV, DKIM, DMARC)
  bool allowWildcard = false;    // "*" as the whole leftmost label
  size_t minLabels = 1;
};

std::string join(std::string_view a, std::string_view b) {
  std::string out(a);
  out += b;
  return out;
}

bool isLetterOrDigit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool isAllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::vector<std::string_view> splitLabels(std::string_view name) {
  std::vector<std::string_view> labels;
  size_t start = 0;
  while (true) {
    const size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) {
      labels.push_back(name.substr(start));
      return labels;
    }
    labels.push_back(name.substr(start, dot - start));
    start = dot + 1;
  }
}

// Letters, digits and hyphens, with no hyphen at either end.
bool isLdh(std::string_view s) {
  if (s.empty() || s.front() == '-' || s.back() == '-') return false;
  for (const char c : s) {
    if (!isLetterOrDigit(c) && c != '-') return false;
  }
  return true;
}

// One label (or a dot-free run of Unicode) to ASCII with IDNA 2008
// (UTS #46 non-transitional, then transitional as a fallback).
Result<std::string> labelToAscii(std::string_view label, std::string_view field) {
  const std::string input(label);
  for (const int flags :
       {IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL, IDN2_NFC_INPUT | IDN2_TRANSITIONAL}) {
    char* output = nullptr;
    const int rc = idn2_to_ascii_8z(input.c_str(), &output, flags);
    if (rc == IDN2_OK && output != nullptr) {
      std::string ascii(output);
      idn2_free(output);
      return ascii;
    }
    idn2_free(output);
  }
  return Error::validation(std::string(field),
                           join(field,
                                " contains a label that is not a valid internationalised "
                                "domain name (IDNA 2008)"));
}

// An ASCII label starting with "xn--" must decode to Unicode that encodes
// back to the same label (lower-case input).
bool isValidALabel(std::string_view label) {
  const std::string input(label);
  char* unicode = nullptr;
  const int rc = idn2_to_unicode_8z8z(input.c_str(), &unicode, 0);
  if (rc != IDN2_OK || unicode == nullptr) {
    idn2_free(unicode);
    return false;
  }
  const std::string decoded(unicode);
  idn2_free(unicode);
  if (!hasNonAscii(decoded)) return false;
  auto again = labelToAscii(decoded, "label");
  return again.ok() && again.value() == input;
}

// Converts every label holding non-ASCII characters to punycode. The result
// may contain new dots (IDNA maps U+3002 and friends to '.').
Result<std::string> toAscii(std::string_view name, std::string_view field) {
  if (!hasNonAscii(name)) return std::string(name);
  if (!isValidUtf8(name)) {
    return Error::validation(std::string(field), join(field, " is not valid UTF-8 text"));
  }
  std::string out;
  bool first = true;
  for (const std::string_view label : splitLabels(name)) {
    if (!first) out.push_back('.');
    first = false;
    if (!hasNonAscii(label)) {
      out += label;
      continue;
    }
    auto ascii = labelToAscii(label, field);
    if (!ascii) return ascii.error();
    out += ascii.value();
  }
  if (hasNonAscii(out)) {
    return Error::validation(std::string(field),
                             join(field, " could not be converted to an ASCII domain name"));
  }
  return out;
}

// The character checks every name gets before anything else.
Status checkCharacters(std::string_view text, std::string_view field) {
  if (text.empty()) {
    return Error::validation(std::string(field), join(field, " must not be empty"));
  }
  if (text.size() > kMaxInput) {
    return Error::validation(std::string(field), join(field, " is longer than 253 characters"));
  }
  if (hasControlChar(text)) {
    return Error::validation(std::string(field),
                             join(field, " must not contain control characters"));
  }
  for (const char c : text) {
    if (c == ' ') {
      return Error::validation(std::string(field), join(field, " must not contain spaces"));
    }
  }
  return std::nullopt;
}

// Turns `text` (trailing dot already removed, at least one character) into a
// normalised lower-case ASCII name under `rules`.
Result<std::string> normaliseName(std::string_view text, std::string_view field,
                                  const NameRules& rules) {
  auto ascii = toAscii(text, field);
  if (!ascii) return ascii.error();
  std::string name = std::move(ascii).value();
  // IDNA may have produced a trailing dot from a mapped full stop.
  if (hasNonAscii(text) && !name.empty() && name.back() == '.') name.pop_back();
  if (name.empty() || name.front() == '.') {
    return Error::validation(std::string(field), join(field, " must not start with a dot"));
  }
  for (char& c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  const std::vector<std::string_view> labels = splitLabels(name);
  for (size_t i = 0; i < labels.size(); ++i) {
    const std::string_view label = labels[i];
    if (label.empty()) {
      return Error::validation(std::string(field),
                               join(field, " must not contain an empty label (two dots in a row)"));
    }
    if (label.size() > kMaxLabel) {
      return Error::validation(std::string(field),
                               join(field, " has a label longer than 63 characters"));
    }
    if (label == "*") {
      if (!rules.allowWildcard) {
        return Error::validation(std::string(field),
                                 join(field,
                                      " must not contain '*' (wildcards are only "
                                      "allowed in record names)"));
      }
      if (i != 0) {
        return Error::validation(std::string(field),
                                 join(field,
                                      " may use '*' only as the whole leftmost label, "
                                      "like *.www"));
      }
      continue;
    }
    std::string_view rest = label;
    if (label.front() == '_') {
      if (!rules.allowUnderscore) {
        return Error::validation(std::string(field), join(field, " must not contain '_'"));
      }
      rest = label.substr(1);
    }
    if (isLdh(rest)) {
      if (label.starts_with("xn--") && !isValidALabel(label)) {
        return Error::validation(std::string(field),
                                 join(field,
                                      " has an xn-- label that is not valid punycode "
                                      "(IDNA 2008)"));
      }
      continue;
    }
    if (label.find('*') != std::string_view::npos) {
      return Error::validation(
          std::string(field),
          join(field, rules.allowWildcard ? " may use '*' only as the whole leftmost "
                                            "label, like *.www"
                                          : " must not contain '*'"));
    }
    if (label.find('_') != std::string_view::npos) {
      return Error::validation(
          std::string(field),
          join(field, rules.allowUnderscore
                          ? " may use '_' only as the first character of a label, like _dmarc"
                          : " must not contain '_'"));
    }
    if (rest.empty() || rest.front() == '-' || rest.back() == '-') {
      return Error::validation(std::string(field),
                               join(field,
                                    " must not have a label that starts or ends with "
                                    "a hyphen"));
    }
    return Error::validation(std::string(field),
                             join(field, " may contain only letters, digits, hyphens and dots"));
  }
  if (name.size() > kMaxName) {
    return Error::validation(std::string(field), join(field, " is longer than 253 characters"));
  }
  if (labels.size() < rules.minLabels) {
    return Error::validation(std::string(field),
                             join(field, " must have at least two labels, like example.com"));
  }
  return name;
}

}  // namespace

Result<DnsName> DnsName::parseZoneDomain(std::string_view text, std::string_view field) {
  if (auto bad = checkCharacters(text, field)) return *bad;
  if (text.back() == '.') text.remove_suffix(1);
  if (text.empty()) {
    return Error::validation(std::string(field), join(field, " must not be the root '.'"));
  }
  auto name = normaliseName(text, field, NameRules{false, false, 2});
  if (!name) return name.error();
  const std::string& n = name.value();
  if (isAllDigits(n.substr(n.rfind('.') + 1))) {
    return Error::validation(std::string(field),
                             join(field,
                                  " must end in a top-level domain, not a number "
                                  "(an IP address is not a domain)"));
  }
  return DnsName(std::move(name).value());
}

Result<DnsName> DnsName::parseHostname(std::string_view text, std::string_view field,
                                       bool allowRoot) {
  if (auto bad = checkCharacters(text, field)) return *bad;
  if (text == ".") {
    if (allowRoot) return DnsName();
    return Error::validation(std::string(field),
                             join(field, " must be a hostname, not the root '.'"));
  }
  if (text.back() == '.') text.remove_suffix(1);
  auto name = normaliseName(text, field, NameRules{true, false, 1});
  if (!name) return name.error();
  const std::string& n = name.value();
  const size_t lastDot = n.rfind('.');
  if (isAllDigits(lastDot == std::string::npos ? n : n.substr(lastDot + 1))) {
    return Error::validation(std::string(field),
                             join(field, " must be a hostname, not an IP address or a number"));
  }
  return DnsName(std::move(name).value());
}

std::string DnsName::toAbsolute() const { return text_.empty() ? "." : text_ + "."; }

bool DnsName::isAtOrBelow(const DnsName& zone) const {
  if (zone.isRoot() || text_ == zone.text_) return true;
  return text_.size() > zone.text_.size() && text_.ends_with(zone.text_) &&
         text_[text_.size() - zone.text_.size() - 1] == '.';
}

Result<std::string> checkOwnerSyntax(std::string_view name) {
  constexpr std::string_view kField = "name";
  if (auto bad = checkCharacters(name, kField)) return *bad;
  if (name == "@") return std::string("@");
  const bool absolute = name.back() == '.';
  if (absolute) name.remove_suffix(1);
  if (name.empty()) {
    return Error::validation(std::string(kField),
                             "name must not be the root '.'; use @ for the zone apex");
  }
  auto normalised = normaliseName(name, kField, NameRules{true, true, 1});
  if (!normalised) return normalised.error();
  std::string out = std::move(normalised).value();
  if (absolute) out.push_back('.');
  return out;
}

Result<std::string> relativizeOwner(std::string_view owner, const DnsName& zone) {
  auto checked = checkOwnerSyntax(owner);
  if (!checked) return checked.error();
  std::string name = checked.value();
  if (name == "@") return name;
  const bool absolute = name.back() == '.';
  if (absolute) name.pop_back();
  const std::string& domain = zone.text();
  std::string relative;
  if (name == domain) {
    return std::string("@");
  } else if (name.size() > domain.size() + 1 && name.ends_with(domain) &&
             name[name.size() - domain.size() - 1] == '.') {
    relative = name.substr(0, name.size() - domain.size() - 1);
  } else if (absolute) {
    return Error::validation("name", "name " + name + ". is outside the zone " + domain);
  } else {
    relative = name;
  }
  if (relative.size() + 1 + domain.size() > kMaxName) {
    return Error::validation("name", "name is too long: together with the zone " + domain +
                                         " it exceeds 253 characters");
  }
  return relative;
}

std::string absoluteOwner(std::string_view relative, const DnsName& zone) {
  if (relative == "@" || relative.empty()) return zone.toAbsolute();
  std::string out(relative);
  if (!zone.isRoot()) {
    out.push_back('.');
    out += zone.text();
  }
  out.push_back('.');
  return out;
}

}  // namespace zp::dns
