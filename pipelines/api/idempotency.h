#pragma once
// Safe retries (issue 11 item 6; after the IETF httpapi Idempotency-Key
// draft and Stripe): a POST may carry `Idempotency-Key: <key>`. The store
// keeps the reply of the first successful request with that key, per user,
// for 24 hours (pipelines/store/idempotency.h), written in the same
// transaction as its change; the same key with the same request answers
// that reply again (same status and body, plus `Idempotent-Replayed: true`)
// without a second change; the same key with another request (method, path,
// query or body) is 422 idempotency_key_reused. Requests that fail are not
// remembered (they changed nothing; retrying them is safe).
//
// Keys: 1 to 255 visible ASCII characters (0x21-0x7e), e.g. a UUID; else
// 400 validation_error on Idempotency-Key. Read on POST only (PUT and DELETE
// are idempotent; a PATCH can be made safe with If-Match). POST /tokens/
// refuses it: its answer holds the token's secret, which is never stored.
// Pure functions, thread-safe.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/util/result.h"
#include "pipelines/api/api_request.h"
#include "schema/pipeline.capnp.h"

namespace zp::api {

struct IdempotencyRequest {
  std::string key;
  std::string requestHash;  // SHA-256 (32 bytes) of method, path, query and body
};

inline constexpr size_t kMaxIdempotencyKeyOctets = 255;
inline constexpr const char* kReplayedHeader = "Idempotent-Replayed";

// The request's Idempotency-Key (nullopt: none). `method` ("POST") and the
// request's path (trailing slash ignored), query parameters other than
// `wait` and `timeout_ms` (they change when the answer comes, not what it
// is) and body make the hash. Errors: validation on "Idempotency-Key".
Result<std::optional<IdempotencyRequest>> idempotencyOf(const ApiRequest& req,
                                                        std::string_view method);

// Command.idempotency, with `note` (what the API needs to answer the stored
// reply again; may be empty).
void fillIdempotency(const IdempotencyRequest& request, const std::string& note,
                     schema::Command::Builder command);

}  // namespace zp::api
