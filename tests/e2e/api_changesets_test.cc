// Atomic change sets over real HTTP against the real pipeline and named
// (issue 11 item 4): a good set is served by named with the one serial the
// answer names; a set with one bad item changes nothing; a dry run changes
// nothing and answers the diff.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "tests/e2e/api_helpers.h"

namespace zp::e2e::api {
namespace {

class ApiChangeSetTest : public ApiTest {
 protected:
  HttpResponse postSet(const std::string& zone, const std::string& body,
                       const std::string& query = "", const std::string& token = "") {
    return call("POST", kZones + zone + "/changesets/" + query, body,
                token.empty() ? admin() : token);
  }
  int64_t recordCount(const std::string& zone) {
    auto detail = call("GET", kZones + zone + "/", "", admin());
    EXPECT_EQ(detail.status, 200) << detail.body;
    auto doc = parseJson(detail);
    return num(doc, "record_count");
  }
  int64_t zoneSerial(const std::string& zone) {
    auto detail = call("GET", kZones + zone + "/", "", admin());
    auto doc = parseJson(detail);
    return num(doc, "serial");
  }
};

TEST_F(ApiChangeSetTest, AGoodSetIsServedByNamedWithOneSerial) {
  const std::string domain = uniqueName("set") + ".test";
  const std::string zone = createZone(domain);
  ASSERT_FALSE(zone.empty());
  const std::string www = createRecord(zone, recordJson("A", "www", "192.0.2.1"));
  const std::string old = createRecord(zone, recordJson("TXT", "old", "bye"));
  const std::string alias = createRecord(zone, recordJson("CNAME", "alias", "www." + domain));
  ASSERT_FALSE(www.empty() || old.empty() || alias.empty());
  const uint64_t before = waitDeployed(zone, domain);

  // The CNAME becomes an A (its delete is listed last: deletes apply first).
  const std::string body = R"({"changes": [
      {"action": "create", "record_type": "A", "name": "new", "value": "192.0.2.9", "ttl": 300},
      {"action": "update", "uuid": ")" +
                           www + R"(", "record_type": "A", "name": "www", "value": "192.0.2.2"},
      {"action": "create", "record_type": "A", "name": "alias", "value": "192.0.2.7"},
      {"action": "delete", "uuid": ")" +
                           old + R"("},
      {"action": "delete", "uuid": ")" +
                           alias + R"("}]})";
  auto r = postSet(zone, body);
  ASSERT_EQ(r.status, 201) << r.body;
  auto answer = parseJson(r);
  EXPECT_FALSE(answer["dry_run"].GetBool());
  const int64_t serial = num(answer, "zone_serial");
  EXPECT_GT(serial, static_cast<int64_t>(before));
  ASSERT_TRUE(answer["changes"].IsArray());
  ASSERT_EQ(answer["changes"].Size(), 5u) << r.body;
  for (const auto& c : answer["changes"].GetArray()) EXPECT_EQ(num(c, "serial"), serial);
  EXPECT_EQ(str(answer["changes"][0], "action"), "record_deleted");
  EXPECT_EQ(str(answer["changes"][2], "action"), "record_updated");
  EXPECT_EQ(str(answer["changes"][4], "action"), "record_created");
  EXPECT_NE(str(answer, "zone_file_diff").find("+new." + domain + ". 300 IN A 192.0.2.9"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(num(answer, "record_count"), 3);
  EXPECT_EQ(zoneSerial(zone), serial);

  EXPECT_TRUE(servedAs("new." + domain, "A", {"192.0.2.9"}));
  EXPECT_TRUE(servedAs("www." + domain, "A", {"192.0.2.2"}));
  EXPECT_TRUE(servedAs("alias." + domain, "A", {"192.0.2.7"}));
  EXPECT_TRUE(servedAs("old." + domain, "TXT", {}));
  EXPECT_EQ(servedSerial(domain), static_cast<uint64_t>(serial));

  // The history lists five changes with that one serial, and the export at
  // that serial is what named serves.
  auto changes = call("GET", kZones + zone + "/changes/?page_size=5", "", admin());
  ASSERT_EQ(changes.status, 200);
  auto history = parseJson(changes);
  ASSERT_TRUE(history.IsArray());
  for (const auto& c : history.GetArray()) EXPECT_EQ(num(c, "serial"), serial);
  auto at = call("GET", kZones + zone + "/export?serial=" + std::to_string(serial), "", admin());
  EXPECT_EQ(at.status, 200) << at.body;
  EXPECT_NE(at.body.find("192.0.2.9"), std::string::npos) << at.body;
}

TEST_F(ApiChangeSetTest, OneBadItemChangesNothing) {
  const std::string domain = uniqueName("setbad") + ".test";
  const std::string zone = createZone(domain);
  const std::string www = createRecord(zone, recordJson("A", "www", "192.0.2.1"));
  ASSERT_FALSE(www.empty());
  const int64_t serial = zoneSerial(zone);
  struct Case {
    const char* what;
    std::string body;
    int status;
    std::string errorCode;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"bad value in the second",
       R"({"changes": [{"action": "create", "record_type": "A", "name": "a", "value": "192.0.2.3"},
                       {"action": "create", "record_type": "A", "name": "b", "value": "999.1.1.1"}]})",
       400, "validation_error", "changes[1].value"},
      {"conflict with a stored record",
       R"({"changes": [{"action": "delete", "uuid": ")" + www + R"("},
                       {"action": "create", "record_type": "CNAME", "name": "c", "value": "x.example"},
                       {"action": "create", "record_type": "A", "name": "c", "value": "192.0.2.4"}]})",
       400, "record_conflict", "changes[2]"},
      {"unknown record",
       R"({"changes": [{"action": "delete", "uuid": "00000000-0000-4000-8000-000000000000"}]})",
       404, "not_found", "changes[0]"},
      {"unknown action", R"({"changes": [{"action": "upsert", "uuid": "x"}]})", 400,
       "validation_error", "changes[0].action"},
      {"unknown field in an item",
       R"({"changes": [{"action": "create", "record_type": "A", "name": "a", "value": "192.0.2.3", "tll": 5}]})",
       400, "validation_error", "changes[0].tll"},
      {"empty", R"({"changes": []})", 400, "validation_error", "changes"},
      {"not json", R"({"changes": [)", 400, "parse_error", ""},
  };
  for (const auto& c : cases) {
    auto r = postSet(zone, c.body);
    EXPECT_EQ(r.status, c.status) << c.what << ": " << r.body;
    auto e = apiError(r);
    EXPECT_EQ(e.errorCode, c.errorCode) << c.what << ": " << r.body;
    EXPECT_EQ(e.field.substr(0, c.field.size()), c.field) << c.what << ": " << r.body;
  }
  EXPECT_EQ(zoneSerial(zone), serial);
  EXPECT_EQ(recordCount(zone), 1);
  EXPECT_TRUE(servedAs("www." + domain, "A", {"192.0.2.1"}));
  EXPECT_TRUE(servedAs("a." + domain, "A", {}));
  auto unknownParam = postSet(zone, R"({"changes": []})", "?dryrun=true");
  EXPECT_EQ(apiError(unknownParam).field, "dryrun") << unknownParam.body;
}

