#include "common/dns/text.h"

#include <cstdint>
#include <stdexcept>

namespace zp::dns {

namespace {

constexpr size_t kMaxCharacterString = 255;

}  // namespace

std::string quoteCharacterString(std::string_view text) {
  if (text.size() > kMaxCharacterString) {
    throw std::logic_error("quoteCharacterString: more than 255 octets");
  }
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  for (const char c : text) {
    const auto octet = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (octet < 0x20 || octet >= 0x7f) {
      out.push_back('\\');
      out.push_back(static_cast<char>('0' + octet / 100));
      out.push_back(static_cast<char>('0' + (octet / 10) % 10));
      out.push_back(static_cast<char>('0' + octet % 10));
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

std::string txtRdata(std::string_view text) {
  if (text.empty()) return "\"\"";
  std::string out;
  for (size_t pos = 0; pos < text.size(); pos += kMaxCharacterString) {
    if (pos != 0) out.push_back(' ');
    out += quoteCharacterString(text.substr(pos, kMaxCharacterString));
  }
  return out;
}

bool isValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t length = 0;
    uint32_t cp = 0;
    uint32_t minimum = 0;
    if ((lead & 0xe0) == 0xc0) {
      length = 2;
      cp = lead & 0x1fu;
      minimum = 0x80;
    } else if ((lead & 0xf0) == 0xe0) {
      length = 3;
      cp = lead & 0x0fu;
      minimum = 0x800;
    } else if ((lead & 0xf8) == 0xf0) {
      length = 4;
      cp = lead & 0x07u;
      minimum = 0x10000;
    } else {
      return false;  // a continuation byte or 0xf8..0xff where a sequence must start
    }
    if (text.size() - i < length) return false;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (next & 0x3fu);
    }
    if (cp < minimum || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += length;
  }
  return true;
}

bool hasControlChar(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto octet = static_cast<unsigned char>(text[i]);
    if (octet < 0x20 || octet == 0x7f) return true;
    // C1 controls U+0080-U+009F (NEL, CSI, ...) are encoded as C2 80..C2 9F.
    if (octet == 0xc2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9f) return true;
    }
  }
  return false;
}

bool hasNonAscii(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

}  // namespace zp::dns
