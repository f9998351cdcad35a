#include "pipelines/api/request_body.h"

#include <gtest/gtest.h>

namespace zp::api {
namespace {

struct Bad {
  const char* body;
  ErrorKind kind;
  const char* field;
  const char* detail;  // substring
};

TEST(ZoneBody, Decodes) {
  auto ok = decodeZoneBody(R"({"domain":"Example.COM."})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, "Example.COM.");  // raw: the validator normalises
  auto echoed =
      decodeZoneBody(R"({"domain":"example.com","uuid":"x","created_at":"2024-01-01T00:00:00Z",)"
                     R"("record_count":3,"records":[],"serial":7})");
  ASSERT_TRUE(echoed.ok()) << echoed.error().detail;
  EXPECT_EQ(*echoed, "example.com");
}

TEST(ZoneBody, Rejects) {
  const Bad cases[] = {
      {"{}", ErrorKind::kValidation, "domain", "domain is required"},
      {R"({"domain":42})", ErrorKind::kValidation, "domain", "domain must be a string"},
      {R"({"domain":null})", ErrorKind::kValidation, "domain", "domain must be a string"},
      {R"({"domain":"a.b","dmain":"x"})", ErrorKind::kValidation, "dmain", "unknown field `dmain`"},
      {R"({"domain":"a.b","domain":"c.d"})", ErrorKind::kParse, "", "repeats"},
      {R"(["example.com"])", ErrorKind::kParse, "", "object"},
      {"not json", ErrorKind::kParse, "", "not valid JSON"},
  };
  for (const auto& c : cases) {
    auto r = decodeZoneBody(c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.error().kind, c.kind) << c.body;
    EXPECT_EQ(r.error().field, c.field) << c.body;
    EXPECT_NE(r.error().detail.find(c.detail), std::string::npos)
        << c.body << " -> " << r.error().detail;
  }
}

TEST(RecordBody, DecodesWithDefaultsAndNulls) {
  auto full = decodeRecordBody(
      R"({"record_type":"MX","name":"@","value":"mail.example.com","ttl":300,"priority":10})");
  ASSERT_TRUE(full.ok()) << full.error().detail;
  EXPECT_EQ(full->type, "MX");
  EXPECT_EQ(full->name, "@");
  EXPECT_EQ(full->value, "mail.example.com");
  EXPECT_EQ(full->ttl, 300);
  EXPECT_EQ(full->priority, 10);

  auto minimal = decodeRecordBody(R"({"record_type":"A","name":"www","value":"192.0.2.1"})");
  ASSERT_TRUE(minimal.ok());
  EXPECT_FALSE(minimal->ttl.has_value());
  EXPECT_FALSE(minimal->priority.has_value());

  auto nulls = decodeRecordBody(
      R"({"record_type":"A","name":"www","value":"192.0.2.1","ttl":null,"priority":null})");
  ASSERT_TRUE(nulls.ok());
  EXPECT_FALSE(nulls->ttl.has_value());
  EXPECT_FALSE(nulls->priority.has_value());

  // Out-of-range values are the validator's business, not a decoding error.
  auto negative = decodeRecordBody(R"({"record_type":"A","name":"www","value":"x","ttl":-5})");
  ASSERT_TRUE(negative.ok());
  EXPECT_EQ(negative->ttl, -5);

  // Everything the API returns for a record may be sent back.
  auto echoed = decodeRecordBody(
      R"({"uuid":"u","record_type":"A","name":"www","value":"192.0.2.1","ttl":3600,)"
      R"("priority":null,"created_at":"c","updated_at":"u","zone":"z"})");
  ASSERT_TRUE(echoed.ok()) << echoed.error().detail;
}

TEST(RecordBody, Rejects) {
  const Bad cases[] = {
      {R"({"name":"www","value":"1.2.3.4"})", ErrorKind::kValidation, "record_type",
       "record_type is required"},
      {R"({"record_type":"A","value":"1.2.3.4"})", ErrorKind::kValidation, "name",
       "name is required"},
      {R"({"record_type":"A","name":"www"})", ErrorKind::kValidation, "value", "value is required"},
      {R"({"record_type":1,"name":"www","value":"1.2.3.4"})", ErrorKind::kValidation, "record_type",
       "record_type must be a string"},
      {R"({"record_type":"A","name":["www"],"value":"1.2.3.4"})", ErrorKind::kValidation, "name",
       "name must be a string"},
      {R"({"record_type":"A","name":"www","value":1234})", ErrorKind::kValidation, "value",
       "value must be a string"},
      {R"({"record_type":"A","name":"www","value":"1.2.3.4","ttl":"3600"})", ErrorKind::kValidation,
       "ttl", "ttl must be an integer"},
      {R"({"record_type":"A","name":"www","value":"1.2.3.4","ttl":3600.5})", ErrorKind::kValidation,
       "ttl", "ttl must be an integer"},
      {R"({"record_type":"A","name":"www","value":"1.2.3.4","ttl":true})", ErrorKind::kValidation,
       "ttl", "ttl must be an integer"},
      {R"({"record_type":"A","name":"www","value":"1.2.3.4","ttl":9223372036854775808})",
       ErrorKind::kValidation, "ttl", "ttl is out of range"},
      {R"({"record_type":"A","name":"www","value":"1.2.3.4","ttl":-99999999999999999999})",
       ErrorKind::kValidation, "ttl", "ttl is out of range"},
      {R"({"record_type":"MX","name":"@","value":"m.x","priority":"10"})", ErrorKind::kValidation,
       "priority", "priority must be an integer"},
      {R"({"record_type":"A","name":"www","value":"1.2.3.4","tll":300})", ErrorKind::kValidation,
       "tll", "unknown field `tll`"},
      {R"({"record_type":"A","name":"www","value":"1.2.3.4","domain":"x"})", ErrorKind::kValidation,
       "domain", "unknown field `domain`"},
      {R"({"record_type":"A","record_type":"A","name":"www","value":"1.2.3.4"})", ErrorKind::kParse,
       "", "repeats"},
      {R"({"record_type":"TXT","name":"x\u0000","value":"v"})", ErrorKind::kValidation, "name",
       "must not contain NUL"},
      {"", ErrorKind::kParse, "", "empty"},
  };
  for (const auto& c : cases) {
    auto r = decodeRecordBody(c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.error().kind, c.kind) << c.body;
    EXPECT_EQ(r.error().field, c.field) << c.body;
    EXPECT_NE(r.error().detail.find(c.detail), std::string::npos)
        << c.body << " -> " << r.error().detail;
  }
}

TEST(RecordPatch, DecodesPresentAbsentAndNull) {
  using OptNum = std::optional<std::optional<int64_t>>;
  struct Good {
    const char* body;
    RecordPatch want;
  };
  const Good cases[] = {
      {"{}", {}},
      {R"({"ttl":1800})", {std::nullopt, std::nullopt, std::nullopt, OptNum(1800), std::nullopt}},
      {R"({"ttl":null})",
       {std::nullopt, std::nullopt, std::nullopt, OptNum(std::optional<int64_t>()), std::nullopt}},
      {R"({"priority":null})",
       {std::nullopt, std::nullopt, std::nullopt, std::nullopt, OptNum(std::optional<int64_t>())}},
      {R"({"priority":0})", {std::nullopt, std::nullopt, std::nullopt, std::nullopt, OptNum(0)}},
      {R"({"record_type":"AAAA","value":"2001:db8::1"})",
       {"AAAA", std::nullopt, "2001:db8::1", std::nullopt, std::nullopt}},
      {R"({"name":"mail","record_type":"MX","value":"m.example.net","ttl":300,"priority":5})",
       {"MX", "mail", "m.example.net", OptNum(300), OptNum(5)}},
      // A fetched record sent back whole: read-only fields are ignored.
      {R"({"uuid":"u","record_type":"A","name":"www","value":"192.0.2.1","ttl":3600,)"
       R"("priority":null,"created_at":"c","updated_at":"u","zone":"z"})",
       {"A", "www", "192.0.2.1", OptNum(3600), OptNum(std::optional<int64_t>())}},
      {R"({"created_at":"whatever"})", {}},
  };
  for (const auto& c : cases) {
    auto r = decodeRecordPatch(c.body);
    ASSERT_TRUE(r.ok()) << c.body << " -> " << r.error().detail;
    EXPECT_EQ(*r, c.want) << c.body;
  }
}

TEST(RecordPatch, Rejects) {
  const Bad cases[] = {
      {R"({"record_type":null})", ErrorKind::kValidation, "record_type",
       "record_type must be a string"},
      {R"({"name":null})", ErrorKind::kValidation, "name", "name must be a string"},
      {R"({"value":7})", ErrorKind::kValidation, "value", "value must be a string"},
      {R"({"value":"a\u0000b"})", ErrorKind::kValidation, "value", "must not contain NUL"},
      {R"({"ttl":"1800"})", ErrorKind::kValidation, "ttl", "ttl must be an integer"},
      {R"({"ttl":18e2})", ErrorKind::kValidation, "ttl", "ttl must be an integer"},
      {R"({"priority":1.5})", ErrorKind::kValidation, "priority", "priority must be an integer"},
      {R"({"priority":18446744073709551615})", ErrorKind::kValidation, "priority",
       "priority is out of range"},
      {R"({"tll":1800})", ErrorKind::kValidation, "tll", "unknown field `tll`"},
      {R"({"ttl":1800,"ttl":60})", ErrorKind::kParse, "", "repeats"},
      {R"([{"ttl":1800}])", ErrorKind::kParse, "", "object"},
      {"{\"value\":\"\xff\"}", ErrorKind::kParse, "", "UTF-8"},
      {"", ErrorKind::kParse, "", "empty"},
  };
  for (const auto& c : cases) {
    auto r = decodeRecordPatch(c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.error().kind, c.kind) << c.body;
    EXPECT_EQ(r.error().field, c.field) << c.body;
    EXPECT_NE(r.error().detail.find(c.detail), std::string::npos)
        << c.body << " -> " << r.error().detail;
  }
}

}  // namespace
}  // namespace zp::api
