#include "pipelines/api/pagination.h"

#include <gtest/gtest.h>

#include <limits>

namespace zp::api {
namespace {

using Opt = std::optional<std::string>;

TEST(ParsePage, GoodValues) {
  struct Case {
    Opt page, size;
    uint64_t number;
    uint32_t pageSize, offset;
  };
  const Case cases[] = {
      {std::nullopt, std::nullopt, 1, 100, 0},
      {"1", "100", 1, 100, 0},
      {"3", "25", 3, 25, 50},
      {"2", std::nullopt, 2, 100, 100},
      {std::nullopt, "1000", 1, 1000, 0},
      {"%32", "1%30", 2, 10, 10},  // percent-encoded digits
      {"1000000000000", "1000", 1000000000000, 1000, std::numeric_limits<uint32_t>::max()},
  };
  for (const auto& c : cases) {
    auto r = parsePage(c.page, c.size);
    ASSERT_TRUE(r.ok()) << c.page.value_or("-") << " " << c.size.value_or("-");
    EXPECT_EQ(r->number, c.number);
    EXPECT_EQ(r->size, c.pageSize);
    EXPECT_EQ(r->offset(), c.offset);
  }
}

TEST(ParsePage, BadValuesNameTheField) {
  struct Case {
    Opt page, size;
    const char* field;
  };
  const Case cases[] = {
      {"0", std::nullopt, "page"},
      {"-1", std::nullopt, "page"},
      {"", std::nullopt, "page"},
      {"abc", std::nullopt, "page"},
      {"1.5", std::nullopt, "page"},
      {"+1", std::nullopt, "page"},
      {" 1", std::nullopt, "page"},
      {"99999999999999999999", std::nullopt, "page"},
      {"1000000000001", std::nullopt, "page"},
      {"%zz", std::nullopt, "page"},
      {std::nullopt, "0", "page_size"},
      {std::nullopt, "1001", "page_size"},
      {std::nullopt, "", "page_size"},
      {std::nullopt, "ten", "page_size"},
      {std::nullopt, "-5", "page_size"},
  };
  for (const auto& c : cases) {
    auto r = parsePage(c.page, c.size);
    ASSERT_FALSE(r.ok()) << c.page.value_or("-") << " " << c.size.value_or("-");
    EXPECT_EQ(r.error().kind, ErrorKind::kValidation);
    EXPECT_EQ(r.error().field, c.field);
  }
}

TEST(LinkHeader, NextAndPrevOnlyWhenTheyExist) {
  const std::string path = "/api/v1/dns-zones/";
  struct Case {
    uint64_t page;
    uint32_t size;
    uint64_t total;
    std::string expected;
  };
  const Case cases[] = {
      {1, 100, 0, ""},
      {1, 100, 100, ""},
      {1, 100, 101, "</api/v1/dns-zones/?page=2&page_size=100>; rel=\"next\""},
      {2, 100, 101, "</api/v1/dns-zones/?page=1&page_size=100>; rel=\"prev\""},
      {2, 10, 35,
       "</api/v1/dns-zones/?page=3&page_size=10>; rel=\"next\", "
       "</api/v1/dns-zones/?page=1&page_size=10>; rel=\"prev\""},
      {4, 10, 35, "</api/v1/dns-zones/?page=3&page_size=10>; rel=\"prev\""},
      // Past the end: prev points at the last page that has items.
      {9, 10, 35, "</api/v1/dns-zones/?page=4&page_size=10>; rel=\"prev\""},
  };
  for (const auto& c : cases) {
    Page p;
    p.number = c.page;
    p.size = c.size;
    EXPECT_EQ(linkHeader(path, {}, p, c.total), c.expected)
        << "page " << c.page << " size " << c.size << " total " << c.total;
  }
}

TEST(LinkHeader, KeepsFiltersEncoded) {
  Page p;
  p.number = 1;
  p.size = 1;
  const QueryParam filters[] = {{"zone", ""}, {"record_type", "A"}, {"domain", "a b&c"}};
  EXPECT_EQ(linkHeader("/api/v1/dns-records/", filters, p, 2),
            "</api/v1/dns-records/?record_type=A&domain=a%20b%26c&page=2&page_size=1>; "
            "rel=\"next\"");
}

}  // namespace
}  // namespace zp::api
