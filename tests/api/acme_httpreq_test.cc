// lego's httpreq bodies and the ACME answers (acme_httpreq.h): good and bad
// bodies side by side, relative names, the answer's shape.

#include "pipelines/api/acme_httpreq.h"

#include <gtest/gtest.h>

namespace zp::api {
namespace {

TEST(AcmeHttpreq, DecodesLegosDefaultModeBody) {
  struct Case {
    std::string body;
    std::string fqdn;   // "" = refused
    std::string value;  // or the error's field when refused
    ErrorKind kind = ErrorKind::kValidation;
  };
  const Case cases[] = {
      {R"({"fqdn": "_acme-challenge.example.com.", "value": "LHDhK3oGRvkiefQnx7OOczTY5Tic_xZ6HcMOc_gmtoM"})",
       "_acme-challenge.example.com", "LHDhK3oGRvkiefQnx7OOczTY5Tic_xZ6HcMOc_gmtoM"},
      {R"({"value": "v", "fqdn": "_ACME-Challenge.WWW.Example.COM"})",
       "_acme-challenge.www.example.com", "v"},
      {R"({"fqdn": "_acme-challenge.example.com."})", "", "value"},
      {R"({"value": "v"})", "", "fqdn"},
      {R"({"fqdn": ".", "value": "v"})", "", "fqdn"},
      {R"({"fqdn": "", "value": "v"})", "", "fqdn"},
      {R"({"fqdn": "_acme-challenge.example.com.", "value": ""})", "", "value"},
      {R"({"fqdn": "_acme-challenge.example.com.", "value": ")" + std::string(256, 'a') + R"("})",
       "", "value"},
      {R"({"fqdn": 7, "value": "v"})", "", "fqdn"},
      {R"({"fqdn": "a.example.com", "value": "v", "ttl": 60})", "", "ttl"},
      // lego's RAW mode: says to unset HTTPREQ_MODE.
      {R"({"domain": "example.com", "token": "t", "keyAuth": "k"})", "", "domain"},
      {R"(["fqdn"])", "", "", ErrorKind::kParse},
      {R"({"fqdn": "a.example.com", "value": "v",})", "", "", ErrorKind::kParse},
  };
  for (const Case& c : cases) {
    auto got = decodeAcmeChallenge(c.body);
    if (c.fqdn.empty()) {
      ASSERT_FALSE(got.ok()) << c.body;
      EXPECT_EQ(got.error().kind, c.kind) << c.body;
      EXPECT_EQ(got.error().field, c.value) << c.body << ": " << got.error().detail;
    } else {
      ASSERT_TRUE(got.ok()) << c.body << ": " << got.error().detail;
      EXPECT_EQ(got->fqdn, c.fqdn);
      EXPECT_EQ(got->value, c.value);
    }
  }
  auto raw = decodeAcmeChallenge(R"({"domain": "example.com", "token": "t", "keyAuth": "k"})");
  ASSERT_FALSE(raw.ok());
  EXPECT_NE(raw.error().detail.find("HTTPREQ_MODE"), std::string::npos) << raw.error().detail;
}

TEST(AcmeHttpreq, RelativeNames) {
  EXPECT_EQ(relativeName("_acme-challenge.example.com", "example.com"), "_acme-challenge");
  EXPECT_EQ(relativeName("_acme-challenge.www.example.com", "example.com"), "_acme-challenge.www");
  EXPECT_EQ(relativeName("example.com", "example.com"), "@");
}

TEST(AcmeHttpreq, OutcomeNamesTheZoneRecordsAndSerial) {
  AcmeOutcome outcome;
  outcome.challenge = {"_acme-challenge.www.example.com", "abc"};
  outcome.zoneUuid = "3f1c0c0e-0000-4000-8000-000000000001";
  outcome.domain = "example.com";
  outcome.records = {"3f1c0c0e-0000-4000-8000-000000000002"};
  outcome.zoneSerial = 42;
  EXPECT_EQ(
      renderAcmeOutcome(outcome),
      R"({"fqdn":"_acme-challenge.www.example.com","zone":"3f1c0c0e-0000-4000-8000-000000000001",)"
      R"("domain":"example.com","name":"_acme-challenge.www","value":"abc",)"
      R"("records":["3f1c0c0e-0000-4000-8000-000000000002"],"status":"INSYNC","zone_serial":42})");
  outcome.changeId = 7;
  EXPECT_NE(renderAcmeOutcome(outcome).find(R"("change_id":7,"zone_serial":42})"),
            std::string::npos);
}

TEST(AcmeHttpreq, NotInSyncSaysWhichNameserverLags) {
  Commit commit;
  commit.changeId = 9;
  commit.zoneSerial = 100;
  deploy::PushStatus status;
  status.known = true;
  status.nameservers = {{"ns1.example.net", "127.0.0.1:1053", true, 100, true, ""},
                        {"ns2.example.net", "127.0.0.1:1054", true, 99, false, "behind"}};
  const std::string detail =
      notInSyncDetail(commit, status, std::chrono::milliseconds(25000), false);
  EXPECT_NE(detail.find("ns2.example.net (127.0.0.1:1054) at serial 99"), std::string::npos)
      << detail;
  EXPECT_EQ(detail.find("ns1.example.net"), std::string::npos) << detail;
  EXPECT_NE(detail.find("/api/v1/changes/9/"), std::string::npos) << detail;
  EXPECT_NE(notInSyncDetail(commit, std::nullopt, std::chrono::milliseconds(5), true)
                .find("no deployment status"),
            std::string::npos);
}

}  // namespace
}  // namespace zp::api
