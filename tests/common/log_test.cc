// log.format = json (issue 12): every line is one JSON object that parses,
// whatever bytes the message holds, with the LogContext fields of its thread.

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <string>
#include <vector>

#include "common/log/context.h"
#include "common/log/json_format.h"

namespace zp::log {
namespace {

class JsonLogTest : public ::testing::Test {
 protected:
  JsonLogTest() : sink_(std::make_shared<spdlog::sinks::ostream_sink_st>(out_)) {
    logger_ = std::make_shared<spdlog::logger>("push", sink_);
    logger_->set_formatter(std::make_unique<JsonFormatter>());
  }
  // The lines written so far, each parsed.
  std::vector<rapidjson::Document> lines() {
    std::vector<rapidjson::Document> docs;
    std::stringstream in(out_.str());
    std::string line;
    while (std::getline(in, line)) {
      docs.emplace_back();
      docs.back().Parse(line.c_str());
      EXPECT_FALSE(docs.back().HasParseError()) << line;
    }
    return docs;
  }

  std::ostringstream out_;
  std::shared_ptr<spdlog::sinks::ostream_sink_st> sink_;
  std::shared_ptr<spdlog::logger> logger_;
};

constexpr char kControls[] = "nul \0 bell \x07 del \x7f";

TEST_F(JsonLogTest, MessagesOfAnyBytesBecomeOneParsableObjectPerLine) {
  struct Case {
    std::string message;
    std::string parsed;  // what a JSON reader gets back
  } cases[] = {
      {"plain", "plain"},
      {"quote \" backslash \\ tab \t", "quote \" backslash \\ tab \t"},
      {"two\nlines\r", "two\nlines\r"},
      {std::string(kControls, sizeof kControls - 1), std::string(kControls, sizeof kControls - 1)},
      {"utf-8 \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
       "utf-8 \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
      {"bad \xff \xc3 \xed\xa0\x80 end",
       "bad \xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd end"},
  };
  for (const auto& c : cases) logger_->warn("{}", c.message);
  const auto docs = lines();
  ASSERT_EQ(docs.size(), std::size(cases));
  for (size_t i = 0; i < docs.size(); ++i) {
    const auto& d = docs[i];
    ASSERT_TRUE(d.IsObject());
    EXPECT_EQ(std::string(d["message"].GetString(), d["message"].GetStringLength()),
              cases[i].parsed)
        << i;
    EXPECT_STREQ(d["program"].GetString(), "push");
    EXPECT_STREQ(d["level"].GetString(), "warning");
    const std::string time = d["time"].GetString();
    EXPECT_EQ(time.size(), 24u) << time;  // 2026-11-29T15:04:05.123Z
    EXPECT_EQ(time.back(), 'Z');
  }
}

TEST_F(JsonLogTest, ContextFieldsFollowTheirScope) {
  {
    const LogContext zone{{"zone", "example.com"}, {"serial", "42"}};
    {
      const LogContext request{{"request", "7\"x"}};
      logger_->info("inner");
    }
    logger_->info("outer");
  }
  logger_->info("none");
  const auto docs = lines();
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_STREQ(docs[0]["zone"].GetString(), "example.com");
  EXPECT_STREQ(docs[0]["serial"].GetString(), "42");
  EXPECT_STREQ(docs[0]["request"].GetString(), "7\"x");
  EXPECT_STREQ(docs[1]["zone"].GetString(), "example.com");
  EXPECT_FALSE(docs[1].HasMember("request"));
  EXPECT_FALSE(docs[2].HasMember("zone"));
  EXPECT_TRUE(currentFields().empty());
}

}  // namespace
}  // namespace zp::log
