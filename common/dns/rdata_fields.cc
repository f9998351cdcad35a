#include "common/dns/rdata_fields.h"

#include <charconv>

namespace zp::dns::rdata {

Error valueError(std::string detail) { return Error::validation("value", std::move(detail)); }

std::optional<uint32_t> parseDecimal(std::string_view s, uint32_t max) {
  if (s.empty() || s.size() > 5) return std::nullopt;
  uint32_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

std::optional<std::vector<Field>> splitFields(std::string_view value) {
  std::vector<Field> out;
  size_t i = 0;
  while (i < value.size()) {
    if (value[i] == ' ') {
      ++i;
      continue;
    }
    Field f;
    if (value[i] == '"') {
      f.quoted = true;
      ++i;
      bool closed = false;
      while (i < value.size()) {
        const char c = value[i];
        if (c == '"') {
          closed = true;
          ++i;
          break;
        }
        if (c != '\\') {
          f.text.push_back(c);
          ++i;
          continue;
        }
        if (i + 1 >= value.size()) return std::nullopt;
        const char next = value[i + 1];
        if (next >= '0' && next <= '9') {
          if (i + 3 >= value.size()) return std::nullopt;
          const std::string_view digits = value.substr(i + 1, 3);
          int v = 0;
          for (const char d : digits) {
            if (d < '0' || d > '9') return std::nullopt;
            v = v * 10 + (d - '0');
          }
          if (v > 255) return std::nullopt;
          f.text.push_back(static_cast<char>(v));
          i += 4;
        } else {
          f.text.push_back(next);
          i += 2;
        }
      }
      if (!closed) return std::nullopt;
      if (i < value.size() && value[i] != ' ') return std::nullopt;  // "a"b
    } else {
      while (i < value.size() && value[i] != ' ') {
        if (value[i] == '"' || value[i] == '\\') return std::nullopt;
        f.text.push_back(value[i]);
        ++i;
      }
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::optional<std::string> lowerHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size());
  for (const char c : hex) {
    if (c >= '0' && c <= '9') {
      out.push_back(c);
    } else if (c >= 'a' && c <= 'f') {
      out.push_back(c);
    } else if (c >= 'A' && c <= 'F') {
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else {
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace zp::dns::rdata
