#include "pipelines/api/errors.h"

#include "pipelines/api/json.h"

namespace zp::api {
namespace {

constexpr std::string_view kInternalDetail =
    "the service could not complete the request; try again later";

struct Mapping {
  ErrorKind kind;
  int status;
  std::string_view code;
};

// The table of API.md; kInternal is answered as unavailable.
constexpr Mapping kMappings[] = {
    {ErrorKind::kParse, 400, "parse_error"},
    {ErrorKind::kValidation, 400, "validation_error"},
    {ErrorKind::kZoneExists, 400, "zone_exists"},
    {ErrorKind::kRecordConflict, 400, "record_conflict"},
    {ErrorKind::kAuthentication, 401, "authentication_failed"},
    {ErrorKind::kPermission, 403, "permission_denied"},
    {ErrorKind::kNotFound, 404, "not_found"},
    {ErrorKind::kMethodNotAllowed, 405, "method_not_allowed"},
    {ErrorKind::kPayloadTooLarge, 413, "payload_too_large"},
    {ErrorKind::kRateLimited, 429, "rate_limited"},
    {ErrorKind::kUnavailable, 503, "unavailable"},
    // RFC 4918 section 11.5: the store cannot save more until an operator
    // frees disk space or raises store.map_size_max; reads keep working.
    {ErrorKind::kInsufficientStorage, 507, "insufficient_storage"},
    // RFC 9110 section 15.5.13: If-Match named none of the target's current
    // ETags, or If-None-Match: * found the record already there.
    {ErrorKind::kPreconditionFailed, 412, "precondition_failed"},
    // RFC 9110 section 15.5.21 (and the IETF idempotency-key draft): the key
    // was used before with another request; nothing was changed.
    {ErrorKind::kIdempotencyKeyReused, 422, "idempotency_key_reused"},
    {ErrorKind::kInternal, 503, "unavailable"},  // last: unknown kinds map here
};

const Mapping& find(ErrorKind kind) {
  for (const auto& m : kMappings) {
    if (m.kind == kind) return m;
  }
  return kMappings[std::size(kMappings) - 1];  // unknown kinds are internal
}

}  // namespace

int httpStatus(ErrorKind kind) { return find(kind).status; }

std::string_view errorCode(ErrorKind kind) { return find(kind).code; }

std::string errorBody(const Error& error) {
  const bool internal = error.kind == ErrorKind::kInternal;
  std::string_view detail = internal ? kInternalDetail : std::string_view(error.detail);
  if (detail.empty()) detail = kInternalDetail;
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writeKey(writer, "detail");
  writeString(writer, detail);
  writeKey(writer, "error_code");
  writeString(writer, errorCode(error.kind));
  if (!internal && !error.field.empty()) {
    writeKey(writer, "field");
    writeString(writer, error.field);
  }
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

HttpError toHttp(const Error& error) {
  HttpError out;
  out.status = httpStatus(error.kind);
  out.body = errorBody(error);
  if (error.kind == ErrorKind::kAuthentication)
    out.headers.emplace_back("WWW-Authenticate", "Bearer");
  return out;
}

}  // namespace zp::api
