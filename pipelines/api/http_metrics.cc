#include "pipelines/api/http_metrics.h"

#include <array>
#include <vector>

#include "pipelines/api/routes.h"

namespace zp::api {
namespace {

// The account pages' routes (server.cc's accountRoutes()).
constexpr std::array<std::string_view, 7> kAccountPaths = {
    "/account/login/",        "/account/logout/",     "/account/",
    "/account/zones/{uuid}/", "/account/developers/", "/account/developers/{id}/revoke/",
    "/account/static/{name}"};

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool matches(std::string_view pattern, const std::vector<std::string_view>& given) {
  const auto want = segments(pattern);
  if (want.size() != given.size()) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i].starts_with('{')) continue;  // a parameter matches any one segment
    if (want[i] != given[i]) return false;
  }
  return true;
}

const prometheus::Histogram::BucketBoundaries kBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

}  // namespace

std::string routeLabel(std::string_view path) {
  if (const auto query = path.find('?'); query != std::string_view::npos) {
    path = path.substr(0, query);
  }
  const auto given = segments(path);
  for (const std::string_view route : routePaths()) {
    if (matches(route, given)) return std::string(route);
  }
  for (const std::string_view route : kAccountPaths) {
    if (matches(route, given)) return std::string(route);
  }
  return "unmatched";
}

HttpMetrics::HttpMetrics(prometheus::Registry& r)
    : requests_(prometheus::BuildCounter()
                    .Name("zonepipe_api_requests_total")
                    .Help("HTTP requests answered, by method, route template and status.")
                    .Register(r)),
      duration_(prometheus::BuildHistogram()
                    .Name("zonepipe_api_request_duration_seconds")
                    .Help("Time from a request reaching the API's handler to its answer, by "
                          "method and route template.")
                    .Register(r)) {}

void HttpMetrics::answered(std::string_view what, int status, double seconds) {
  const auto space = what.find(' ');
  std::string method(what.substr(0, space));
  bool known = false;
  for (const Method m : kAllMethods) known = known || methodName(m) == method;
  if (!known) method = "other";
  const std::string route =
      routeLabel(space == std::string_view::npos ? std::string_view() : what.substr(space + 1));
  requests_.Add({{"method", method}, {"route", route}, {"status", std::to_string(status)}})
      .Increment();
  duration_.Add({{"method", method}, {"route", route}}, kBuckets).Observe(seconds);
}

}  // namespace zp::api
