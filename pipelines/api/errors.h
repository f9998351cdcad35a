#pragma once
// THE one place that maps zp::ErrorKind to an HTTP status and API error_code,
// and builds the JSON error body {"detail", "error_code", "field"}. Handlers
// never build error bodies by hand. Pure functions, thread-safe.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/util/result.h"

namespace zp::api {

// What to answer for an Error: status, JSON body and any extra headers
// (401 carries `WWW-Authenticate: Bearer`).
struct HttpError {
  int status = 503;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

int httpStatus(ErrorKind kind);
std::string_view errorCode(ErrorKind kind);

// kInternal never leaks its detail: it becomes 503 "unavailable" with a
// generic sentence (log the real detail before calling this).
HttpError toHttp(const Error& error);

// The body alone: {"detail": "...", "error_code": "...", "field": "..."}
// (`field` only when non-empty).
std::string errorBody(const Error& error);

}  // namespace zp::api