TEST_F(ApiChangeSetTest, DryRunAnswersTheDiffAndChangesNothing) {
  const std::string domain = uniqueName("setdry") + ".test";
  const std::string zone = createZone(domain);
  const std::string www = createRecord(zone, recordJson("A", "www", "192.0.2.1"));
  ASSERT_FALSE(www.empty());
  const uint64_t served = waitDeployed(zone, domain);
  const std::string body = R"({"changes": [
      {"action": "update", "uuid": ")" +
                           www + R"(", "record_type": "A", "name": "www", "value": "192.0.2.5"},
      {"action": "create", "record_type": "TXT", "name": "t", "value": "hello"}]})";
  auto dry = postSet(zone, body, "?dry_run=true");
  ASSERT_EQ(dry.status, 200) << dry.body;
  auto answer = parseJson(dry);
  EXPECT_TRUE(answer["dry_run"].GetBool());
  EXPECT_EQ(str(answer, "zone_file_diff"), "-www." + domain + ". 3600 IN A 192.0.2.1\n+www." +
                                               domain + ". 3600 IN A 192.0.2.5\n+t." + domain +
                                               ". 3600 IN TXT \"hello\"\n");
  EXPECT_EQ(recordCount(zone), 1);
  EXPECT_EQ(zoneSerial(zone), static_cast<int64_t>(served));
  auto record = call("GET", kRecords + www + "/", "", admin());
  auto stored = parseJson(record);
  EXPECT_EQ(str(stored, "value"), "192.0.2.1");
  // The real one then does what the dry run said, with the serial it named.
  auto real = postSet(zone, body);
  ASSERT_EQ(real.status, 201) << real.body;
  auto applied = parseJson(real);
  EXPECT_EQ(str(applied, "zone_file_diff"), str(answer, "zone_file_diff"));
  EXPECT_EQ(num(applied, "zone_serial"), num(answer, "zone_serial"));
  EXPECT_TRUE(servedAs("t." + domain, "TXT", {"\"hello\""}));
}

