#include "pipelines/api/json.h"

#include <gtest/gtest.h>

#include <string>

namespace zp::api {
namespace {

std::string nested(int depth) {
  std::string s = "{\"a\":";
  for (int i = 1; i < depth; ++i) s += "[";
  s += "1";
  for (int i = 1; i < depth; ++i) s += "]";
  return s + "}";
}

struct Case {
  std::string name;
  std::string body;
  bool ok;
};

TEST(StrictJson, GoodAndBadBodiesSideBySide) {
  const Case cases[] = {
      {"plain object", R"({"domain":"example.com"})", true},
      {"empty object", "{}", true},
      {"whitespace around", " \n{\"a\": 1}\n ", true},
      {"unicode escapes", R"({"a":"\u00e9\ud83d\ude00"})", true},
      {"raw utf-8", "{\"a\":\"\xc3\xa9\"}", true},
      {"NUL escaped inside string is fine", R"({"a":"x\u0000y"})", true},
      {"max depth", nested(kMaxJsonDepth), true},
      {"empty", "", false},
      {"only spaces", "   ", false},
      {"array", "[1,2]", false},
      {"string", "\"x\"", false},
      {"number", "42", false},
      {"null", "null", false},
      {"duplicate key", R"({"a":1,"a":2})", false},
      {"duplicate key nested", R"({"a":{"b":1,"b":1}})", false},
      {"duplicate key in array of objects", R"({"a":[{"b":1},{"c":1,"c":2}]})", false},
      {"raw NUL after object", std::string("{}\0junk", 7), false},
      {"raw NUL inside string", std::string("{\"a\":\"x\0y\"}", 11), false},
      {"invalid utf-8", "{\"a\":\"\xff\"}", false},
      {"overlong utf-8", "{\"a\":\"\xc0\xaf\"}", false},
      {"utf-8 surrogate", "{\"a\":\"\xed\xa0\x80\"}", false},
      {"lone surrogate escape", R"({"a":"\ud800"})", false},
      {"too deep", nested(kMaxJsonDepth + 1), false},
      {"very deep", std::string(100000, '['), false},
      {"trailing garbage", R"({"a":1} x)", false},
      {"two documents", R"({"a":1}{"b":2})", false},
      {"trailing comma", R"({"a":1,})", false},
      {"comment", "{\"a\":1 /* c */}", false},
      {"single quotes", "{'a':1}", false},
      {"NaN", R"({"a":NaN})", false},
      {"leading zero", R"({"a":01})", false},
      {"raw tab in string", "{\"a\":\"x\ty\"}", false},
      {"bad escape", R"({"a":"\q"})", false},
      {"truncated", R"({"a":)", false},
  };
  for (const auto& c : cases) {
    auto result = parseObject(c.body);
    EXPECT_EQ(result.ok(), c.ok) << c.name << (result.ok() ? "" : ": " + result.error().detail);
    if (!result.ok()) {
      EXPECT_EQ(result.error().kind, ErrorKind::kParse) << c.name;
      EXPECT_TRUE(result.error().field.empty()) << c.name;
      EXPECT_FALSE(result.error().detail.empty()) << c.name;
    }
  }
}

TEST(StrictJson, ErrorsSayWhere) {
  auto r = parseObject("{\n  \"a\": 1,\n  \"b\": tru\n}");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("line 3"), std::string::npos) << r.error().detail;
  auto dup = parseObject(R"({"ttl":1,"ttl":2})");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().detail.find("`ttl`"), std::string::npos) << dup.error().detail;
}

TEST(Utf8, ValidationAndSanitising) {
  EXPECT_TRUE(isValidUtf8(""));
  EXPECT_TRUE(isValidUtf8("plain"));
  EXPECT_TRUE(isValidUtf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));
  EXPECT_FALSE(isValidUtf8("\xff"));
  EXPECT_FALSE(isValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(isValidUtf8("\xe0\x80\xaf"));      // overlong
  EXPECT_FALSE(isValidUtf8("\xed\xbf\xbf"));      // surrogate
  EXPECT_FALSE(isValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_EQ(sanitizeUtf8("a\xff"
                         "b"),
            "a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(sanitizeUtf8("ok\xc3\xa9"), "ok\xc3\xa9");
}

TEST(JsonWriterHelpers, InvalidUtf8IsReplacedNotEmitted) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writeKey(writer, "v");
  writeString(writer, "x\xffy");
  writer.EndObject();
  EXPECT_TRUE(writer.IsComplete());
  EXPECT_EQ(std::string(buffer.GetString()), "{\"v\":\"x\xef\xbf\xbdy\"}");
}

}  // namespace
}  // namespace zp::api
