#pragma once
// The JSON of the token API (issue 9), GET/POST /api/v1/tokens/:
//   request  {"name", "permissions": [...], "zones": [uuids], "record_types": ["TXT"],
//             "names": ["_acme-challenge", "_acme-challenge.*"], "expires_at": ISO 8601,
//             "allowed_ips": ["192.0.2.0/24", "2001:db8::/32"]}; every field but
//             permissions optional, absent or null = unlimited
//   token    {"id", "name", "permissions", "zones", "record_types", "names", "expires_at",
//             "allowed_ips", "created_at", "last_used_at", "prefix"} (+ "token": the
//             secret, only in the POST's answer); absent limits are empty lists / null
// Decoding checks the JSON shape and parses expires_at; the values themselves
// are checked by auth::validateScope. Stateless functions, thread-safe.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/auth/scope.h"
#include "common/util/result.h"
#include "schema/pipeline.capnp.h"

namespace zp::api {

struct TokenRequest {
  std::string name;
  std::vector<std::string> permissions;
  auth::Scope scope;  // as sent, not yet validated
};

// Errors: kParse for malformed JSON, kValidation naming the field (unknown
// field, wrong JSON type, a name over 200 bytes, expires_at not ISO 8601 with a
// time zone, permissions missing or empty).
Result<TokenRequest> decodeTokenBody(std::string_view body);

// A token as lists show it (never the hash or the secret).
struct TokenView {
  std::string id;
  std::string name;
  std::vector<std::string> permissions;
  auth::Scope scope;
  int64_t createdAt = 0;
  int64_t lastUsedAt = 0;  // 0 = never
  std::string prefix;      // "vps_1a2b"
};

TokenView tokenView(schema::Token::Reader token);

// One token; with `secret` the answer of the POST ({"token": "vps_..."}).
std::string renderToken(const TokenView& token, const std::optional<std::string>& secret = {});
std::string renderTokenList(std::span<const TokenView> tokens);

}  // namespace zp::api
