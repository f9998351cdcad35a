#include "pipelines/api/token_json.h"

#include <array>

#include "common/schema/codec.h"
#include "common/util/ids.h"
#include "pipelines/api/json.h"

namespace zp::api {
namespace {

constexpr size_t kMaxNameOctets = 200;
constexpr std::array<std::string_view, 7> kFields = {
    "name", "permissions", "zones", "record_types", "names", "expires_at", "allowed_ips"};
// What the API returns, accepted and ignored (a client may send back a token).
constexpr std::array<std::string_view, 5> kReadOnly = {"id", "created_at", "last_used_at", "prefix",
                                                       "token"};

const rapidjson::Value* member(const rapidjson::Value& object, std::string_view name) {
  auto it = object.FindMember(rapidjson::Value(
      rapidjson::StringRef(name.data(), static_cast<rapidjson::SizeType>(name.size()))));
  return it == object.MemberEnd() ? nullptr : &it->value;
}

bool hasNul(std::string_view text) { return text.find('\0') != std::string_view::npos; }

// Absent or null -> empty; else an array of strings.
Result<std::vector<std::string>> stringList(const rapidjson::Value& object, std::string_view name) {
  std::vector<std::string> out;
  const rapidjson::Value* v = member(object, name);
  if (v == nullptr || v->IsNull()) return out;
  const std::string field(name);
  if (!v->IsArray()) return Error::validation(field, field + " must be an array of strings");
  for (const auto& item : v->GetArray()) {
    if (!item.IsString()) return Error::validation(field, field + " must be an array of strings");
    std::string text(item.GetString(), item.GetStringLength());
    if (hasNul(text) || !isValidUtf8(text)) {
      return Error::validation(field, field + " holds an invalid string");
    }
    out.push_back(std::move(text));
  }
  return out;
}

void writeList(JsonWriter& w, std::string_view key, const std::vector<std::string>& items) {
  writeKey(w, key);
  w.StartArray();
  for (const auto& item : items) writeString(w, item);
  w.EndArray();
}

void writeTime(JsonWriter& w, std::string_view key, int64_t time) {
  writeKey(w, key);
  if (time == 0) {
    w.Null();
  } else {
    writeString(w, isoTime(time));
  }
}

void writeToken(JsonWriter& w, const TokenView& t, const std::optional<std::string>& secret) {
  w.StartObject();
  writeKey(w, "id");
  writeString(w, t.id);
  if (secret) {
    writeKey(w, "token");
    writeString(w, *secret);
  }
  writeKey(w, "name");
  writeString(w, t.name);
  writeList(w, "permissions", t.permissions);
  writeList(w, "zones", t.scope.zones);
  writeList(w, "record_types", t.scope.recordTypes);
  writeList(w, "names", t.scope.names);
  writeTime(w, "expires_at", t.scope.expiresAt);
  writeList(w, "allowed_ips", t.scope.allowedIps);
  writeTime(w, "created_at", t.createdAt);
  writeTime(w, "last_used_at", t.lastUsedAt);
  writeKey(w, "prefix");
  writeString(w, t.prefix);
  w.EndObject();
}

}  // namespace

Result<TokenRequest> decodeTokenBody(std::string_view body) {
  auto doc = parseObject(body);
  if (!doc) return doc.error();
  for (const auto& m : doc->GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    bool known = false;
    for (auto f : kFields) known = known || f == name;
    for (auto f : kReadOnly) known = known || f == name;
    if (!known) {
      const std::string shown = sanitizeUtf8(name.substr(0, 64));
      return Error::validation(shown, "unknown field `" + shown + "`");
    }
  }
  TokenRequest out;
  if (const rapidjson::Value* name = member(*doc, "name"); name != nullptr && !name->IsNull()) {
    if (!name->IsString()) return Error::validation("name", "name must be a string");
    out.name.assign(name->GetString(), name->GetStringLength());
    if (out.name.size() > kMaxNameOctets || hasNul(out.name)) {
      return Error::validation("name", "name must be at most " + std::to_string(kMaxNameOctets) +
                                           " bytes, without NUL characters");
    }
  }
  auto permissions = stringList(*doc, "permissions");
  if (!permissions) return permissions.error();
  if (permissions->empty()) {
    return Error::validation("permissions",
                             "permissions is required: a list such as [\"dns:read\"]");
  }
  out.permissions = std::move(permissions).value();
  auto zones = stringList(*doc, "zones");
  if (!zones) return zones.error();
  out.scope.zones = std::move(zones).value();
  auto types = stringList(*doc, "record_types");
  if (!types) return types.error();
  out.scope.recordTypes = std::move(types).value();
  auto names = stringList(*doc, "names");
  if (!names) return names.error();
  out.scope.names = std::move(names).value();
  auto ips = stringList(*doc, "allowed_ips");
  if (!ips) return ips.error();
  out.scope.allowedIps = std::move(ips).value();
  if (const rapidjson::Value* at = member(*doc, "expires_at"); at != nullptr && !at->IsNull()) {
    std::optional<int64_t> time;
    if (at->IsString())
      time = parseIsoTime(std::string_view(at->GetString(), at->GetStringLength()));
    if (!time) {
      return Error::validation("expires_at",
                               "expires_at must be an ISO 8601 time with a zone, such as "
                               "2026-12-31T23:59:59Z");
    }
    out.scope.expiresAt = *time;
  }
  return out;
}

TokenView tokenView(schema::Token::Reader token) {
  TokenView v;
  v.id = token.getId();
  v.name = token.getName();
  for (auto p : token.getPermissions()) v.permissions.emplace_back(p.cStr());
  if (token.hasScope()) v.scope = schema::fromSchema(token.getScope());
  v.createdAt = token.getCreatedAt();
  v.lastUsedAt = token.getLastUsedAt();
  v.prefix = token.getPrefix();
  return v;
}

std::string renderToken(const TokenView& token, const std::optional<std::string>& secret) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  writeToken(w, token, secret);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string renderTokenList(std::span<const TokenView> tokens) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartArray();
  for (const auto& t : tokens) writeToken(w, t, std::nullopt);
  w.EndArray();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace zp::api
