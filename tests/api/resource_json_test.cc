#include "pipelines/api/resource_json.h"

#include <gtest/gtest.h>

#include "pipelines/api/json.h"

namespace zp::api {
namespace {

dns::Zone zone() {
  dns::Zone z;
  z.uuid = "0b8f1c2e-4d3a-4b5c-8d9e-0123456789ab";
  z.domain = "example.com";
  z.ownerId = "alice";
  z.createdAt = 1705314600;  // 2024-01-15T10:30:00Z
  z.recordCount = 2;
  z.serial = (uint64_t{1} << 32) + 7;
  return z;
}

dns::Record record(dns::RecordType type, std::optional<uint16_t> priority) {
  dns::Record r;
  r.uuid = "11111111-2222-4333-8444-555555555555";
  r.zoneUuid = zone().uuid;
  r.data.type = type;
  r.data.name = "www";
  r.data.value = "192.0.2.1";
  r.data.ttl = 300;
  r.data.priority = priority;
  r.createdAt = 1705314600;
  r.updatedAt = 1705314660;
  return r;
}

rapidjson::Document parse(const std::string& s) {
  rapidjson::Document d;
  d.Parse(s.c_str());
  EXPECT_FALSE(d.HasParseError()) << s;
  return d;
}

TEST(ResourceJson, ZoneSummaryList) {
  const dns::Zone zones[] = {zone()};
  EXPECT_EQ(renderZoneList(zones),
            R"([{"uuid":"0b8f1c2e-4d3a-4b5c-8d9e-0123456789ab","domain":"example.com",)"
            R"("created_at":"2024-01-15T10:30:00Z","record_count":2}])");
  EXPECT_EQ(renderZoneList({}), "[]");
}

TEST(ResourceJson, ZoneDetailHasRecordsAndSerial) {
  const dns::Record records[] = {record(dns::RecordType::kA, std::nullopt)};
  auto d = parse(renderZoneDetail(zone(), records));
  EXPECT_STREQ(d["domain"].GetString(), "example.com");
  EXPECT_EQ(d["serial"].GetUint64(), 7u);  // none stored: the seq mod 2^32
  ASSERT_TRUE(d["records"].IsArray());
  EXPECT_EQ(d["records"].Size(), 1u);
  EXPECT_FALSE(d.HasMember("ownerId"));
  EXPECT_FALSE(d.HasMember("owner"));
  // Issue 8, item 6: the stored SOA serial wins (after a long idle time it is
  // not the seq's).
  dns::Zone idle = zone();
  idle.soaSerial = 11;
  EXPECT_EQ(parse(renderZoneDetail(idle, records))["serial"].GetUint64(), 11u);
}

TEST(ResourceJson, RecordFieldsAndPriority) {
  EXPECT_EQ(
      renderRecord(record(dns::RecordType::kA, std::nullopt)),
      R"({"uuid":"11111111-2222-4333-8444-555555555555","record_type":"A","name":"www",)"
      R"("value":"192.0.2.1","ttl":300,"priority":null,"created_at":"2024-01-15T10:30:00Z",)"
      R"("updated_at":"2024-01-15T10:31:00Z","zone":"0b8f1c2e-4d3a-4b5c-8d9e-0123456789ab"})");
  struct Case {
    dns::RecordType type;
    std::optional<uint16_t> priority;
    bool expectNumber;
  };
  const Case cases[] = {
      {dns::RecordType::kMx, 10, true},
      {dns::RecordType::kSrv, 0, true},
      {dns::RecordType::kA, 10, false},  // priority is null unless MX/SRV
      {dns::RecordType::kTxt, std::nullopt, false},
  };
  for (const auto& c : cases) {
    auto d = parse(renderRecord(record(c.type, c.priority)));
    EXPECT_EQ(d["priority"].IsUint(), c.expectNumber) << dns::toString(c.type);
    EXPECT_EQ(d["priority"].IsNull(), !c.expectNumber) << dns::toString(c.type);
    if (c.expectNumber) {
      EXPECT_EQ(d["priority"].GetUint(), *c.priority);
    }
  }
}

TEST(ResourceJson, TextValuesAreEscaped) {
  auto r = record(dns::RecordType::kTxt, std::nullopt);
  r.data.value = "say \"hi\"\\ \n";
  auto d = parse(renderRecord(r));
  EXPECT_EQ(std::string(d["value"].GetString()), r.data.value);
  const dns::Record list[] = {r, r};
  auto l = parse(renderRecordList(list));
  EXPECT_EQ(l.Size(), 2u);
}

}  // namespace
}  // namespace zp::api
