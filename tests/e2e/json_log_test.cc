// log.format = json end to end (issue 12): every line every program writes is
// one JSON object, and the pusher's lines about a zone carry it as a field.

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <fstream>
#include <string>

#include "tests/e2e/harness.h"

namespace zp::e2e {
namespace {

using std::chrono::milliseconds;

TEST(JsonLogTest, EveryProgramWritesOneJsonObjectPerLineWithTheZoneAsAField) {
  StackOptions options;
  options.secondary = false;
  options.extraConfig = {"log.format = json", "log.level = debug"};
  Stack stack(options);
  auto created =
      stack.http("POST", "/api/v1/dns-zones/", R"({"domain": "json-log.test"})", stack.token());
  ASSERT_EQ(created.status, 201) << created.body;
  ASSERT_TRUE(
      Stack::waitFor([&] { return stack.digQuery("json-log.test", "SOA").status == "NOERROR"; },
                     milliseconds(30000)));

  bool zoneField = false;
  for (const std::string program : {"api", "validator", "store", "renderer", "push"}) {
    const std::string path = stack.dir() + "/" + program + ".log";
    std::ifstream in(path);
    ASSERT_TRUE(in) << path;
    std::string line;
    int lines = 0;
    while (std::getline(in, line)) {
      ++lines;
      rapidjson::Document d;
      d.Parse(line.c_str());
      ASSERT_FALSE(d.HasParseError()) << program << ": " << line;
      ASSERT_TRUE(d.IsObject() && d.HasMember("time") && d.HasMember("level") &&
                  d.HasMember("message") && d.HasMember("program"))
          << program << ": " << line;
      if (program == "push" && d.HasMember("zone") &&
          std::string(d["zone"].GetString()) == "json-log.test" && d.HasMember("serial")) {
        zoneField = true;
      }
    }
    EXPECT_GT(lines, 0) << program << " wrote nothing";
  }
  EXPECT_TRUE(zoneField) << "no line of the pusher's names the zone as a field";
}

}  // namespace
}  // namespace zp::e2e
