// Changes clients can wait on (issue 11, item 1) over real HTTP against the
// whole pipeline with a primary and a secondary named: every write answers
// change_id and zone_serial (204s as headers), GET /api/v1/changes/{id}/
// goes PENDING -> INSYNC, and ?wait=in_sync answers only once dig sees the
// change on both nameservers, or 202 with the change when the time runs out.

#include "tests/e2e/api_helpers.h"

namespace zp::e2e::api {
namespace {

class ApiChangesTest : public ApiTest {
 protected:
  const std::string kWait = "?wait=in_sync&timeout_ms=30000";

  std::vector<std::string> servers() {
    return {stack().primaryServer(), stack().secondaryServer()};
  }
  // dig's answers for name/type on `server`.
  Strings digOn(const std::string& server, const std::string& name, const std::string& type) {
    return stack().digAt(server, name, type).answers;
  }
  std::string changePath(int64_t id) { return "/api/v1/changes/" + std::to_string(id) + "/"; }
};

TEST_F(ApiChangesTest, EveryWriteAnswersItsChangeIdAndZoneSerial) {
  const std::string domain = uniqueName("ids") + ".test";
  auto created = call("POST", kZones, R"({"domain": ")" + domain + R"("})", admin());
  ASSERT_EQ(created.status, 201) << created.body;
  auto zone = parseJson(created);
  const int64_t zoneChange = num(zone, "change_id");
  EXPECT_GT(zoneChange, 0) << created.body;
  EXPECT_EQ(num(zone, "zone_serial"), num(zone, "serial")) << created.body;
  const std::string uuid = str(zone, "uuid");

  auto post = postRecord(uuid, recordJson("TXT", "a", "one"));
  ASSERT_EQ(post.status, 201) << post.body;
  auto record = parseJson(post);
  EXPECT_GT(num(record, "change_id"), zoneChange);
  EXPECT_GT(num(record, "zone_serial"), num(zone, "zone_serial"));
  const std::string recordPath = kRecords + str(record, "uuid") + "/";

  auto patched = call("PATCH", recordPath, R"({"value": "two"})", admin());
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_GT(num(parseJson(patched), "change_id"), num(record, "change_id"));
  auto put = call("PUT", recordPath, recordJson("TXT", "a", "three"), admin());
  ASSERT_EQ(put.status, 200) << put.body;
  const int64_t putChange = num(parseJson(put), "change_id");
  EXPECT_GT(putChange, num(parseJson(patched), "change_id"));

  // Reads do not carry them: they describe a write.
  auto read = call("GET", recordPath, "", admin());
  EXPECT_EQ(num(parseJson(read), "change_id"), -1) << read.body;

  // 204s have no body: the same two as headers.
  auto removed = call("DELETE", recordPath, "", admin());
  ASSERT_EQ(removed.status, 204);
  EXPECT_GT(std::stoll(removed.header("x-change-id")), putChange);
  EXPECT_FALSE(removed.header("x-zone-serial").empty());
  auto zoneGone = call("DELETE", kZones + uuid + "/", "", admin());
  ASSERT_EQ(zoneGone.status, 204);
  EXPECT_GT(std::stoll(zoneGone.header("x-change-id")), std::stoll(removed.header("x-change-id")));

  // The deletion's change stays readable by its author and becomes INSYNC
  // once no nameserver serves the zone any more.
  const int64_t deletion = std::stoll(zoneGone.header("x-change-id"));
  auto change = call("GET", changePath(deletion) + kWait, "", admin());
  ASSERT_EQ(change.status, 200) << change.body;
  EXPECT_EQ(str(parseJson(change), "status"), "INSYNC") << change.body;
  EXPECT_EQ(str(parseJson(change), "action"), "zone_deleted") << change.body;
}

TEST_F(ApiChangesTest, AChangeGoesFromPendingToInSyncOnEveryNameserver) {
  const std::string domain = uniqueName("status") + ".test";
  const std::string zone = createZone(domain);
  ASSERT_FALSE(zone.empty());
  auto post = postRecord(zone, recordJson("TXT", "s", "status"));
  ASSERT_EQ(post.status, 201) << post.body;
  const int64_t id = num(parseJson(post), "change_id");
  const int64_t serial = num(parseJson(post), "zone_serial");

  std::string last;
  ASSERT_TRUE(Stack::waitFor(
      [&] {
        auto r = call("GET", changePath(id), "", admin());
        last = r.body;
        return r.status == 200 && str(parseJson(r), "status") == "INSYNC";
      },
      kDnsDeadline))
      << last;
  auto body = parseJson(call("GET", changePath(id), "", admin()));
  EXPECT_EQ(num(body, "change_id"), id);
  EXPECT_EQ(num(body, "zone_serial"), serial);
  EXPECT_EQ(str(body, "zone"), zone);
  EXPECT_EQ(str(body, "domain"), domain);
  ASSERT_TRUE(body["nameservers"].IsArray()) << last;
  ASSERT_EQ(body["nameservers"].Size(), 2u) << last;
  for (const auto& ns : body["nameservers"].GetArray()) {
    EXPECT_TRUE(ns["in_sync"].GetBool()) << last;
    EXPECT_GE(num(ns, "serial"), serial) << last;
  }
  for (const auto& server : servers()) {
    EXPECT_EQ(digOn(server, "s." + domain, "TXT"), Strings{"\"status\""}) << server;
  }
}

TEST_F(ApiChangesTest, WaitInSyncAnswersOnlyOnceBothNameserversServeTheChange) {
  const std::string domain = uniqueName("wait") + ".test";
  auto created = call("POST", kZones + kWait, R"({"domain": ")" + domain + R"("})", admin());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string zone = str(parseJson(created), "uuid");
  for (const auto& server : servers()) {
    EXPECT_EQ(digOn(server, domain, "SOA").size(), 1u) << server << ": zone not served yet";
  }
  // Each write, then dig at once on both nameservers: no polling of DNS.
  for (int i = 0; i < 3; ++i) {
    const std::string value = "v" + std::to_string(i);
    auto post = call("POST", kZones + zone + "/records/" + kWait, recordJson("TXT", "_acme", value),
                     admin());
    ASSERT_EQ(post.status, 201) << post.body;
    for (const auto& server : servers()) {
      const Strings seen = digOn(server, "_acme." + domain, "TXT");
      EXPECT_NE(std::find(seen.begin(), seen.end(), "\"" + value + "\""), seen.end())
          << server << " " << joined(seen);
    }
  }
  auto post = postRecord(zone, recordJson("A", "www", "192.0.2.1"));
  const std::string record = kRecords + str(parseJson(post), "uuid") + "/";
  auto patched = call("PATCH", record + kWait, R"({"value": "192.0.2.2"})", admin());
  ASSERT_EQ(patched.status, 200) << patched.body;
  for (const auto& server : servers()) {
    EXPECT_EQ(digOn(server, "www." + domain, "A"), Strings{"192.0.2.2"}) << server;
  }
  auto put = call("PUT", record + kWait, recordJson("A", "www", "192.0.2.3"), admin());
  ASSERT_EQ(put.status, 200) << put.body;
  for (const auto& server : servers()) {
    EXPECT_EQ(digOn(server, "www." + domain, "A"), Strings{"192.0.2.3"}) << server;
  }
  auto removed = call("DELETE", record + kWait, "", admin());
  ASSERT_EQ(removed.status, 204);
  for (const auto& server : servers()) {
    EXPECT_EQ(stack().digAt(server, "www." + domain, "A").status, "NXDOMAIN") << server;
  }
  auto zoneGone = call("DELETE", kZones + zone + "/" + kWait, "", admin());
  ASSERT_EQ(zoneGone.status, 204);
  for (const auto& server : servers()) {
    EXPECT_NE(stack().digAt(server, domain, "SOA").status, "NOERROR") << server;
  }
}

// Change sets and rollbacks take ?wait=in_sync too (they answer change_id
// and zone_serial like every write): when they answer, dig on both
// nameservers already sees the set's serial and records.
TEST_F(ApiChangesTest, ChangeSetsAndRollbacksWaitUntilEveryNameserverServesThem) {
  const std::string domain = uniqueName("setwait") + ".test";
  const std::string zone = createZone(domain);
  ASSERT_FALSE(zone.empty());
  const std::string www = createRecord(zone, recordJson("A", "www", "192.0.2.1"));
  ASSERT_FALSE(www.empty());
  auto detail = parseJson(call("GET", kZones + zone + "/", "", admin()));
  const int64_t before = num(detail, "serial");

  const std::string set = R"({"changes": [
      {"action": "create", "record_type": "TXT", "name": "_acme", "value": "set"},
      {"action": "update", "uuid": ")" +
                          www + R"(", "record_type": "A", "name": "www", "value": "192.0.2.2"}]})";
  auto applied = call("POST", kZones + zone + "/changesets/" + kWait, set, admin());
  ASSERT_EQ(applied.status, 201) << applied.body;
  auto answer = parseJson(applied);
  EXPECT_GT(num(answer, "change_id"), 0) << applied.body;
  const int64_t serial = num(answer, "zone_serial");
  for (const auto& server : servers()) {
    EXPECT_EQ(digOn(server, "_acme." + domain, "TXT"), Strings{"\"set\""}) << server;
    EXPECT_EQ(digOn(server, "www." + domain, "A"), Strings{"192.0.2.2"}) << server;
    const Strings soa = digOn(server, domain, "SOA");
    ASSERT_EQ(soa.size(), 1u) << server;
    EXPECT_NE(soa[0].find(" " + std::to_string(serial) + " "), std::string::npos)
        << server << ": " << soa[0];
  }
  auto change = parseJson(call("GET", changePath(num(answer, "change_id")), "", admin()));
  EXPECT_EQ(str(change, "status"), "INSYNC");

  auto undone = call("POST", kZones + zone + "/rollback/" + kWait,
                     R"({"serial": )" + std::to_string(before) + "}", admin());
  ASSERT_EQ(undone.status, 201) << undone.body;
  for (const auto& server : servers()) {
    EXPECT_EQ(digOn(server, "_acme." + domain, "TXT"), Strings{}) << server;
    EXPECT_EQ(digOn(server, "www." + domain, "A"), Strings{"192.0.2.1"}) << server;
  }
  // A dry run commits nothing, so it never waits; bad wait values are refused.
  auto dry = call("POST", kZones + zone + "/changesets/?dry_run=true&wait=in_sync", set, admin());
  EXPECT_EQ(dry.status, 200) << dry.body;
  auto bad = call("POST", kZones + zone + "/changesets/?wait=soon", set, admin());
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(apiError(bad).field, "wait");
}

