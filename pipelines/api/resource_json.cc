#include "pipelines/api/resource_json.h"

#include "common/dns/record_spec.h"
#include "common/dns/zone.h"
#include "common/util/ids.h"

namespace zp::api {
namespace {

void writeZoneFields(JsonWriter& writer, const dns::Zone& zone) {
  writeKey(writer, "uuid");
  writeString(writer, zone.uuid);
  writeKey(writer, "domain");
  writeString(writer, zone.domain);
  writeKey(writer, "created_at");
  writeString(writer, isoTime(zone.createdAt));
  writeKey(writer, "record_count");
  writer.Uint(zone.recordCount);
}

// A record renders to about 250 bytes: size the buffer once instead of
// letting it double its way up (each doubling copies everything so far).
constexpr size_t kRecordBytes = 320;
constexpr size_t kZoneBytes = 256;

std::string take(const rapidjson::StringBuffer& buffer) {
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

void writeZoneSummary(JsonWriter& writer, const dns::Zone& zone) {
  writer.StartObject();
  writeZoneFields(writer, zone);
  writer.EndObject();
}

void writeRecord(JsonWriter& writer, const dns::Record& record) {
  const auto& d = record.data;
  writer.StartObject();
  writeKey(writer, "uuid");
  writeString(writer, record.uuid);
  writeKey(writer, "record_type");
  writeString(writer, dns::toString(d.type));
  writeKey(writer, "name");
  writeString(writer, d.name);
  writeKey(writer, "value");
  writeString(writer, d.value);
  writeKey(writer, "ttl");
  writer.Uint(d.ttl);
  writeKey(writer, "priority");
  const bool hasPriority = dns::specFor(d.type).priority == dns::PriorityRule::kRequired;
  if (hasPriority && d.priority) {
    writer.Uint(*d.priority);
  } else {
    writer.Null();
  }
  writeKey(writer, "created_at");
  writeString(writer, isoTime(record.createdAt));
  writeKey(writer, "updated_at");
  writeString(writer, isoTime(record.updatedAt));
  writeKey(writer, "zone");
  writeString(writer, record.zoneUuid);
  writer.EndObject();
}

std::string renderZoneList(std::span<const dns::Zone> zones) {
  rapidjson::StringBuffer buffer(nullptr, 16 + zones.size() * kZoneBytes);
  JsonWriter writer(buffer);
  writer.StartArray();
  for (const auto& zone : zones) writeZoneSummary(writer, zone);
  writer.EndArray();
  return take(buffer);
}

std::string renderZoneDetail(const dns::Zone& zone, std::span<const dns::Record> records) {
  rapidjson::StringBuffer buffer(nullptr, kZoneBytes + records.size() * kRecordBytes);
  JsonWriter writer(buffer);
  writer.StartObject();
  writeZoneFields(writer, zone);
  writeKey(writer, "serial");
  writer.Uint(dns::soaSerialOf(zone));
  writeKey(writer, "records");
  writer.StartArray();
  for (const auto& record : records) writeRecord(writer, record);
  writer.EndArray();
  writer.EndObject();
  return take(buffer);
}

std::string renderRecord(const dns::Record& record) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writeRecord(writer, record);
  return take(buffer);
}

std::string renderRecordList(std::span<const dns::Record> records) {
  rapidjson::StringBuffer buffer(nullptr, 16 + records.size() * kRecordBytes);
  JsonWriter writer(buffer);
  writer.StartArray();
  for (const auto& record : records) writeRecord(writer, record);
  writer.EndArray();
  return take(buffer);
}

}  // namespace zp::api
