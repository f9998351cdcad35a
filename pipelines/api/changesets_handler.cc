#include "pipelines/api/changesets_handler.h"

#include "common/auth/token.h"
#include "common/dns/change_set.h"
#include "common/dns/zone_text.h"
#include "common/schema/codec.h"
#include "pipelines/api/change_json.h"
#include "pipelines/api/json.h"
#include "pipelines/api/request_body.h"

namespace zp::api {
namespace {

Error internalError(std::string detail) { return {ErrorKind::kInternal, "", std::move(detail)}; }

Result<ChangeItem> decodeItem(rapidjson::Value& object) {
  if (!object.IsObject()) {
    return Error::validation("", "each change must be a JSON object with an `action`");
  }
  auto action = decodeRequiredString(object, "action");
  if (!action) return action.error();
  ChangeItem item;
  if (*action == "create") {
    item.action = ChangeItem::Action::kCreate;
  } else if (*action == "update") {
    item.action = ChangeItem::Action::kUpdate;
  } else if (*action == "delete") {
    item.action = ChangeItem::Action::kDelete;
  } else {
    return Error::validation("action", "action must be create, update or delete");
  }
  object.RemoveMember("action");
  if (item.action != ChangeItem::Action::kCreate) {
    auto uuid = decodeRequiredString(object, "uuid");
    if (!uuid) return uuid.error();
    item.uuid = std::move(uuid).value();
  }
  if (item.action == ChangeItem::Action::kDelete) {
    for (const auto& m : object.GetObject()) {
      const std::string_view name(m.name.GetString(), m.name.GetStringLength());
      if (name != "uuid") {
        const std::string shown = sanitizeUtf8(name.substr(0, 64));
        return Error::validation(shown,
                                 "a delete takes only `action` and `uuid`, not `" + shown + "`");
      }
    }
    return item;
  }
  if (item.action == ChangeItem::Action::kCreate && object.HasMember("uuid")) {
    return Error::validation("uuid", "a create takes no uuid (the store assigns it)");
  }
  auto input = decodeRecordObject(object);
  if (!input) return input.error();
  item.input = std::move(input).value();
  return item;
}

}  // namespace

Result<std::vector<ChangeItem>> decodeChangeSetBody(std::string_view body) {
  auto parsed = parseObject(body);
  if (!parsed) return parsed.error();
  rapidjson::Document& doc = parsed.value();
  for (const auto& m : doc.GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (name != "changes") {
      const std::string shown = sanitizeUtf8(name.substr(0, 64));
      return Error::validation(
          shown, "unknown field `" + shown + "`; a change set is {\"changes\": [...]}");
    }
  }
  auto it = doc.FindMember("changes");
  if (it == doc.MemberEnd()) return Error::validation("changes", "changes is required");
  if (!it->value.IsArray()) return Error::validation("changes", "changes must be an array");
  auto array = it->value.GetArray();
  if (array.Empty()) return Error::validation("changes", "a change set needs at least one change");
  if (array.Size() > dns::kMaxChangeSetItems) {
    return Error::validation("changes", "a change set holds at most " +
                                            std::to_string(dns::kMaxChangeSetItems) +
                                            " changes; split it into several sets");
  }
  std::vector<ChangeItem> items;
  items.reserve(array.Size());
  for (rapidjson::SizeType i = 0; i < array.Size(); ++i) {
    auto item = decodeItem(array[i]);
    if (!item) return dns::itemError(i, item.error());
    items.push_back(std::move(item).value());
  }
  return items;
}

Status checkActions(std::span<const std::string> permissions,
                    const std::vector<ChangeItem>& items) {
  for (size_t i = 0; i < items.size(); ++i) {
    const auth::Permission needed =
        items[i].action == ChangeItem::Action::kCreate   ? auth::Permission::kCreate
        : items[i].action == ChangeItem::Action::kUpdate ? auth::Permission::kUpdate
                                                         : auth::Permission::kDelete;
    if (!auth::allows(permissions, needed)) {
      return dns::itemError(
          i, Error{ErrorKind::kPermission, "",
                   "token lacks the " + std::string(auth::toString(needed)) + " permission"});
    }
  }
  return std::nullopt;
}

Result<bool> parseDryRun(const std::optional<std::string>& raw) {
  if (!raw || *raw == "false" || *raw == "0") return false;
  if (*raw == "true" || *raw == "1") return true;
  return Error::validation("dry_run", "dry_run must be true or false");
}

Result<std::string> changeSetBody(schema::Reply::Reader reply, bool dryRun,
                                  const std::function<void(JsonWriter&)>& extra) {
  if (!reply.getBody().isChangeSet()) {
    return internalError("the pipeline answered a change set with another body");
  }
  auto set = reply.getBody().getChangeSet();
  const dns::Zone zone = schema::fromSchema(set.getZone());
  std::string diff;
  for (const auto& line : schema::changedLines(set.getChanges(), zone.domain)) diff += line + "\n";
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writeKey(writer, "zone");
  writeString(writer, zone.uuid);
  writeKey(writer, "zone_serial");
  writer.Uint(dns::soaSerialOf(zone));
  writeKey(writer, "dry_run");
  writer.Bool(dryRun);
  writeKey(writer, "record_count");
  writer.Uint(zone.recordCount);
  writeKey(writer, "changes");
  writer.StartArray();
  for (auto event : set.getChanges()) writeChange(writer, event);
  writer.EndArray();
  writeKey(writer, "zone_file_diff");
  writeString(writer, diff);
  if (extra) extra(writer);
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace zp::api
