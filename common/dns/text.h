#pragma once
// Zone-file text for TXT and CAA values: quoting, escaping and 255-octet
// character-string splitting. Every octet outside printable ASCII, and '"'
// and '\\', is written escaped, so no input can end a string or a line.

#include <string>
#include <string_view>

namespace zp::dns {

// One <character-string>: `"..."` with '"' and '\\' backslash-escaped and
// bytes outside 0x20..0x7e as \DDD. Precondition: text.size() <= 255.
std::string quoteCharacterString(std::string_view text);

// TXT rdata: the text split into 255-octet pieces, each quoted, joined by ' '.
// "" becomes `""`.
std::string txtRdata(std::string_view text);

// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates, no
// code point above U+10FFFF). Plain ASCII is valid UTF-8.
bool isValidUtf8(std::string_view text);

// True when `text` holds a C0 control character (0x00-0x1f, including TAB,
// CR, LF and NUL), DEL (0x7f) or, in UTF-8, a C1 control character
// (U+0080-U+009F, such as NEL U+0085).
bool hasControlChar(std::string_view text);

// True when `text` holds an octet >= 0x80.
bool hasNonAscii(std::string_view text);

}  // namespace zp::dns
