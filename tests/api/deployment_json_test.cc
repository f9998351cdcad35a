// The deployment members of the zone detail (deployment_json.h): spliced into
// the cached zone JSON, null when the status is unknown, in_sync only for the
// zone's current serial.
#include "pipelines/api/deployment_json.h"

#include <gtest/gtest.h>

#include <rapidjson/document.h>

#include <stdexcept>

namespace zp::api {
namespace {

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  EXPECT_FALSE(d.HasParseError()) << text;
  return d;
}

deploy::PushStatus deployed(uint32_t primary, uint32_t secondary, bool secondaryAnswers = true) {
  deploy::PushStatus s;
  s.known = true;
  s.deployedSerial = primary;
  s.wantedSerial = primary;
  s.nameservers = {{"ns1.zonepipe.test", "127.0.0.1:1053", true, primary, true, ""},
                   {"ns2.zonepipe.test", "127.0.0.2:1053", secondaryAnswers, secondary,
                    secondaryAnswers && secondary == primary,
                    secondary == primary ? "" : "serves an older serial"}};
  return s;
}

TEST(DeploymentJson, UnknownStatusIsThreeNullsAppendedToTheZone) {
  const std::string out = withDeployment(R"({"uuid":"u","serial":7})", 7, std::nullopt);
  EXPECT_EQ(out, R"({"uuid":"u","serial":7,"nameservers":null,"deployed_serial":null,)"
                 R"("last_error":null})");
  EXPECT_EQ(withDeployment("{}", 1, std::nullopt),
            R"({"nameservers":null,"deployed_serial":null,"last_error":null})");
}

TEST(DeploymentJson, NotAnObjectIsABug) {
  for (const char* bad : {"", "{", "[]", "null", "}"}) {
    EXPECT_THROW((void)withDeployment(bad, 1, std::nullopt), std::logic_error) << bad;
  }
}

TEST(DeploymentJson, InSyncOnlyAtTheZonesCurrentSerial) {
  struct Case {
    const char* what;
    uint32_t zoneSoaSerial;  // dns::soaSerialOf(the zone)
    deploy::PushStatus status;
    bool primaryInSync, secondaryInSync;
  };
  deploy::PushStatus unknownZone;
  unknownZone.nameservers = {{"ns1.zonepipe.test", "127.0.0.1:1053", false, 0, false, ""}};
  const Case cases[] = {
      {"both serve it", 9, deployed(9, 9), true, true},
      {"secondary behind", 9, deployed(9, 8), true, false},
      {"secondary silent", 9, deployed(9, 9, false), true, false},
      {"a newer version not yet deployed", 10, deployed(9, 9), false, false},
      // issue 8, item 6: after a long idle time the zone's SOA serial is not its
      // seq mod 2^32; in sync means serving the SOA serial
      {"the SOA serial is compared", 102, deployed(102, 102), true, true},
      {"the SOA serial is compared, secondary behind", 102, deployed(102, 101), true, false},
  };
  for (const auto& c : cases) {
    auto d = parse(withDeployment("{}", c.zoneSoaSerial, c.status));
    ASSERT_TRUE(d["nameservers"].IsArray()) << c.what;
    ASSERT_EQ(d["nameservers"].Size(), 2u) << c.what;
    EXPECT_EQ(d["nameservers"][0]["in_sync"].GetBool(), c.primaryInSync) << c.what;
    EXPECT_EQ(d["nameservers"][1]["in_sync"].GetBool(), c.secondaryInSync) << c.what;
    for (const auto& ns : d["nameservers"].GetArray()) {
      EXPECT_EQ(std::string(ns["detail"].GetString()).empty(), ns["in_sync"].GetBool()) << c.what;
    }
    EXPECT_EQ(d["deployed_serial"].GetUint(), c.status.deployedSerial) << c.what;
  }
  auto silent = parse(withDeployment("{}", 9, deployed(9, 9, false)));
  EXPECT_TRUE(silent["nameservers"][1]["serial"].IsNull());

  auto none = parse(withDeployment("{}", 3, unknownZone));
  EXPECT_TRUE(none["deployed_serial"].IsNull());
  EXPECT_FALSE(none["nameservers"][0]["in_sync"].GetBool());
  EXPECT_STREQ(none["nameservers"][0]["detail"].GetString(), "the zone is not deployed yet");

  auto failed = deployed(9, 9);
  failed.lastError = "named-checkzone refused serial 10";
  EXPECT_STREQ(parse(withDeployment("{}", 9, failed))["last_error"].GetString(),
               "named-checkzone refused serial 10");
}

}  // namespace
}  // namespace zp::api
