#pragma once
// Decoding request bodies into the domain's input types. Checks only the JSON
// shape (which fields, which JSON types); the rules for the values themselves
// (TTL range, names, addresses) belong to common/dns/validate and run in the
// validator. Stateless functions, thread-safe.
//
// Errors: kParse when the body is not one strict JSON object; kValidation
// naming the field when a field is missing ("record_type is required"), of
// the wrong type ("ttl must be an integer"), out of int64 range, or unknown
// ("unknown field `tll`"). Read-only fields the API itself returns are
// accepted and ignored, so a client may send back what it received.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/dns/record.h"
#include "common/util/result.h"
#include "pipelines/api/json.h"

namespace zp::api {

// POST /dns-zones/ {"domain": "..."}: returns the raw domain text.
Result<std::string> decodeZoneBody(std::string_view body);

// POST /dns-zones/{uuid}/records/ and PUT /dns-records/{uuid}/
// {"record_type", "name", "value", "ttl"?, "priority"?}. `null` for
// ttl/priority means absent.
Result<dns::RecordInput> decodeRecordBody(std::string_view body);
// The same for an object inside a larger body (a change set's item); the
// read-only fields (uuid, created_at, ...) are accepted there too.
Result<dns::RecordInput> decodeRecordObject(const rapidjson::Value& object);
// A required string member (`name is required`, `must be a string`, no NUL).
Result<std::string> decodeRequiredString(const rapidjson::Value& object, std::string_view name);

// A PATCH body: the fields the client sent. For ttl and priority the outer
// optional says whether the key was present, the inner one whether it was a
// number (nullopt: `null`, i.e. "back to the default" / "no priority").
struct RecordPatch {
  std::optional<std::string> type;
  std::optional<std::string> name;
  std::optional<std::string> value;
  std::optional<std::optional<int64_t>> ttl;
  std::optional<std::optional<int64_t>> priority;

  bool operator==(const RecordPatch&) const = default;
};

// PATCH /dns-records/{uuid}/: any subset of the writable record fields
// (the same field names and JSON types as decodeRecordBody; record_type,
// name and value may not be null).
Result<RecordPatch> decodeRecordPatch(std::string_view body);

}  // namespace zp::api
