#include "common/dns/text.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace zp::dns {
namespace {

TEST(QuoteCharacterString, Table) {
  struct Case {
    std::string input;
    std::string want;
  };
  const Case cases[] = {
      {"", "\"\""},
      {"hello world", "\"hello world\""},
      {"say \"hi\"", "\"say \\\"hi\\\"\""},
      {"back\\slash", "\"back\\\\slash\""},
      {"semi;colon $INCLUDE (x)", "\"semi;colon $INCLUDE (x)\""},
      {"new\nline", "\"new\\010line\""},
      {"tab\t", "\"tab\\009\""},
      {std::string("nul\0", 4), "\"nul\\000\""},
      {"\x7f", "\"\\127\""},
      {"caf\xc3\xa9", "\"caf\\195\\169\""},
      {"\xff", "\"\\255\""},
      {"~ !", "\"~ !\""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(quoteCharacterString(c.input), c.want);
  }
}

TEST(QuoteCharacterString, RejectsMoreThan255Octets) {
  EXPECT_NO_THROW(quoteCharacterString(std::string(255, 'a')));
  EXPECT_THROW(quoteCharacterString(std::string(256, 'a')), std::logic_error);
}

TEST(TxtRdata, SplitsInto255OctetStrings) {
  EXPECT_EQ(txtRdata(""), "\"\"");
  EXPECT_EQ(txtRdata("abc"), "\"abc\"");
  const std::string exact(255, 'a');
  EXPECT_EQ(txtRdata(exact), "\"" + exact + "\"");
  EXPECT_EQ(txtRdata(exact + "b"), "\"" + exact + "\" \"b\"");
  const std::string big(4000, 'x');
  const std::string rdata = txtRdata(big);
  // 15 full strings of 255 and one of 175.
  std::string want;
  for (int i = 0; i < 15; ++i) want += "\"" + std::string(255, 'x') + "\" ";
  want += "\"" + std::string(175, 'x') + "\"";
  EXPECT_EQ(rdata, want);
}

TEST(TxtRdata, SplitsOnOctetsEvenInsideEscapes) {
  // 254 'a' then a quote: the quote is octet 255, so it stays in chunk one.
  const std::string text = std::string(254, 'a') + "\"b";
  EXPECT_EQ(txtRdata(text), "\"" + std::string(254, 'a') + "\\\"\" \"b\"");
}

TEST(TxtRdata, NothingEscapesTheQuotes) {
  // Whatever the input, the output has no raw control bytes, no raw
  // non-ASCII, and every unescaped '"' is a string delimiter.
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  all += all;  // 512 octets -> 3 strings
  const std::string out = txtRdata(all);
  int delimiters = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    const auto octet = static_cast<unsigned char>(out[i]);
    ASSERT_TRUE(octet >= 0x20 && octet < 0x7f) << "raw octet " << int{octet} << " at " << i;
    if (out[i] == '\\') {
      ++i;  // skip the escaped character (or the first digit of \DDD)
      continue;
    }
    if (out[i] == '"') ++delimiters;
  }
  EXPECT_EQ(delimiters, 6);
}

TEST(Utf8, Table) {
  struct Case {
    std::string input;
    bool valid;
  };
  const Case cases[] = {
      {"", true},
      {"plain", true},
      {"caf\xc3\xa9", true},
      {"\xe6\x97\xa5", true},
      {"\xf0\x9f\x98\x80", true},
      {"\xf4\x8f\xbf\xbf", true},
      {"\x80", false},
      {"\xc3", false},
      {"\xc3\x28", false},
      {"\xc0\xaf", false},
      {"\xe0\x80\xaf", false},
      {"\xed\xa0\x80", false},
      {"\xf4\x90\x80\x80", false},
      {"\xf8\x88\x80\x80\x80", false},
      {"\xff", false},
  };
  for (const Case& c : cases) EXPECT_EQ(isValidUtf8(c.input), c.valid) << c.input;
}

TEST(ControlChars, Table) {
  EXPECT_FALSE(hasControlChar("printable text ~"));
  EXPECT_FALSE(hasControlChar("caf\xc3\xa9"));
  EXPECT_TRUE(hasControlChar("a\tb"));
  EXPECT_TRUE(hasControlChar("a\rb"));
  EXPECT_TRUE(hasControlChar("a\nb"));
  EXPECT_TRUE(hasControlChar(std::string("a\0b", 3)));
  EXPECT_TRUE(hasControlChar("a\x7f"));
  EXPECT_TRUE(hasControlChar("\x1f"));
  // C1 controls in UTF-8 (API.md: control characters are rejected), next to
  // their printable neighbours U+007E and U+00A0.
  EXPECT_TRUE(
      hasControlChar("a\xc2\x85"
                     "b"));                      // U+0085 NEL
  EXPECT_TRUE(hasControlChar("\xc2\x80"));       // U+0080
  EXPECT_TRUE(hasControlChar("\xc2\x9f"));       // U+009F
  EXPECT_FALSE(hasControlChar("\xc2\xa0"));      // U+00A0 NO-BREAK SPACE
  EXPECT_FALSE(hasControlChar("\xc2\xbf"));      // U+00BF
  EXPECT_FALSE(hasControlChar("\xe2\x80\xa8"));  // U+2028, no Cc character
  EXPECT_FALSE(hasNonAscii("abc"));
  EXPECT_TRUE(hasNonAscii("caf\xc3\xa9"));
}

}  // namespace
}  // namespace zp::dns
