// PATCH merge rules (record_merge.h): what the API sends as the whole record.
#include "pipelines/api/record_merge.h"

#include <gtest/gtest.h>

namespace zp::api {
namespace {

using OptNum = std::optional<std::optional<int64_t>>;
const OptNum kNull = OptNum(std::optional<int64_t>());

dns::Record stored(dns::RecordType type, std::string name, std::string value, uint32_t ttl,
                   std::optional<uint16_t> priority) {
  dns::Record r;
  r.uuid = "11111111-2222-4333-8444-555555555555";
  r.zoneUuid = "66666666-7777-4888-9999-000000000000";
  r.data = {type, std::move(name), std::move(value), ttl, priority};
  return r;
}

RecordPatch patch(std::optional<std::string> type, std::optional<std::string> name,
                  std::optional<std::string> value, OptNum ttl, OptNum priority) {
  return {std::move(type), std::move(name), std::move(value), ttl, priority};
}

struct Case {
  const char* what;
  dns::Record before;
  RecordPatch change;
  dns::RecordInput want;
};

TEST(MergePatch, LaysSentFieldsOverTheStoredRecord) {
  const auto mx = stored(dns::RecordType::kMx, "@", "mail.example.com", 3600, 10);
  const auto a = stored(dns::RecordType::kA, "www", "192.0.2.1", 300, std::nullopt);
  const auto srv = stored(dns::RecordType::kSrv, "_sip._tcp", "5 5060 sip.example.com", 600, 20);
  const Case cases[] = {
      {"ttl only keeps everything else",
       mx,
       patch({}, {}, {}, OptNum(1800), {}),
       {"MX", "@", "mail.example.com", 1800, 10}},
      {"empty patch resends the record",
       a,
       patch({}, {}, {}, {}, {}),
       {"A", "www", "192.0.2.1", 300, std::nullopt}},
      {"ttl null means the default",
       a,
       patch({}, {}, {}, kNull, {}),
       {"A", "www", "192.0.2.1", std::nullopt, std::nullopt}},
      {"priority null clears it (the validator then rejects MX)",
       mx,
       patch({}, {}, {}, {}, kNull),
       {"MX", "@", "mail.example.com", 3600, std::nullopt}},
      {"new priority",
       mx,
       patch({}, {}, {}, {}, OptNum(20)),
       {"MX", "@", "mail.example.com", 3600, 20}},
      {"value and name",
       a,
       patch({}, "api", "192.0.2.9", {}, {}),
       {"A", "api", "192.0.2.9", 300, std::nullopt}},
      {"type change to one without priority drops it",
       mx,
       patch("CNAME", {}, "other.example.net", {}, {}),
       {"CNAME", "@", "other.example.net", 3600, std::nullopt}},
      {"type change between priority types keeps it",
       mx,
       patch("SRV", "_sip._udp", "1 5060 sip.example.com", {}, {}),
       {"SRV", "_sip._udp", "1 5060 sip.example.com", 3600, 10}},
      {"type change to MX without priority stays without (validator says so)",
       a,
       patch("MX", {}, "mail.example.com", {}, {}),
       {"MX", "www", "mail.example.com", 300, std::nullopt}},
      {"an explicit priority wins over the type rule",
       mx,
       patch("A", {}, "192.0.2.1", {}, OptNum(5)),
       {"A", "@", "192.0.2.1", 3600, 5}},
      {"an unknown type is passed on for the validator to reject",
       mx,
       patch("mx", {}, {}, {}, {}),
       {"mx", "@", "mail.example.com", 3600, 10}},
      {"out-of-range numbers are passed on for the validator to reject",
       a,
       patch({}, {}, {}, OptNum(-1), OptNum(70000)),
       {"A", "www", "192.0.2.1", -1, 70000}},
      {"a dotted stored name without the zone's domain stays as it is",
       srv,
       patch({}, {}, {}, OptNum(60), {}),
       {"SRV", "_sip._tcp", "5 5060 sip.example.com", 60, 20}},
  };
  for (const auto& c : cases) {
    const auto got = mergePatch(c.before, c.change);
    EXPECT_EQ(got.type, c.want.type) << c.what;
    EXPECT_EQ(got.name, c.want.name) << c.what;
    EXPECT_EQ(got.value, c.want.value) << c.what;
    EXPECT_EQ(got.ttl, c.want.ttl) << c.what;
    EXPECT_EQ(got.priority, c.want.priority) << c.what;
  }
}

TEST(MergePatch, DottedStoredNamesGoAbsoluteSoTheStoreCannotReadThemDifferently) {
  struct NameCase {
    const char* storedName;
    std::optional<std::string> sentName;
    bool needsDomain;
    const char* want;
  };
  const NameCase cases[] = {
      {"@", std::nullopt, false, "@"},
      {"www", std::nullopt, false, "www"},
      // "a.example.com" stored in example.com means a.example.com.example.com.
      {"a.example.com", std::nullopt, true, "a.example.com.example.com."},
      {"example.com", std::nullopt, true, "example.com.example.com."},
      {"_sip._tcp", std::nullopt, true, "_sip._tcp.example.com."},
      {"*.dev", std::nullopt, true, "*.dev.example.com."},
      // A name the client sends is used as sent, exactly as on create.
      {"a.example.com", std::string("b.example.com"), false, "b.example.com"},
      {"www", std::string("@"), false, "@"},
  };
  for (const auto& c : cases) {
    const auto before = stored(dns::RecordType::kA, c.storedName, "192.0.2.1", 3600, std::nullopt);
    const auto change = patch({}, c.sentName, {}, OptNum(1800), {});
    EXPECT_EQ(mergeNeedsZoneDomain(before, change), c.needsDomain) << c.storedName;
    EXPECT_EQ(mergePatch(before, change, "example.com").name, c.want) << c.storedName;
  }
}

}  // namespace
}  // namespace zp::api
