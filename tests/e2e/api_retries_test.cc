// Safe retries over real HTTP against the real pipeline (issue 11 item 6):
// a POST with an Idempotency-Key retried after kill -9 of the API and of the
// store answers its first result again (same status and body, plus
// `Idempotent-Replayed: true`) and the zone holds one record; the same key
// with another body is 422; keys are per user; change sets and rollbacks
// replay too.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/e2e/api_helpers.h"

namespace zp::e2e::api {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

class ApiRetryTest : public ApiTest {
 protected:
  HttpResponse post(const std::string& path, const std::string& body, const std::string& key,
                    const std::string& token = "") {
    Headers h = {{"Authorization", "Bearer " + (token.empty() ? admin() : token)}};
    if (!key.empty()) h.emplace_back("Idempotency-Key", key);
    return stack().request("POST", path, body, h);
  }
  // The same POST until a restarted program answers (connection refused or
  // 503 while it comes up), with a deadline.
  HttpResponse postUntilAnswered(const std::string& path, const std::string& body,
                                 const std::string& key) {
    HttpResponse last;
    const bool answered = Stack::waitFor(
        [&] {
          try {
            last = post(path, body, key);
            return last.status != 503;
          } catch (const std::exception&) {
            return false;
          }
        },
        milliseconds(30000));
    EXPECT_TRUE(answered) << "no answer but 503 within 30 s: " << last.body;
    return last;
  }
  // The zone's record_count; polls while a restarted store does not answer
  // queries yet (503).
  int64_t recordCount(const std::string& zone) {
    HttpResponse r;
    const bool answered = Stack::waitFor(
        [&] {
          r = call("GET", kZones + zone + "/", "", admin());
          return r.status == 200;
        },
        milliseconds(30000));
    EXPECT_TRUE(answered) << r.status << " " << r.body;
    return answered ? num(parseJson(r), "record_count") : -1;
  }
};

TEST_F(ApiRetryTest, ARetryAfterKillNineAnswersTheFirstResult) {
  const std::string domain = uniqueName("retry") + ".test";
  const std::string zone = createZone(domain);
  ASSERT_FALSE(zone.empty());
  const std::string path = kZones + zone + "/records/";
  const std::string body = recordJson("A", "www", "192.0.2.1");
  const std::string key = "k-" + uniqueName("first");

  auto first = post(path, body, key);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.header("idempotent-replayed"), "");

  auto again = post(path, body, key);
  EXPECT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_EQ(again.header("location"), first.header("location"));

  stack().killNine("api");
  stack().start("api");
  auto afterApi = postUntilAnswered(path, body, key);
  EXPECT_EQ(afterApi.status, 201) << afterApi.body;
  EXPECT_EQ(afterApi.body, first.body);
  EXPECT_EQ(afterApi.header("idempotent-replayed"), "true");

  stack().killNine("store");
  stack().start("store");
  auto afterStore = postUntilAnswered(path, body, key);
  EXPECT_EQ(afterStore.status, 201) << afterStore.body;
  EXPECT_EQ(afterStore.body, first.body);
  EXPECT_EQ(afterStore.header("idempotent-replayed"), "true");

  EXPECT_EQ(recordCount(zone), 1);
  EXPECT_TRUE(servedAs("www." + domain, "A", {"192.0.2.1"}));

  // The same key with another body (or path) is another request: 422.
  auto reused = post(path, recordJson("A", "www", "192.0.2.2"), key);
  EXPECT_EQ(reused.status, 422) << reused.body;
  const ApiError e = apiError(reused);
  EXPECT_EQ(e.errorCode, "idempotency_key_reused");
  EXPECT_EQ(e.field, "Idempotency-Key");
  EXPECT_EQ(recordCount(zone), 1);
}

TEST_F(ApiRetryTest, KeysArePerUserAndChecked) {
  const std::string key = "shared-" + uniqueName("key");
  const std::string mine = createZone(uniqueName("mine") + ".test");
  const std::string bob = tokenFor(uniqueName("bob"), "dns:*,tokens:manage");
  const std::string theirs = createZone(uniqueName("theirs") + ".test", bob);
  const std::string body = recordJson("TXT", "a", "x");
  auto a = post(kZones + mine + "/records/", body, key);
  ASSERT_EQ(a.status, 201) << a.body;
  auto b = post(kZones + theirs + "/records/", body, key, bob);
  EXPECT_EQ(b.status, 201) << b.body;
  EXPECT_EQ(b.header("idempotent-replayed"), "") << "another user's key is another key";

  struct Case {
    const char* what;
    std::string key;
  };
  const Case bad[] = {
      {"a space", "two words"},
      {"too long", std::string(256, 'k')},
  };
  for (const auto& c : bad) {
    auto r = post(kZones + mine + "/records/", recordJson("TXT", "b", "y"), c.key);
    EXPECT_EQ(r.status, 400) << c.what << ": " << r.body;
    EXPECT_EQ(apiError(r).field, "Idempotency-Key") << c.what;
  }
  auto longest =
      post(kZones + mine + "/records/", recordJson("TXT", "c", "z"), std::string(255, 'k'));
  EXPECT_EQ(longest.status, 201) << longest.body;

  // The token API's answer holds a secret that is never stored: no replay.
  auto token = post("/api/v1/tokens/", R"({"permissions": ["dns:list"]})", "t-" + key, bob);
  EXPECT_EQ(token.status, 400) << token.body;
  EXPECT_EQ(apiError(token).field, "Idempotency-Key");
}

TEST_F(ApiRetryTest, ChangeSetsAndRollbacksReplay) {
  const std::string zone = createZone(uniqueName("setretry") + ".test");
  const std::string zonePath = kZones + zone + "/";
  ASSERT_FALSE(createRecord(zone, recordJson("A", "www", "192.0.2.1")).empty());
  const int64_t before = num(parseJson(call("GET", zonePath, "", admin())), "serial");

  const std::string set =
      R"({"changes": [{"action": "create", "record_type": "A", "name": "b", "value": "192.0.2.2"}]})";
  const std::string setKey = "set-" + uniqueName("k");
  auto first = post(zonePath + "changesets/", set, setKey);
  ASSERT_EQ(first.status, 201) << first.body;
  auto again = post(zonePath + "changesets/", set, setKey);
  EXPECT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_EQ(recordCount(zone), 2);

  // A rollback reads before it writes; its retry still answers the first result.
  const std::string rollback = R"({"serial": )" + std::to_string(before) + "}";
  const std::string rollbackKey = "rb-" + uniqueName("k");
  auto undo = post(zonePath + "rollback/", rollback, rollbackKey);
  ASSERT_EQ(undo.status, 201) << undo.body;
  const int64_t after = num(parseJson(call("GET", zonePath, "", admin())), "serial");
  auto undoAgain = post(zonePath + "rollback/", rollback, rollbackKey);
  EXPECT_EQ(undoAgain.status, 201) << undoAgain.body;
  EXPECT_EQ(undoAgain.body, undo.body);
  EXPECT_EQ(undoAgain.header("idempotent-replayed"), "true");
  EXPECT_EQ(num(parseJson(call("GET", zonePath, "", admin())), "serial"), after);
  EXPECT_EQ(recordCount(zone), 1);
}

}  // namespace
}  // namespace zp::e2e::api
