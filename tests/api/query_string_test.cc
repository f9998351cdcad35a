#include "pipelines/api/query_string.h"

#include <gtest/gtest.h>

namespace zp::api {
namespace {

TEST(PercentDecode, GoodAndBad) {
  struct Case {
    const char* in;
    bool ok;
    std::string out;
  };
  const Case cases[] = {
      {"", true, ""},
      {"example.com", true, "example.com"},
      {"ex%20am+ple", true, "ex am ple"},
      {"%41%62%2f", true, "Ab/"},
      {"%e2%82%ac", true, "\xe2\x82\xac"},
      {"%00", true, std::string("\0", 1)},
      {"%", false, ""},
      {"%4", false, ""},
      {"%zz", false, ""},
      {"a%g1", false, ""},
  };
  for (const auto& c : cases) {
    auto r = percentDecode(c.in, "domain");
    ASSERT_EQ(r.ok(), c.ok) << c.in;
    if (c.ok) {
      EXPECT_EQ(*r, c.out) << c.in;
    } else {
      EXPECT_EQ(r.error().kind, ErrorKind::kValidation);
      EXPECT_EQ(r.error().field, "domain");
    }
  }
}

TEST(PercentEncode, RoundTrips) {
  for (const std::string s : {"", "abc", "a b&c=d", "\xe2\x82\xac/?#", "-._~"}) {
    auto back = percentDecode(percentEncode(s), "x");
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(percentEncode("a b+c"), "a%20b%2Bc");
}

TEST(DomainFilter, NormalisesLikeStoredDomains) {
  struct Case {
    const char* in;
    std::string out;
  };
  const Case cases[] = {
      {"example.com", "example.com"},
      {"Example.COM.", "example.com"},
      {"EXAMPLE.com%2E", "example.com"},
      {"not a domain", "not a domain"},  // matches nothing, but is no error
  };
  for (const auto& c : cases) {
    auto r = domainFilter(c.in);
    ASSERT_TRUE(r.ok()) << c.in;
    EXPECT_EQ(*r, c.out) << c.in;
  }
  EXPECT_FALSE(domainFilter("bad%").ok());
}

TEST(QueryString, SerialParamIsAPositiveDecimalOrAbsent) {
  struct Case {
    std::optional<std::string> in;
    bool ok;
    std::optional<uint64_t> out;
  };
  const Case cases[] = {
      {std::nullopt, true, std::nullopt},
      {"1", true, 1},
      {"0042", true, 42},
      {"%31%32", true, 12},
      {"18446744073709551615", true, UINT64_MAX},
      {"", false, std::nullopt},
      {"0", false, std::nullopt},
      {"-1", false, std::nullopt},
      {"+1", false, std::nullopt},
      {"1 ", false, std::nullopt},
      {"1.0", false, std::nullopt},
      {"0x10", false, std::nullopt},
      {"18446744073709551616", false, std::nullopt},
      {"123456789012345678901", false, std::nullopt},
      {"%zz", false, std::nullopt},
  };
  for (const auto& c : cases) {
    const std::string what = c.in.value_or("<absent>");
    auto r = serialParam(c.in);
    ASSERT_EQ(r.ok(), c.ok) << what;
    if (c.ok) {
      EXPECT_EQ(*r, c.out) << what;
    } else {
      EXPECT_EQ(r.error().kind, ErrorKind::kValidation) << what;
      EXPECT_EQ(r.error().field, "serial") << what;
    }
  }
}

}  // namespace
}  // namespace zp::api
