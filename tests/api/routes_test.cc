// The route table (routes.h): well-formed, no duplicates, and the helpers the
// router and the OpenAPI document derive from it.
#include "pipelines/api/routes.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace zp::api {
namespace {

TEST(Routes, NoDuplicateRoutesOrOperationIds) {
  std::set<std::pair<std::string, std::string>> routes;
  std::set<std::string> ids;
  std::set<Operation> operations;
  for (const auto& route : kRoutes) {
    EXPECT_TRUE(
        routes.emplace(std::string(methodName(route.method)), std::string(route.path)).second)
        << route.path;
    EXPECT_TRUE(ids.emplace(route.operationId).second) << route.operationId;
    EXPECT_TRUE(operations.insert(route.operation).second) << route.operationId;
    EXPECT_TRUE(route.path.starts_with("/api/v1/")) << route.path;
    EXPECT_FALSE(route.summary.empty()) << route.operationId;
    // Bodies only where HTTP allows them to mean something.
    const bool bodyMethod = route.method == Method::kPost || route.method == Method::kPut ||
                            route.method == Method::kPatch;
    EXPECT_EQ(route.request != BodyKind::kNone, bodyMethod) << route.operationId;
    EXPECT_EQ(route.response == BodyKind::kNone, route.successStatus == 204) << route.operationId;
  }
  EXPECT_EQ(std::size(kRoutes), 23u);
}

TEST(Routes, AllowHeaderListsTheServedMethodsInAFixedOrder) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {kZonesPath, "GET, POST, HEAD"},
      {kZonePath, "GET, DELETE, HEAD"},
      {kZoneRecordsPath, "GET, POST, HEAD"},
      {kRecordsPath, "GET, HEAD"},
      {kRecordPath, "GET, PUT, PATCH, DELETE, HEAD"},
      {kZoneExportPath, "GET, HEAD"},
      {kZoneChangesPath, "GET, HEAD"},
      {kOpenApiPath, "GET, HEAD"},
      {kTokensPath, "GET, POST, HEAD"},
      {kTokenPath, "DELETE"},
      {kChangePath, "GET, HEAD"},
      {kAcmePresentPath, "POST"},
      {kAcmeCleanupPath, "POST"},
      {"/api/v1/nothing/", ""},
  };
  for (const auto& [path, allow] : cases) EXPECT_EQ(allowHeader(path), allow) << path;
  EXPECT_EQ(routePaths().size(), 16u);
  EXPECT_TRUE(methodsOn("/api/v1/nothing/").empty());
}

TEST(Routes, PistachePatterns) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"/api/v1/dns-zones/", "/api/v1/dns-zones/"},
      {"/api/v1/dns-zones/{uuid}/", "/api/v1/dns-zones/:uuid/"},
      {"/api/v1/dns-zones/{uuid}/records/", "/api/v1/dns-zones/:uuid/records/"},
      {"/api/v1/dns-zones/{uuid}/export", "/api/v1/dns-zones/:uuid/export"},
      {"/api/v1/dns-zones/{uuid}/changes/", "/api/v1/dns-zones/:uuid/changes/"},
      {"/api/v1/openapi.json", "/api/v1/openapi.json"},
  };
  for (const auto& [path, pattern] : cases) EXPECT_EQ(pistachePattern(path), pattern);
  EXPECT_THROW(pistachePattern("/api/v1/{uuid"), std::logic_error);
}

TEST(Routes, UnknownQueryParametersAreNamed) {
  struct Case {
    QueryKind kind;
    std::vector<std::string> given;
    std::optional<std::string> unknown;
  } cases[] = {
      {QueryKind::kNone, {}, std::nullopt},
      {QueryKind::kNone, {"page"}, "page"},
      {QueryKind::kPaged, {"page", "page_size"}, std::nullopt},
      {QueryKind::kPaged, {"page", "domain"}, "domain"},
      {QueryKind::kPagedByDomain, {"domain", "page_size"}, std::nullopt},
      {QueryKind::kPagedByDomain, {"contains"}, std::nullopt},
      {QueryKind::kPagedByDomain, {"owns"}, "owns"},
      {QueryKind::kPagedByZoneAndType, {"zone", "record_type", "page"}, std::nullopt},
      // issue 11: a cleanup script's name= filter must not be ignored
      {QueryKind::kPagedByZoneAndType, {"zone", "record_type", "name"}, std::nullopt},
      {QueryKind::kPagedByZoneAndType,
       {"name", "value", "name_contains", "name_startswith"},
       std::nullopt},
      {QueryKind::kPagedByZoneAndType, {"name", "type"}, "type"},
      {QueryKind::kPagedRecordFilters, {"record_type", "name", "page"}, std::nullopt},
      {QueryKind::kPagedRecordFilters, {"zone"}, "zone"},
      {QueryKind::kPagedByZoneAndType, {"Zone"}, "Zone"},  // names are case-sensitive
      {QueryKind::kSerial, {"serial"}, std::nullopt},
      {QueryKind::kSerial, {"serial", "page"}, "page"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(unknownQueryParameter(c.kind, c.given), c.unknown)
        << static_cast<int>(c.kind) << " " << (c.given.empty() ? "" : c.given.back());
  }
  EXPECT_EQ(queryParameters(QueryKind::kPagedByZoneAndType),
            (std::vector<std::string_view>{"zone", "record_type", "name", "value", "name_contains",
                                           "name_startswith", "page", "page_size"}));
}

TEST(Routes, MethodNames) {
  std::set<std::string_view> names;
  for (const Method m : kAllMethods) names.insert(methodName(m));
  EXPECT_EQ(names, (std::set<std::string_view>{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD",
                                               "OPTIONS", "TRACE", "CONNECT"}));
}

}  // namespace
}  // namespace zp::api
