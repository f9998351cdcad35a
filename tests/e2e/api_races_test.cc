// Races over real HTTP against the real pipeline and named (issue 11 item 5):
// ETags on record and zone answers, If-Match on PUT/PATCH/DELETE and change
// sets checked by the store in the write's own transaction (N concurrent
// PATCHes with one If-Match: exactly one wins, and named serves the winner),
// If-None-Match: * on record creates, and PATCHes without If-Match that
// never lose each other's fields.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/api_helpers.h"

namespace zp::e2e::api {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

class ApiRaceTest : public ApiTest {
 protected:
  HttpResponse send(const std::string& method, const std::string& path, const std::string& body,
                    Headers extra = {}) {
    extra.emplace_back("Authorization", "Bearer " + admin());
    return stack().request(method, path, body, extra);
  }
  std::string etagOf(const std::string& path) {
    auto r = call("GET", path, "", admin());
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return r.header("etag");
  }
  void expectPreconditionFailed(const HttpResponse& r, const std::string& field) {
    EXPECT_EQ(r.status, 412) << r.body;
    const ApiError e = apiError(r);
    EXPECT_EQ(e.errorCode, "precondition_failed") << r.body;
    EXPECT_EQ(e.field, field) << r.body;
  }
};

TEST_F(ApiRaceTest, ConcurrentPatchesWithOneIfMatchExactlyOneWins) {
  const std::string domain = uniqueName("race") + ".test";
  const std::string zone = createZone(domain);
  const std::string record = createRecord(zone, recordJson("A", "www", "192.0.2.1"));
  ASSERT_FALSE(record.empty());
  const std::string path = kRecords + record + "/";
  const std::string etag = etagOf(path);
  ASSERT_FALSE(etag.empty()) << "a record answer carries an ETag";

  constexpr int kWriters = 8;
  std::vector<HttpResponse> answers(kWriters);
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&, i] {
      answers[i] = send("PATCH", path, R"({"value": "192.0.2.)" + std::to_string(10 + i) + "\"}",
                        {{"If-Match", etag}});
    });
  }
  for (auto& t : writers) t.join();

  int winner = -1;
  for (int i = 0; i < kWriters; ++i) {
    if (answers[i].status == 200) {
      EXPECT_EQ(winner, -1) << "two PATCHes with the same If-Match both won";
      winner = i;
    } else {
      expectPreconditionFailed(answers[i], "If-Match");
    }
  }
  ASSERT_NE(winner, -1) << "no PATCH won";
  const std::string value = "192.0.2." + std::to_string(10 + winner);
  EXPECT_NE(answers[winner].header("etag"), etag);

  auto now = call("GET", path, "", admin());
  ASSERT_EQ(now.status, 200);
  EXPECT_EQ(str(parseJson(now), "value"), value);
  EXPECT_EQ(now.header("etag"), answers[winner].header("etag"));
  EXPECT_TRUE(servedAs("www." + domain, "A", {value}));
}

TEST_F(ApiRaceTest, IfMatchOnRecordWrites) {
  const std::string zone = createZone(uniqueName("ifmatch") + ".test");
  auto created = postRecord(zone, recordJson("TXT", "a", "one"));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string path = kRecords + str(parseJson(created), "uuid") + "/";
  const std::string first = created.header("etag");
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(etagOf(path), first) << "POST and GET give the same version's ETag";

  // A current If-Match (also in a list, beside a weak and a foreign tag) wins.
  auto put = send("PUT", path, recordJson("TXT", "a", "two"),
                  {{"If-Match", "W/\"1\", \"nope\", " + first}});
  ASSERT_EQ(put.status, 200) << put.body;
  const std::string second = put.header("etag");
  EXPECT_NE(second, first);

  struct Case {
    const char* what;
    std::string method;
    std::string ifMatch;
    int status;
  };
  const Case stale[] = {
      {"PUT with the old tag", "PUT", first, 412},
      {"PATCH with the old tag", "PATCH", first, 412},
      {"DELETE with the old tag", "DELETE", first, 412},
      {"a weak tag never matches", "PUT", "W/" + second, 412},
      {"a tag of another shape", "PATCH", "\"abc\"", 412},
      {"garbage", "PUT", "abc", 400},
      {"unterminated", "PATCH", "\"12", 400},
      {"no tag at all", "DELETE", ",", 400},
  };
  for (const auto& c : stale) {
    const std::string body = c.method == "DELETE"  ? ""
                             : c.method == "PATCH" ? R"({"value": "three"})"
                                                   : recordJson("TXT", "a", "three");
    auto r = send(c.method, path, body, {{"If-Match", c.ifMatch}});
    if (c.status == 412) {
      expectPreconditionFailed(r, "If-Match");
    } else {
      EXPECT_EQ(r.status, 400) << c.what << ": " << r.body;
      EXPECT_EQ(apiError(r).field, "If-Match") << c.what;
    }
    auto now = call("GET", path, "", admin());
    EXPECT_EQ(str(parseJson(now), "value"), "two") << c.what << " changed the record";
    EXPECT_EQ(now.header("etag"), second) << c.what;
  }

  // `*` asks only that the record exists; a missing one is 404 before any 412.
  auto star = send("PATCH", path, R"({"ttl": 600})", {{"If-Match", "*"}});
  EXPECT_EQ(star.status, 200) << star.body;
  auto missing = send("PUT", kRecords + "00000000-0000-4000-8000-000000000000/",
                      recordJson("TXT", "a", "x"), {{"If-Match", "\"1\""}});
  EXPECT_EQ(missing.status, 404) << missing.body;

  auto del = send("DELETE", path, "", {{"If-Match", star.header("etag")}});
  EXPECT_EQ(del.status, 204) << del.body;
}