TEST_F(ApiChangesTest, BadWaitParametersAndOtherUsersChangesAreRefused) {
  const std::string zone = createZone(uniqueName("bad") + ".test");
  ASSERT_FALSE(zone.empty());
  const std::string path = kZones + zone + "/records/";
  const std::string body = recordJson("TXT", "x", "x");
  struct Case {
    std::string query, field;
  };
  const std::string before = call("GET", path, "", admin()).header("x-total-count");
  const std::vector<Case> cases = {
      {"?wait=soon", "wait"},
      {"?wait=", "wait"},
      {"?wait=in_sync&timeout_ms=abc", "timeout_ms"},
      {"?wait=in_sync&timeout_ms=-1", "timeout_ms"},
      {"?wait=in_sync&timeout_ms=30001", "timeout_ms"},
      {"?timeout_ms=100", "timeout_ms"},
      {"?wait=in_sync&timeout=100", "timeout"},
  };
  for (const auto& c : cases) {
    auto r = call("POST", path + c.query, body, admin());
    const ApiError e = apiError(r);
    EXPECT_EQ(e.status, 400) << c.query << " " << r.body;
    EXPECT_EQ(e.errorCode, "validation_error") << c.query;
    EXPECT_EQ(e.field, c.field) << c.query << " " << r.body;
  }
  // Nothing was created by the refused requests.
  auto list = call("GET", path, "", admin());
  EXPECT_EQ(list.header("x-total-count"), before) << list.body;

  auto post = postRecord(zone, body);
  const int64_t id = num(parseJson(post), "change_id");
  const std::string other = tokenFor(uniqueName("other"), "dns:*");
  EXPECT_EQ(call("GET", changePath(id), "", other).status, 404);
  for (const std::string bad : {"abc", "0", "01", "-1", "99999999999999999999", "1.5"}) {
    EXPECT_EQ(call("GET", "/api/v1/changes/" + bad + "/", "", admin()).status, 404) << bad;
  }
  EXPECT_EQ(call("GET", changePath(id + 1000000), "", admin()).status, 404);
  EXPECT_EQ(call("GET", changePath(id), "", "").status, 401);
}