// Each action needs its own permission.
TEST_F(ApiChangeSetTest, EachActionNeedsItsPermission) {
  const std::string user = uniqueName("setperm");
  const std::string full = tokenFor(user, "dns:*");
  const std::string zone = createZone(uniqueName("setperm") + ".test", full);
  const std::string www = createRecord(zone, recordJson("A", "www", "192.0.2.1"), full);
  const std::string updater = tokenFor(user, "dns:update");
  auto r = postSet(zone, R"({"changes": [{"action": "delete", "uuid": ")" + www + R"("}]})", "",
                   updater);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(apiError(r).field, "changes[0]") << r.body;
  auto ok = postSet(zone,
                    R"({"changes": [{"action": "update", "uuid": ")" + www +
                        R"(", "record_type": "A", "name": "www", "value": "192.0.2.8"}]})",
                    "", updater);
  EXPECT_EQ(ok.status, 201) << ok.body;
}

// Issue 11 item 7: a rollback is one change set that restores the zone as it
// was at a serial; named serves the old content with a new serial, and the
// export of the new version equals the export at the old serial but for the
// SOA serial.
TEST_F(ApiChangeSetTest, RollbackServesTheOldContent) {
  const std::string domain = uniqueName("rollback") + ".test";
  const std::string zone = createZone(domain);
  const std::string www = createRecord(zone, recordJson("A", "www", "192.0.2.1"));
  const std::string gone = createRecord(zone, recordJson("TXT", "gone", "was here"));
  ASSERT_FALSE(www.empty() || gone.empty());
  const int64_t good = zoneSerial(zone);
  auto set =
      postSet(zone, R"({"changes": [
      {"action": "update", "uuid": ")" +
                        www + R"(", "record_type": "A", "name": "www", "value": "192.0.2.66"},
      {"action": "delete", "uuid": ")" +
                        gone + R"("},
      {"action": "create", "record_type": "A", "name": "bad", "value": "192.0.2.67"}]})");
  ASSERT_EQ(set.status, 201) << set.body;
  EXPECT_TRUE(servedAs("www." + domain, "A", {"192.0.2.66"}));

  const std::string body = R"({"serial": )" + std::to_string(good) + "}";
  auto dry = call("POST", kZones + zone + "/rollback/?dry_run=true", body, admin());
  ASSERT_EQ(dry.status, 200) << dry.body;
  auto plan = parseJson(dry);
  EXPECT_EQ(plan["changes"].Size(), 3u) << dry.body;
  EXPECT_TRUE(servedAs("www." + domain, "A", {"192.0.2.66"}));

  auto r = call("POST", kZones + zone + "/rollback/", body, admin());
  ASSERT_EQ(r.status, 201) << r.body;
  auto done = parseJson(r);
  const int64_t serial = num(done, "zone_serial");
  EXPECT_GT(serial, good);
  EXPECT_EQ(str(done, "zone_file_diff"), str(plan, "zone_file_diff"));
  EXPECT_TRUE(servedAs("www." + domain, "A", {"192.0.2.1"}));
  EXPECT_TRUE(servedAs("gone." + domain, "TXT", {"\"was here\""}));
  EXPECT_TRUE(servedAs("bad." + domain, "A", {}));
  EXPECT_EQ(servedSerial(domain), static_cast<uint64_t>(serial));
  auto record = call("GET", kRecords + www + "/", "", admin());
  EXPECT_EQ(record.status, 200) << "an updated record keeps its uuid";

  // Rolling back to the version it already is changes nothing.
  auto again = call("POST", kZones + zone + "/rollback/",
                    R"({"serial": )" + std::to_string(serial) + "}", admin());
  ASSERT_EQ(again.status, 200) << again.body;
  auto same = parseJson(again);
  EXPECT_EQ(same["changes"].Size(), 0u);
  EXPECT_EQ(num(same, "zone_serial"), serial);
  // A serial the zone never had is 404; a bad body 400 naming the field.
  auto unknown = call("POST", kZones + zone + "/rollback/", R"({"serial": 4000000000})", admin());
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  for (const char* bad :
       {R"({"serial": "1"})", R"({"serial": 0})", R"({})", R"({"serial": 1, "x": 2})"}) {
    auto b = call("POST", kZones + zone + "/rollback/", bad, admin());
    EXPECT_EQ(b.status, 400) << bad << ": " << b.body;
    EXPECT_FALSE(apiError(b).field.empty()) << bad;
  }
}

