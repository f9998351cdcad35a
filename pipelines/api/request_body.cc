#include "pipelines/api/request_body.h"

#include <array>
#include <cmath>
#include <optional>

#include "pipelines/api/json.h"

namespace zp::api {
namespace {

struct FieldRule {
  std::string_view name;
  bool required;
  bool integer;  // else string
};

constexpr std::array<FieldRule, 1> kZoneFields = {{{"domain", true, false}}};
constexpr std::array<std::string_view, 8> kZoneReadOnly = {
    "uuid",   "created_at",  "record_count",    "records",
    "serial", "nameservers", "deployed_serial", "last_error"};

constexpr std::array<FieldRule, 5> kRecordFields = {{
    {"record_type", true, false},
    {"name", true, false},
    {"value", true, false},
    {"ttl", false, true},
    {"priority", false, true},
}};
constexpr std::array<std::string_view, 4> kRecordReadOnly = {"uuid", "created_at", "updated_at",
                                                             "zone"};

template <size_t N, size_t M>
Status rejectUnknown(const rapidjson::Value& object, const std::array<FieldRule, N>& fields,
                     const std::array<std::string_view, M>& readOnly) {
  for (const auto& member : object.GetObject()) {
    const std::string_view name(member.name.GetString(), member.name.GetStringLength());
    bool known = false;
    for (const auto& f : fields) known = known || f.name == name;
    for (const auto& r : readOnly) known = known || r == name;
    if (!known) {
      const std::string shown = sanitizeUtf8(name.substr(0, 64));
      return Error::validation(shown, "unknown field `" + shown + "`");
    }
  }
  return std::nullopt;
}

const rapidjson::Value* member(const rapidjson::Value& object, std::string_view name) {
  auto it = object.FindMember(rapidjson::Value(
      rapidjson::StringRef(name.data(), static_cast<rapidjson::SizeType>(name.size()))));
  return it == object.MemberEnd() ? nullptr : &it->value;
}

Result<std::string> requiredString(const rapidjson::Value& object, std::string_view name) {
  const rapidjson::Value* v = member(object, name);
  if (v == nullptr) return Error::validation(std::string(name), std::string(name) + " is required");
  if (!v->IsString()) {
    return Error::validation(std::string(name), std::string(name) + " must be a string");
  }
  std::string text(v->GetString(), v->GetStringLength());
  // An escaped \u0000 is valid JSON but no valid DNS text, and would be cut
  // off by Cap'n Proto's NUL-terminated Text: refuse it here.
  if (text.find('\0') != std::string::npos) {
    return Error::validation(std::string(name),
                             std::string(name) + " must not contain NUL (\\u0000) characters");
  }
  return text;
}

// Absent or null -> nullopt; an integer within int64 -> its value.
Result<std::optional<int64_t>> optionalInteger(const rapidjson::Value& object,
                                               std::string_view name) {
  const rapidjson::Value* v = member(object, name);
  if (v == nullptr || v->IsNull()) return std::optional<int64_t>();
  const std::string field(name);
  if (v->IsInt64()) return std::optional<int64_t>(v->GetInt64());
  if (v->IsUint64()) return Error::validation(field, field + " is out of range");
  if (v->IsDouble()) {
    const double d = v->GetDouble();
    if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) >= 9223372036854775808.0) {
      return Error::validation(field, field + " is out of range");
    }
  }
  return Error::validation(field, field + " must be an integer");
}

// Absent -> nullopt; otherwise a string (null is not one).
Result<std::optional<std::string>> optionalString(const rapidjson::Value& object,
                                                  std::string_view name) {
  if (member(object, name) == nullptr) return std::optional<std::string>();
  auto text = requiredString(object, name);
  if (!text) return text.error();
  return std::optional<std::string>(std::move(text).value());
}

// Absent -> nullopt; null -> an empty inner optional; else as optionalInteger.
Result<std::optional<std::optional<int64_t>>> presentInteger(const rapidjson::Value& object,
                                                             std::string_view name) {
  using Out = std::optional<std::optional<int64_t>>;
  if (member(object, name) == nullptr) return Out();
  auto number = optionalInteger(object, name);
  if (!number) return number.error();
  return Out(*number);
}

}  // namespace

Result<std::string> decodeZoneBody(std::string_view body) {
  auto doc = parseObject(body);
  if (!doc) return doc.error();
  if (auto error = rejectUnknown(*doc, kZoneFields, kZoneReadOnly)) return std::move(*error);
  return requiredString(*doc, "domain");
}

Result<dns::RecordInput> decodeRecordBody(std::string_view body) {
  auto doc = parseObject(body);
  if (!doc) return doc.error();
  return decodeRecordObject(*doc);
}

Result<std::string> decodeRequiredString(const rapidjson::Value& object, std::string_view name) {
  return requiredString(object, name);
}

Result<dns::RecordInput> decodeRecordObject(const rapidjson::Value& object) {
  const rapidjson::Value& doc = object;
  if (auto error = rejectUnknown(doc, kRecordFields, kRecordReadOnly)) return std::move(*error);
  dns::RecordInput input;
  auto type = requiredString(doc, "record_type");
  if (!type) return type.error();
  input.type = std::move(type).value();
  auto name = requiredString(doc, "name");
  if (!name) return name.error();
  input.name = std::move(name).value();
  auto value = requiredString(doc, "value");
  if (!value) return value.error();
  input.value = std::move(value).value();
  auto ttl = optionalInteger(doc, "ttl");
  if (!ttl) return ttl.error();
  input.ttl = *ttl;
  auto priority = optionalInteger(doc, "priority");
  if (!priority) return priority.error();
  input.priority = *priority;
  return input;
}

Result<RecordPatch> decodeRecordPatch(std::string_view body) {
  auto doc = parseObject(body);
  if (!doc) return doc.error();
  if (auto error = rejectUnknown(*doc, kRecordFields, kRecordReadOnly)) return std::move(*error);
  RecordPatch patch;
  auto type = optionalString(*doc, "record_type");
  if (!type) return type.error();
  patch.type = std::move(type).value();
  auto name = optionalString(*doc, "name");
  if (!name) return name.error();
  patch.name = std::move(name).value();
  auto value = optionalString(*doc, "value");
  if (!value) return value.error();
  patch.value = std::move(value).value();
  auto ttl = presentInteger(*doc, "ttl");
  if (!ttl) return ttl.error();
  patch.ttl = *ttl;
  auto priority = presentInteger(*doc, "priority");
  if (!priority) return priority.error();
  patch.priority = *priority;
  return patch;
}

}  // namespace zp::api
