// Parsing the record list filters (issue 11): good and bad query strings side
// by side.

#include "pipelines/api/record_filters.h"

#include <gtest/gtest.h>

namespace zp::api {
namespace {

ApiRequest withQuery(std::vector<std::pair<std::string, std::string>> params) {
  ApiRequest r;
  r.queryParams = std::move(params);
  return r;
}

TEST(RecordFilters, GoodAndBadSideBySide) {
  struct Case {
    std::vector<std::pair<std::string, std::string>> query;
    bool withZone;
    std::string errorField;  // "" = accepted
  };
  const Case cases[] = {
      {{}, true, ""},
      {{{"name", "www"}}, false, ""},
      {{{"name", ""}}, false, "name"},
      {{{"name", "."}}, false, "name"},
      {{{"value", "192.0.2.1"}}, true, ""},
      {{{"value", ""}}, true, "value"},
      {{{"name_contains", "acme"}}, true, ""},
      {{{"name_contains", ""}}, true, "name_contains"},
      {{{"name_startswith", "_acme"}}, true, ""},
      {{{"name_startswith", ""}}, true, "name_startswith"},
      {{{"name", std::string(5000, 'a')}}, true, "name"},
      {{{"name", "%zz"}}, true, "name"},
      {{{"record_type", "txt"}}, true, ""},
      {{{"record_type", "TXTX"}}, true, "record_type"},
      {{{"zone", "0a0a0a0a-0000-4000-8000-00000000000a"}}, true, ""},
      {{{"zone", "example.com"}}, true, "zone"},
  };
  for (const auto& c : cases) {
    const std::string what =
        c.query.empty() ? "(none)" : c.query[0].first + "=" + c.query[0].second.substr(0, 20);
    auto parsed = parseRecordFilters(withQuery(c.query), c.withZone);
    if (c.errorField.empty()) {
      EXPECT_TRUE(parsed) << what << ": " << (parsed ? "" : parsed.error().detail);
    } else {
      ASSERT_FALSE(parsed) << what;
      EXPECT_EQ(parsed.error().kind, ErrorKind::kValidation) << what;
      EXPECT_EQ(parsed.error().field, c.errorField) << what;
    }
  }
}

TEST(RecordFilters, NamesAreLowerCasedAndATrailingDotMeansFqdnOnly) {
  auto f = parseRecordFilters(withQuery({{"name", "WWW.Example.COM."},
                                         {"name_contains", "AcMe"},
                                         {"record_type", "txt"},
                                         {"value", "%22Token%22"}}),
                              true);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->name, "www.example.com");
  EXPECT_TRUE(f->nameIsAbsolute);
  EXPECT_EQ(f->nameParam, "www.example.com.");
  EXPECT_EQ(f->nameContains, "acme");
  EXPECT_EQ(f->type, "TXT");
  EXPECT_EQ(f->value, "\"Token\"");  // values keep their case
  EXPECT_TRUE(f->hasRecordFilter());
  auto plain = parseRecordFilters(withQuery({{"name", "www"}}), false);
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->nameIsAbsolute);
  auto none = parseRecordFilters(withQuery({{"record_type", "A"}}), false);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->hasRecordFilter());
}

}  // namespace
}  // namespace zp::api
