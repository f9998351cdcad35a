// 503 `unavailable` over real HTTP: a pipeline stage that does not answer
// makes the API answer 503 (not hang, not 500), and the API recovers when the
// stage is back, without losing or duplicating what was written.

#include "tests/e2e/api_helpers.h"

namespace zp::e2e::api {
namespace {

class ApiOutageTest : public ApiTest {};

TEST_F(ApiOutageTest, AStageThatDoesNotAnswerIs503AndTheApiRecovers) {
  const std::string domain = uniqueName("outage") + ".test";
  const std::string zone = createZone(domain);
  ASSERT_FALSE(zone.empty());

  // Writes go through the validator.
  ASSERT_EQ(stack().stop("validator"), 0);
  auto write = postRecord(zone, recordJson("A", "down", "192.0.2.1"));
  EXPECT_EQ(write.status, 503) << write.body;
  EXPECT_EQ(apiError(write).errorCode, "unavailable");
  // Reads do not need it.
  EXPECT_EQ(call("GET", kZones + zone + "/", "", admin()).status, 200);
  stack().start("validator");
  HttpResponse r;
  EXPECT_TRUE(Stack::waitFor(
      [&] {
        r = postRecord(zone, recordJson("A", "up", "192.0.2.2"));
        return r.status == 201;
      },
      milliseconds(30000)))
      << r.status << " " << r.body;

  // Reads and writes go to the store.
  ASSERT_EQ(stack().stop("store"), 0);
  auto read = call("GET", kZones + zone + "/", "", admin());
  EXPECT_EQ(read.status, 503) << read.body;
  EXPECT_EQ(apiError(read).errorCode, "unavailable");
  stack().start("store");
  EXPECT_TRUE(Stack::waitFor(
      [&] {
        r = call("GET", kZones + zone + "/", "", admin());
        return r.status == 200;
      },
      milliseconds(30000)))
      << r.status << " " << r.body;

  // Nothing was lost or duplicated: "up" exists once; "down" at most once
  // (a 503 may be a late commit, API.md).
  auto d = parseJson(r);
  int up = 0, down = 0;
  for (const auto& rec : d["records"].GetArray()) {
    up += str(rec, "name") == "up" ? 1 : 0;
    down += str(rec, "name") == "down" ? 1 : 0;
  }
  EXPECT_EQ(up, 1) << r.body;
  EXPECT_LE(down, 1) << r.body;
  Strings last;
  EXPECT_TRUE(servedAs("up." + domain, "A", {"192.0.2.2"}, &last)) << joined(last);
}

}  // namespace
}  // namespace zp::e2e::api