TEST_F(ApiRaceTest, IfMatchOnZonesAndChangeSets) {
  const std::string domain = uniqueName("zonematch") + ".test";
  auto created = call("POST", kZones, R"({"domain": ")" + domain + "\"}", admin());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string zone = str(parseJson(created), "uuid");
  const std::string zonePath = kZones + zone + "/";
  const std::string first = created.header("etag");
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(etagOf(zonePath), first);

  // Any record write is a new zone version: the zone's old ETag is stale.
  ASSERT_FALSE(createRecord(zone, recordJson("A", "www", "192.0.2.1")).empty());
  const std::string second = etagOf(zonePath);
  EXPECT_NE(second, first);

  const std::string set =
      R"({"changes": [{"action": "create", "record_type": "A", "name": "b", "value": "192.0.2.2"}]})";
  auto staleSet = send("POST", zonePath + "changesets/", set, {{"If-Match", first}});
  expectPreconditionFailed(staleSet, "If-Match");
  EXPECT_EQ(etagOf(zonePath), second) << "a refused set changes nothing";

  auto goodSet = send("POST", zonePath + "changesets/", set, {{"If-Match", second}});
  ASSERT_EQ(goodSet.status, 201) << goodSet.body;
  const std::string third = goodSet.header("etag");
  EXPECT_EQ(etagOf(zonePath), third);

  // A record create may be conditional on the zone's version too.
  auto staleCreate = send("POST", zonePath + "records/", recordJson("A", "c", "192.0.2.3"),
                          {{"If-Match", second}});
  expectPreconditionFailed(staleCreate, "If-Match");

  auto staleDelete = send("DELETE", zonePath, "", {{"If-Match", second}});
  expectPreconditionFailed(staleDelete, "If-Match");
  EXPECT_EQ(call("GET", zonePath, "", admin()).status, 200);
  auto del = send("DELETE", zonePath, "", {{"If-Match", third}});
  EXPECT_EQ(del.status, 204) << del.body;
}

TEST_F(ApiRaceTest, IfNoneMatchStarCreatesOnlyOnce) {
  const std::string zone = createZone(uniqueName("nonematch") + ".test");
  const std::string body = recordJson("TXT", "_acme-challenge", "token-1");
  auto first = send("POST", kZones + zone + "/records/", body, {{"If-None-Match", "*"}});
  ASSERT_EQ(first.status, 201) << first.body;
  auto again = send("POST", kZones + zone + "/records/", body, {{"If-None-Match", "*"}});
  expectPreconditionFailed(again, "If-None-Match");
  auto plain = postRecord(zone, body);
  EXPECT_EQ(plain.status, 400) << plain.body;
  EXPECT_EQ(apiError(plain).errorCode, "record_conflict");
  // Another value at the same name is another record.
  auto other = send("POST", kZones + zone + "/records/",
                    recordJson("TXT", "_acme-challenge", "token-2"), {{"If-None-Match", "*"}});
  EXPECT_EQ(other.status, 201) << other.body;
  auto tags = send("POST", kZones + zone + "/records/", recordJson("TXT", "x", "y"),
                   {{"If-None-Match", "\"1\""}});
  EXPECT_EQ(tags.status, 400) << tags.body;
  EXPECT_EQ(apiError(tags).field, "If-None-Match");
}

// Without If-Match a PATCH is a read-merge-write the store makes conditional
// on the version it read, redone when another write came between: two
// clients changing different fields at once both keep their change.
TEST_F(ApiRaceTest, ConcurrentPatchesOfDifferentFieldsLoseNothing) {
  const std::string domain = uniqueName("merge") + ".test";
  const std::string zone = createZone(domain);
  const std::string record = createRecord(
      zone, recordJson("MX", "@", "mail1." + domain, R"(, "priority": 10, "ttl": 300)"));
  ASSERT_FALSE(record.empty());
  const std::string path = kRecords + record + "/";
  for (int round = 0; round < 4; ++round) {
    const std::string host = "mail" + std::to_string(round) + "." + domain;
    const int64_t ttl = 600 + round;
    const int64_t priority = 20 + round;
    HttpResponse a, b, c;
    std::thread ta([&] { a = send("PATCH", path, R"({"value": ")" + host + "\"}"); });
    std::thread tb([&] { b = send("PATCH", path, R"({"ttl": )" + std::to_string(ttl) + "}"); });
    std::thread tc(
        [&] { c = send("PATCH", path, R"({"priority": )" + std::to_string(priority) + "}"); });
    ta.join();
    tb.join();
    tc.join();
    ASSERT_EQ(a.status, 200) << a.body;
    ASSERT_EQ(b.status, 200) << b.body;
    ASSERT_EQ(c.status, 200) << c.body;
    auto now = parseJson(call("GET", path, "", admin()));
    EXPECT_EQ(str(now, "value"), host) << "round " << round;
    EXPECT_EQ(num(now, "ttl"), ttl) << "round " << round;
    EXPECT_EQ(num(now, "priority"), priority) << "round " << round;
  }
}

}  // namespace
}  // namespace zp::e2e::api
