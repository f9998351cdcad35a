#pragma once
// Domain names: parsing untrusted text into normalised names, and moving owner
// names between their relative ("www", "@") and absolute forms.

#include <string>
#include <string_view>

#include "common/util/result.h"

namespace zp::dns {

// A normalised absolute name: lower-case ASCII (punycode), no trailing dot;
// "" is the root. Cheap to copy; compared exactly (it is already normalised).
class DnsName {
 public:
  DnsName() = default;

  // Zone apex rules of API.md: at least two labels, letters/digits/hyphens (no
  // hyphen at a label's ends), labels 1-63 octets, whole name <= 253, optional
  // trailing dot. Unicode input is converted to punycode (IDNA 2008).
  // Errors are validation errors on field `field`.
  static Result<DnsName> parseZoneDomain(std::string_view text, std::string_view field = "domain");

  // A hostname used as a record value (CNAME, MX, NS, SRV target): absolute,
  // trailing dot optional, LDH labels plus '_' at a label's start. "." is the
  // root only when `allowRoot` (null MX).
  static Result<DnsName> parseHostname(std::string_view text, std::string_view field = "value",
                                       bool allowRoot = false);

  const std::string& text() const { return text_; }  // "example.com", "" for the root
  std::string toAbsolute() const;                    // "example.com.", "." for the root
  bool isRoot() const { return text_.empty(); }
  bool isAtOrBelow(const DnsName& zone) const;
  bool operator==(const DnsName&) const = default;
  auto operator<=>(const DnsName&) const = default;

 private:
  explicit DnsName(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

// Checks the syntax of a record owner as a client writes it: "@", a relative
// name ("www", "a.b", "*.x", "_sip._tcp") or an FQDN (trailing dot optional).
// '*' only as the whole leftmost label; '_' may start a label. Returns it
// lower-cased. Errors are validation errors on field "name".
Result<std::string> checkOwnerSyntax(std::string_view name);

// Places a syntax-checked owner in `zone` and returns it relative ("@", "www").
// A name with a trailing dot must be the zone or below it; a name without one
// is taken as the zone or below it when it ends with the zone's domain, else as
// relative to the zone. The absolute result must fit in 253 octets.
Result<std::string> relativizeOwner(std::string_view owner, const DnsName& zone);

// "www" + example.com -> "www.example.com."; "@" -> "example.com.".
std::string absoluteOwner(std::string_view relative, const DnsName& zone);

}  // namespace zp::dns
