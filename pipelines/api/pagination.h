#pragma once
// Pagination of list endpoints (API.md): `page` (1-based) and `page_size`
// (default 100, max 1000), answered with `X-Total-Count` and an RFC 8288
// `Link` header carrying rel="next"/"prev" when those pages exist.
// Stateless functions, thread-safe.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/util/result.h"

namespace zp::api {

inline constexpr uint32_t kDefaultPageSize = 100;
inline constexpr uint32_t kMaxPageSize = 1000;
inline constexpr uint64_t kMaxPage = 1'000'000'000'000;

struct Page {
  uint64_t number = 1;
  uint32_t size = kDefaultPageSize;

  // Items to skip, clamped to what the store's UInt32 offset can carry (a
  // page that far out is simply empty).
  uint32_t offset() const;
};

// Parses the raw (still percent-encoded) query values; absent means default.
// Errors are validation errors on field "page" or "page_size".
Result<Page> parsePage(const std::optional<std::string>& page,
                       const std::optional<std::string>& pageSize);

// A filter to repeat in the links, e.g. {"domain", "example.com"} (decoded;
// encoded here). Empty values are left out.
using QueryParam = std::pair<std::string_view, std::string_view>;

// `<path?...&page=N&page_size=M>; rel="next", <...>; rel="prev"`, or "" when
// neither exists. `path` is the canonical path, e.g. "/api/v1/dns-zones/".
std::string linkHeader(std::string_view path, std::span<const QueryParam> filters, const Page& page,
                       uint64_t total);

// A list answer's headers: `X-Total-Count`, and `Link` when another page
// exists.
std::vector<std::pair<std::string, std::string>> listHeaders(std::string_view path,
                                                             std::span<const QueryParam> filters,
                                                             const Page& page, uint64_t total);

}  // namespace zp::api
