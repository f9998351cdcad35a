#include "pipelines/api/change_json.h"

#include "common/dns/serial.h"
#include "common/schema/codec.h"
#include "common/util/ids.h"
#include "pipelines/api/resource_json.h"

namespace zp::api {
namespace {

void writeRecordOrNull(JsonWriter& writer, bool present, schema::Record::Reader record) {
  if (present) {
    writeRecord(writer, schema::fromSchema(record));
  } else {
    writer.Null();
  }
}

}  // namespace

std::string_view changeAction(schema::Event::Change::Which which) {
  using C = schema::Event::Change;
  switch (which) {
    case C::ZONE_CREATED:
      return "zone_created";
    case C::ZONE_DELETED:
      return "zone_deleted";
    case C::RECORD_CREATED:
      return "record_created";
    case C::RECORD_DELETED:
      return "record_deleted";
    case C::RECORD_UPDATED:
      return "record_updated";
    case C::TOKEN_CREATED:
      return "token_created";
    case C::TOKEN_REVOKED:
      return "token_revoked";
    case C::USER_CREATED:
      return "user_created";
    case C::USER_DISABLED:
      return "user_disabled";
    case C::USER_PASSWORD_CHANGED:
      return "user_password_changed";
  }
  return "unknown";
}

void writeChange(JsonWriter& writer, schema::Event::Reader event) {
  using C = schema::Event::Change;
  const auto change = event.getChange();
  const auto which = change.which();
  writer.StartObject();
  writeKey(writer, "seq");
  writer.Uint64(event.getSeq());
  writeKey(writer, "serial");
  writer.Uint(dns::storedOrDerivedSerial(event.getSoaSerial(), event.getSeq()));
  writeKey(writer, "time");
  writeString(writer, isoTime(event.getTime()));
  writeKey(writer, "action");
  writeString(writer, changeAction(which));
  writeKey(writer, "before");
  if (which == C::RECORD_UPDATED) {
    writeRecordOrNull(writer, true, change.getRecordUpdated().getBefore());
  } else if (which == C::RECORD_DELETED) {
    writeRecordOrNull(writer, true, change.getRecordDeleted());
  } else {
    writer.Null();
  }
  writeKey(writer, "after");
  if (which == C::RECORD_UPDATED) {
    writeRecordOrNull(writer, true, change.getRecordUpdated().getAfter());
  } else if (which == C::RECORD_CREATED) {
    writeRecordOrNull(writer, true, change.getRecordCreated());
  } else {
    writer.Null();
  }
  writeKey(writer, "token_id");
  writeString(writer, std::string_view(event.getActor().getTokenId().cStr()));
  writer.EndObject();
}

std::string renderChangeList(capnp::List<schema::Event>::Reader events) {
  rapidjson::StringBuffer buffer(nullptr, 16 + events.size() * 700);
  JsonWriter writer(buffer);
  writer.StartArray();
  for (auto event : events) writeChange(writer, event);
  writer.EndArray();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace zp::api