// timeout_ms=0 gives up before the first status query: always the 202 path.
TEST_F(ApiChangesTest, WaitThatTimesOutAnswers202WithTheChangeAndTheWriteStands) {
  const std::string domain = uniqueName("late") + ".test";
  auto created = call("POST", kZones + kWait, R"({"domain": ")" + domain + R"("})", admin());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string zone = str(parseJson(created), "uuid");
  auto late = call("POST", kZones + zone + "/records/?wait=in_sync&timeout_ms=0",
                   recordJson("TXT", "late", "late"), admin());
  ASSERT_EQ(late.status, 202) << late.body;
  auto change = parseJson(late);
  EXPECT_EQ(str(change, "status"), "PENDING") << late.body;
  EXPECT_EQ(str(change, "zone"), zone) << late.body;
  const int64_t id = num(change, "change_id");
  EXPECT_GT(num(change, "zone_serial"), 0) << late.body;
  EXPECT_EQ(late.header("location"), changePath(id));
  EXPECT_EQ(late.header("x-change-id"), std::to_string(id));
  // Committed all the same: listed at once, and served once the change is
  // INSYNC.
  auto list = call("GET", kZones + zone + "/records/", "", admin());
  EXPECT_NE(list.body.find("\"late\""), std::string::npos) << list.body;
  auto done = call("GET", changePath(id) + kWait, "", admin());
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(str(parseJson(done), "status"), "INSYNC") << done.body;
  for (const auto& server : servers()) {
    EXPECT_EQ(digOn(server, "late." + domain, "TXT"), Strings{"\"late\""}) << server;
  }
}

}  // namespace
}  // namespace zp::e2e::api
