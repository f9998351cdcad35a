#include "pipelines/api/pagination.h"

#include <limits>

#include "pipelines/api/query_string.h"

namespace zp::api {
namespace {

// A positive decimal integer up to `max`, digits only (no sign, no spaces).
std::optional<uint64_t> parsePositive(std::string_view text, uint64_t max) {
  if (text.empty() || text.size() > 13) return std::nullopt;
  uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value < 1 || value > max) return std::nullopt;
  return value;
}

std::string pageUrl(std::string_view path, std::span<const QueryParam> filters, uint64_t number,
                    uint32_t size) {
  std::string url(path);
  char separator = '?';
  for (const auto& [name, value] : filters) {
    if (value.empty()) continue;
    url += separator;
    url += name;
    url += '=';
    url += percentEncode(value);
    separator = '&';
  }
  url += separator;
  url += "page=" + std::to_string(number) + "&page_size=" + std::to_string(size);
  return url;
}

}  // namespace

uint32_t Page::offset() const {
  const uint64_t skip = (number - 1) * size;  // number <= kMaxPage, size <= 1000: no overflow
  constexpr uint64_t kMax = std::numeric_limits<uint32_t>::max();
  return static_cast<uint32_t>(skip > kMax ? kMax : skip);
}

Result<Page> parsePage(const std::optional<std::string>& page,
                       const std::optional<std::string>& pageSize) {
  Page out;
  if (page) {
    auto decoded = percentDecode(*page, "page");
    if (!decoded) return decoded.error();
    auto n = parsePositive(*decoded, kMaxPage);
    if (!n)
      return Error::validation("page",
                               "page must be a whole number from 1 to " + std::to_string(kMaxPage));
    out.number = *n;
  }
  if (pageSize) {
    auto decoded = percentDecode(*pageSize, "page_size");
    if (!decoded) return decoded.error();
    auto n = parsePositive(*decoded, kMaxPageSize);
    if (!n) {
      return Error::validation("page_size", "page_size must be a whole number from 1 to " +
                                                std::to_string(kMaxPageSize));
    }
    out.size = static_cast<uint32_t>(*n);
  }
  return out;
}

std::string linkHeader(std::string_view path, std::span<const QueryParam> filters, const Page& page,
                       uint64_t total) {
  const uint64_t lastPage = total == 0 ? 1 : (total + page.size - 1) / page.size;
  std::string out;
  if (page.number < lastPage) {
    out += "<" + pageUrl(path, filters, page.number + 1, page.size) + ">; rel=\"next\"";
  }
  if (page.number > 1) {
    if (!out.empty()) out += ", ";
    const uint64_t prev = page.number - 1 < lastPage ? page.number - 1 : lastPage;
    out += "<" + pageUrl(path, filters, prev, page.size) + ">; rel=\"prev\"";
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> listHeaders(std::string_view path,
                                                             std::span<const QueryParam> filters,
                                                             const Page& page, uint64_t total) {
  std::vector<std::pair<std::string, std::string>> headers = {
      {"X-Total-Count", std::to_string(total)}};
  std::string link = linkHeader(path, filters, page, total);
  if (!link.empty()) headers.emplace_back("Link", std::move(link));
  return headers;
}

}  // namespace zp::api
