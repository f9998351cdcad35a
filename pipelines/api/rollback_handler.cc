#include "pipelines/api/rollback_handler.h"

#include <map>

#include "common/dns/record_type.h"
#include "pipelines/api/json.h"
#include "pipelines/api/request_body.h"

namespace zp::api {

Result<uint32_t> decodeRollbackBody(std::string_view body) {
  auto parsed = parseObject(body);
  if (!parsed) return parsed.error();
  const rapidjson::Document& doc = parsed.value();
  for (const auto& m : doc.GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (name != "serial") {
      const std::string shown = sanitizeUtf8(name.substr(0, 64));
      return Error::validation(shown,
                               "unknown field `" + shown + "`; a rollback is {\"serial\": N}");
    }
  }
  auto it = doc.FindMember("serial");
  if (it == doc.MemberEnd()) return Error::validation("serial", "serial is required");
  if (!it->value.IsUint64() || it->value.GetUint64() == 0 || it->value.GetUint64() > 0xffffffffu) {
    return Error::validation("serial",
                             "serial must be one of the zone's serials (an integer 1 to "
                             "4294967295; GET .../changes/ lists them)");
  }
  return static_cast<uint32_t>(it->value.GetUint64());
}

dns::RecordInput inputOf(const dns::RecordData& record, const dns::DnsName& zone) {
  dns::RecordInput in;
  in.type = std::string(dns::toString(record.type));
  in.name = dns::absoluteOwner(record.name, zone);
  in.value = record.value;
  in.ttl = record.ttl;
  if (record.priority) in.priority = *record.priority;
  return in;
}

std::vector<ChangeItem> rollbackChanges(std::span<const dns::Record> current,
                                        std::span<const dns::Record> target,
                                        const dns::DnsName& zone) {
  std::map<std::string, const dns::Record*> then;
  for (const auto& r : target) then.emplace(r.uuid, &r);
  std::vector<ChangeItem> out;
  for (const auto& now : current) {
    auto it = then.find(now.uuid);
    if (it == then.end()) {
      out.push_back({ChangeItem::Action::kDelete, now.uuid, {}});
      continue;
    }
    if (!(it->second->data == now.data)) {
      // Another TTL: delete and create (see import_handler.cc: one TTL per
      // RRset holds after every change of a set, and deletes go first).
      if (it->second->data.ttl != now.data.ttl) {
        out.push_back({ChangeItem::Action::kDelete, now.uuid, {}});
        out.push_back({ChangeItem::Action::kCreate, "", inputOf(it->second->data, zone)});
      } else {
        out.push_back({ChangeItem::Action::kUpdate, now.uuid, inputOf(it->second->data, zone)});
      }
    }
    then.erase(it);
  }
  for (const auto& r : target) {
    if (then.count(r.uuid) != 0)
      out.push_back({ChangeItem::Action::kCreate, "", inputOf(r.data, zone)});
  }
  return out;
}

std::string unchangedBody(const std::string& zoneUuid, uint32_t soaSerial, uint32_t recordCount,
                          bool dryRun, const std::function<void(JsonWriter&)>& extra) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writeKey(writer, "zone");
  writeString(writer, zoneUuid);
  writeKey(writer, "zone_serial");
  writer.Uint(soaSerial);
  writeKey(writer, "dry_run");
  writer.Bool(dryRun);
  writeKey(writer, "record_count");
  writer.Uint(recordCount);
  writeKey(writer, "changes");
  writer.StartArray();
  writer.EndArray();
  writeKey(writer, "zone_file_diff");
  writeString(writer, "");
  if (extra) extra(writer);
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace zp::api
