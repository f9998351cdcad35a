#pragma once
// An HTTP request to /api/v1 as the handlers see it: copied out of Pistache's
// request by server.cc (the only Pistache translation unit), so handlers and
// their tests need no HTTP library. A value type; thread-compatible.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zp::api {

struct ApiRequest {
  std::string target;     // the path as sent ("/api/v1/dns-zones/"), for messages
  std::string pathParam;  // the path's {uuid} or {id} as sent, "" when none
  // Query parameters in request order, values still percent-encoded.
  std::vector<std::pair<std::string, std::string>> queryParams;
  // The request headers the API reads (kReadHeaders), names lower-case.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The raw value of query parameter `name` (first one), nullopt if absent.
  std::optional<std::string> query(std::string_view name) const {
    for (const auto& [key, value] : queryParams) {
      if (key == name) return value;
    }
    return std::nullopt;
  }
  // The value of header `lowerName`, nullopt if absent.
  std::optional<std::string> header(std::string_view lowerName) const {
    for (const auto& [key, value] : headers) {
      if (key == lowerName) return value;
    }
    return std::nullopt;
  }
};

// A path uuid ({uuid}), lower-cased, or nullopt when it cannot be one (answer
// 404 without asking the store).
std::optional<std::string> pathUuid(const ApiRequest& req);

// ASCII case mapping (domain names, record types); other bytes unchanged.
std::string lowerAscii(std::string text);
std::string upperAscii(std::string text);

// The headers server.cc copies into ApiRequest::headers (lower-case).
inline constexpr std::string_view kReadHeaders[] = {"authorization", "if-match", "if-none-match",
                                                    "idempotency-key"};

}  // namespace zp::api
