#include "pipelines/push/lost_zone_log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace zp::push {
namespace {

// What a burst of lost zones logs: each step is a zone lost (or, with an
// empty domain, a flush) at a time, and the lines it returns.
struct Step {
  std::string domain;  // empty: flush()
  int64_t at;
  std::vector<std::string> lines;  // "Z" stands for the zone's own line; "N more" for a summary
};

std::string zoneLine(const std::string& domain) {
  return "drift: named does not serve " + domain + "; loading the store's version";
}

std::vector<std::string> expected(const Step& step) {
  std::vector<std::string> out;
  for (const std::string& l : step.lines) out.push_back(l == "Z" ? zoneLine(step.domain) : l);
  return out;
}

TEST(LostZoneLog, ListsTheFirstZonesOfAWindowAndSumsUpTheRest) {
  struct Case {
    const char* what;
    std::vector<Step> steps;
  };
  const std::string summary2 = "drift: named did not serve 2 more zones in 10 s";
  const std::string summary1 = "drift: named did not serve 1 more zone in 10 s";
  const Case cases[] = {
      {"a few zones: each listed, no summary",
       {{"a.test", 0, {"Z"}}, {"b.test", 5, {"Z"}}, {"", 20000, {}}}},
      {"more than listed: the rest summed up once the window is over",
       {{"a.test", 0, {"Z"}},
        {"b.test", 1, {"Z"}},
        {"c.test", 2, {}},
        {"d.test", 3, {}},
        {"", 9999, {}},
        {"", 10000, {summary2}},
        {"", 10001, {}}}},
      {"a zone after the window: the summary first, then a new window",
       {{"a.test", 0, {"Z"}},
        {"b.test", 1, {"Z"}},
        {"c.test", 2, {}},
        {"d.test", 12000, {summary1, "Z"}},
        {"e.test", 12001, {"Z"}},
        {"f.test", 21999, {}},
        {"", 22000, {summary1}}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    LostZoneLog log(2, 10000);
    for (const Step& step : c.steps) {
      SCOPED_TRACE(step.domain + " at " + std::to_string(step.at));
      std::vector<std::string> got;
      if (step.domain.empty()) {
        if (std::string s = log.flush(step.at); !s.empty()) got.push_back(s);
      } else {
        got = log.lost(step.domain, step.at);
      }
      const std::vector<std::string> want = expected(step);
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < got.size(); ++i) {
        // A summary line goes on to say what to do; its start is what varies.
        EXPECT_EQ(got[i].substr(0, want[i].size()), want[i]);
      }
    }
  }
}

TEST(LostZoneLog, TheSummarySaysWhatToLookAt) {
  LostZoneLog log(1, 10000);
  log.lost("a.test", 0);
  log.lost("b.test", 1);
  const std::string s = log.flush(10000);
  EXPECT_NE(s.find("ZONEPIPE_VOLATILE_DIR"), std::string::npos) << s;
  EXPECT_NE(s.find("zonepipe_push_zones_out_of_sync"), std::string::npos) << s;
}

}  // namespace
}  // namespace zp::push
