#include "pipelines/api/query_string.h"

#include "common/dns/name.h"

namespace zp::api {
namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

}  // namespace

Result<std::string> percentDecode(std::string_view text, std::string_view field) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c != '%') {
      out += c;
    } else {
      const int hi = i + 2 < text.size() ? hexValue(text[i + 1]) : -1;
      const int lo = i + 2 < text.size() ? hexValue(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return Error::validation(std::string(field),
                                 std::string(field) +
                                     " is not correctly percent-encoded (a % must be followed by "
                                     "two hex digits)");
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    }
  }
  return out;
}

std::string percentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (unreserved(c)) {
      out += c;
    } else {
      const auto b = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 0xf];
    }
  }
  return out;
}

Result<std::string> domainFilter(std::string_view raw) {
  auto decoded = percentDecode(raw, "domain");
  if (!decoded) return decoded;
  std::string text = std::move(decoded).value();
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (!text.empty() && text.back() == '.') text.pop_back();
  if (auto name = dns::DnsName::parseZoneDomain(text)) return name->text();
  return text;
}

Result<std::optional<uint64_t>> serialParam(const std::optional<std::string>& raw) {
  if (!raw) return std::optional<uint64_t>();
  const Error bad = Error::validation("serial", "serial must be a zone serial: an integer from 1");
  auto decoded = percentDecode(*raw, "serial");
  if (!decoded) return bad;
  const std::string& text = *decoded;
  if (text.empty() || text.size() > 20) return bad;
  uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return bad;
    const auto digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return bad;
    value = value * 10 + digit;
  }
  if (value == 0) return bad;
  return std::optional<uint64_t>(value);
}

}  // namespace zp::api
