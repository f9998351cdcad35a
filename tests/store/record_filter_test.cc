// The record list filters' matching rule (issue 11), good and bad cases side
// by side.

#include "pipelines/store/record_filter.h"

#include <gtest/gtest.h>

namespace zp::store {
namespace {

struct Case {
  const char* what;
  RecordFilter filter;
  const char* relative;  // the stored relative name
  bool matches;
};

TEST(RecordFilterTest, NameRulesRelativeOrFqdn) {
  auto name = [](std::string n, bool absolute = false) {
    RecordFilter f;
    f.name = std::move(n);
    f.nameIsAbsolute = absolute;
    return f;
  };
  auto contains = [](std::string n) {
    RecordFilter f;
    f.nameContains = std::move(n);
    return f;
  };
  auto startswith = [](std::string n) {
    RecordFilter f;
    f.nameStartswith = std::move(n);
    return f;
  };
  const Case cases[] = {
      {"no filter", RecordFilter{}, "www", true},
      {"relative", name("www"), "www", true},
      {"relative, other name", name("www"), "www2", false},
      {"relative, deeper name", name("www"), "a.www", false},
      {"fqdn", name("www.example.com"), "www", true},
      {"fqdn of another zone", name("www.example.org"), "www", false},
      {"fqdn prefix only", name("www.example.co"), "www", false},
      {"apex by @", name("@"), "@", true},
      {"apex by domain", name("example.com"), "@", true},
      {"apex by domain, absolute", name("example.com", true), "@", true},
      {"absolute needs the fqdn", name("www", true), "www", false},
      {"absolute fqdn", name("www.example.com", true), "www", true},
      {"a relative name that looks like an fqdn", name("www.example.com"), "www.example.com", true},
      {"...but not when absolute", name("www.example.com", true), "www.example.com", false},
      {"acme challenge", name("_acme-challenge.example.com"), "_acme-challenge", true},
      {"contains", contains("acme"), "_acme-challenge", true},
      {"contains, absent", contains("dkim"), "_acme-challenge", false},
      {"startswith", startswith("_acme"), "_acme-challenge.www", true},
      {"startswith is not contains", startswith("acme"), "_acme-challenge", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.filter.matchesName(c.relative, "example.com"), c.matches) << c.what;
  }
}

TEST(RecordFilterTest, ValueIsExactAndCombinesWithName) {
  RecordFilter f;
  f.name = "_acme-challenge";
  f.value = "\"token-1\"";
  EXPECT_TRUE(f.needsValue());
  EXPECT_TRUE(f.matchesName("_acme-challenge", "example.com"));
  EXPECT_TRUE(f.matchesValue("\"token-1\""));
  EXPECT_FALSE(f.matchesValue("\"token-2\""));
  EXPECT_FALSE(f.matchesValue("\"token-1\" \"x\""));
  EXPECT_FALSE(f.matchesName("www", "example.com"));
  EXPECT_FALSE(f.empty());
  EXPECT_TRUE(RecordFilter{}.empty());
}

}  // namespace
}  // namespace zp::store