// Issue 10: a real-looking zone file is imported as one change set and named
// serves exactly what it says; a second import of the same file changes
// nothing; the export of the zone, imported into a fresh zone of the same
// domain, exports the same bytes but for the SOA serial.
TEST_F(ApiChangeSetTest, ImportServesTheFileAndExportRoundTrips) {
  const std::string domain = uniqueName("import") + ".test";
  const std::string zone = createZone(domain);
  ASSERT_FALSE(zone.empty());
  const std::string old = createRecord(zone, recordJson("A", "old", "192.0.2.99"));
  const std::string dkim(300, 'k');  // a TXT over 255 octets
  const std::string file = "$ORIGIN " + domain + ".\n$TTL 600\n" +
                           "@ IN SOA ns1.example. hostmaster.example. 1 3600 600 604800 300\n"
                           "@ IN NS ns1.elsewhere.example.\n"
                           "@ IN MX 10 mail\n"
                           "mail IN A 192.0.2.10\n"
                           "www IN A 192.0.2.11\n"
                           "* IN A 192.0.2.12\n"
                           "_dmarc IN TXT \"v=DMARC1; p=reject\"\n"
                           "sel._domainkey IN TXT ( \"" +
                           dkim.substr(0, 200) +
                           "\"\n"
                           "                        \"" +
                           dkim.substr(200) +
                           "\" )\n"
                           "_sip._tcp IN SRV 10 60 5060 sip." +
                           domain +
                           ".\n"
                           "@ IN CAA 128 issue \"letsencrypt.org\"\n"
                           "xn--bcher-kva IN AAAA 2001:db8::1\n";
  auto dry = call("POST", kZones + zone + "/import?mode=replace&dry_run=true", file, admin());
  ASSERT_EQ(dry.status, 200) << dry.body;
  auto plan = parseJson(dry);
  EXPECT_EQ(num(plan, "added"), 9) << dry.body;
  EXPECT_EQ(num(plan, "removed"), 1) << dry.body;
  ASSERT_EQ(plan["skipped"].Size(), 2u) << dry.body;
  EXPECT_EQ(num(plan["skipped"][0], "line"), 3);
  EXPECT_TRUE(servedAs("old." + domain, "A", {"192.0.2.99"}));

  auto r = call("POST", kZones + zone + "/import?mode=replace", file, admin());
  ASSERT_EQ(r.status, 201) << r.body;
  auto done = parseJson(r);
  const int64_t serial = num(done, "zone_serial");
  EXPECT_TRUE(servedAs("www." + domain, "A", {"192.0.2.11"}));
  EXPECT_TRUE(servedAs("anything." + domain, "A", {"192.0.2.12"}));
  EXPECT_TRUE(servedAs(domain, "MX", {"10 mail." + domain + "."}));
  EXPECT_TRUE(servedAs("sel._domainkey." + domain, "TXT",
                       {"\"" + dkim.substr(0, 255) + "\" \"" + dkim.substr(255) + "\""}));
  EXPECT_TRUE(servedAs("_sip._tcp." + domain, "SRV", {"10 60 5060 sip." + domain + "."}));
  EXPECT_TRUE(servedAs(domain, "CAA", {"128 issue \"letsencrypt.org\""}));
  EXPECT_TRUE(servedAs("xn--bcher-kva." + domain, "AAAA", {"2001:db8::1"}));
  EXPECT_TRUE(servedAs("old." + domain, "A", {"192.0.2.12"}));  // gone: the wildcard answers
  EXPECT_EQ(servedSerial(domain), static_cast<uint64_t>(serial));
  EXPECT_EQ(recordCount(zone), 9);

  // The same file again: nothing to do.
  auto again = call("POST", kZones + zone + "/import?mode=merge", file, admin());
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(num(parseJson(again), "unchanged"), 9) << again.body;

  // Export -> fresh zone of the same domain -> import -> export: same bytes
  // but for the SOA line and the comment naming the serial.
  const std::string exported = call("GET", kZones + zone + "/export", "", admin()).body;
  ASSERT_EQ(call("DELETE", kZones + zone + "/", "", admin()).status, 204);
  const std::string fresh = createZone(domain);
  auto imported = call("POST", kZones + fresh + "/import", exported, admin());
  ASSERT_EQ(imported.status, 201) << imported.body;
  EXPECT_EQ(num(parseJson(imported), "added"), 9) << imported.body;
  const std::string reexported = call("GET", kZones + fresh + "/export", "", admin()).body;
  auto withoutSoa = [](const std::string& text) {
    std::string out, line;
    std::istringstream in(text);
    while (std::getline(in, line)) {
      if (line.find(" SOA ") == std::string::npos && line.rfind(";", 0) != 0) out += line + "\n";
    }
    return out;
  };
  EXPECT_EQ(withoutSoa(reexported), withoutSoa(exported));

  // Refusals name the line; nothing changes.
  auto include = call("POST", kZones + fresh + "/import",
                      "www IN A 192.0.2.1\n$INCLUDE /etc/passwd\n", admin());
  EXPECT_EQ(include.status, 400) << include.body;
  EXPECT_EQ(apiError(include).detail.rfind("line 2: $INCLUDE", 0), 0u) << include.body;
  auto badMode = call("POST", kZones + fresh + "/import?mode=upsert", file, admin());
  EXPECT_EQ(apiError(badMode).field, "mode") << badMode.body;
  EXPECT_EQ(recordCount(fresh), 9);
}

}  // namespace
}  // namespace zp::e2e::api
