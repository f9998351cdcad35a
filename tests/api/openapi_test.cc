// The OpenAPI document: valid JSON of the 3.1 shape, every $ref resolves, and
// its paths and methods are exactly the routes the server registers with
// Pistache (ApiServer::registeredRoutes), no more and no fewer.
#include "pipelines/api/openapi.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/pointer.h>

#include <set>
#include <tuple>

#include "common/dns/record_spec.h"
#include "pipelines/api/routes.h"
#include "pipelines/api/server.h"

namespace zp::api {
namespace {

using namespace std::chrono_literals;

rapidjson::Document document() {
  rapidjson::Document d;
  const std::string text = openApiDocument();
  d.Parse(text.data(), text.size());
  EXPECT_FALSE(d.HasParseError()) << "offset " << d.GetErrorOffset();
  return d;
}

std::string upper(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

// Every "$ref" value anywhere under `v`.
void collectRefs(const rapidjson::Value& v, std::vector<std::string>& out) {
  if (v.IsObject()) {
    for (const auto& m : v.GetObject()) {
      if (std::string_view(m.name.GetString()) == "$ref" && m.value.IsString()) {
        out.emplace_back(m.value.GetString());
      } else {
        collectRefs(m.value, out);
      }
    }
  } else if (v.IsArray()) {
    for (const auto& item : v.GetArray()) collectRefs(item, out);
  }
}

TEST(OpenApi, HasTheOpenApi31Shape) {
  auto d = document();
  ASSERT_TRUE(d.IsObject());
  EXPECT_STREQ(d["openapi"].GetString(), "3.1.0");
  EXPECT_TRUE(d["info"]["title"].IsString());
  EXPECT_TRUE(d["info"]["version"].IsString());
  const auto& scheme = d["components"]["securitySchemes"]["bearerAuth"];
  EXPECT_STREQ(scheme["type"].GetString(), "http");
  EXPECT_STREQ(scheme["scheme"].GetString(), "bearer");
  ASSERT_TRUE(d["security"].IsArray());
  EXPECT_TRUE(d["security"][0].HasMember("bearerAuth"));
  const auto& error = d["components"]["schemas"]["Error"];
  EXPECT_EQ(error["required"].Size(), 2u);
  EXPECT_TRUE(error["properties"].HasMember("field"));
}

TEST(OpenApi, EveryRefResolves) {
  auto d = document();
  std::vector<std::string> refs;
  collectRefs(d, refs);
  EXPECT_GT(refs.size(), 20u);
  for (const auto& ref : refs) {
    ASSERT_TRUE(ref.starts_with("#/")) << ref;
    const rapidjson::Pointer pointer(ref.substr(1).c_str());
    ASSERT_TRUE(pointer.IsValid()) << ref;
    EXPECT_NE(pointer.Get(d), nullptr) << "dangling $ref " << ref;
  }
}

TEST(OpenApi, OperationsCarryTheirPermissionAndErrors) {
  auto d = document();
  for (const auto& route : kRoutes) {
    const std::string path(route.path);
    std::string method(methodName(route.method));
    for (char& c : method) c = static_cast<char>(c - 'A' + 'a');
    ASSERT_TRUE(d["paths"].HasMember(path.c_str())) << path;
    ASSERT_TRUE(d["paths"][path.c_str()].HasMember(method.c_str())) << method << " " << path;
    const auto& op = d["paths"][path.c_str()][method.c_str()];
    EXPECT_EQ(op["operationId"].GetString(), route.operationId);
    const auto& responses = op["responses"];
    EXPECT_TRUE(responses.HasMember(std::to_string(route.successStatus).c_str())) << path;
    if (route.permission) {
      const std::string permission(auth::toString(*route.permission));
      EXPECT_EQ(op["x-permission"].GetString(), permission) << path;
      EXPECT_TRUE(responses.HasMember("401")) << path;
      ASSERT_TRUE(responses.HasMember("403")) << path;
      EXPECT_NE(std::string(responses["403"]["description"].GetString()).find(permission),
                std::string::npos);
      EXPECT_TRUE(responses.HasMember("503")) << path;
      // Bearer everywhere (the document's default); the ACME endpoints
      // also take Basic (lego's httpreq provider).
      EXPECT_EQ(op.HasMember("security"), route.basicAuth) << path;
    } else {
      ASSERT_TRUE(op.HasMember("security")) << path;
      EXPECT_EQ(op["security"].Size(), 0u) << "a public route overrides security with []";
      EXPECT_FALSE(responses.HasMember("401")) << path;
    }
    EXPECT_EQ(responses.HasMember("404"),
              path.find("{uuid}") != std::string::npos || path.find("{id}") != std::string::npos ||
                  path.find("{change_id}") != std::string::npos ||
                  route.operation == Operation::kListRecords || route.request == BodyKind::kAcmeIn)
        << path;
    EXPECT_EQ(op.HasMember("requestBody"), route.request != BodyKind::kNone) << path;
    EXPECT_EQ(responses.HasMember("413"), route.request != BodyKind::kNone) << path;
    EXPECT_EQ(responses.HasMember("400"),
              route.request != BodyKind::kNone || route.query != QueryKind::kNone)
        << path;
    if (route.query == QueryKind::kSerial) {  // the zone file, not a list
      const auto& ok = responses["200"];
      EXPECT_FALSE(ok.HasMember("headers")) << path;
      EXPECT_STREQ(ok["content"]["text/dns"]["schema"]["type"].GetString(), "string");
      ASSERT_EQ(op["parameters"].Size(), 2u) << path;  // uuid, serial
      EXPECT_STREQ(op["parameters"][1]["$ref"].GetString(), "#/components/parameters/serial");
    } else if (route.query == QueryKind::kImport) {
      // uuid, mode, dry_run, wait, timeout_ms, If-Match, Idempotency-Key
      ASSERT_EQ(op["parameters"].Size(), 7u) << path;
      EXPECT_TRUE(op["requestBody"]["content"].HasMember("text/dns")) << path;
      EXPECT_TRUE(responses.HasMember("202")) << path;
    } else if (route.query == QueryKind::kDryRun) {  // a write that can be tried
      // uuid, dry_run, wait, timeout_ms, If-Match, Idempotency-Key
      ASSERT_EQ(op["parameters"].Size(), 6u) << path;
      EXPECT_STREQ(op["parameters"][1]["$ref"].GetString(), "#/components/parameters/dry_run");
      EXPECT_TRUE(responses.HasMember("202")) << path;
    } else if (route.query == QueryKind::kWait) {  // writes and a change: not lists
      EXPECT_EQ(responses.HasMember("202"), route.method != Method::kGet) << path;
    } else if (route.query != QueryKind::kNone) {
      const auto& ok = responses["200"];
      EXPECT_TRUE(ok["headers"].HasMember("X-Total-Count")) << path;
      EXPECT_TRUE(ok["headers"].HasMember("Link")) << path;
      EXPECT_STREQ(ok["content"]["application/json"]["schema"]["type"].GetString(), "array");
    }
  }
}

// Issue 11 item 5: the conditional writes document If-Match and 412; the
// record and zone answers their ETag.
TEST(OpenApi, ConditionalWritesAndEtags) {
  auto d = document();
  const auto& paths = d["paths"];
  auto hasParam = [](const rapidjson::Value& op, const std::string& name) {
    if (!op.HasMember("parameters")) return false;
    for (const auto& p : op["parameters"].GetArray()) {
      if (p["$ref"].GetString() == "#/components/parameters/" + name) return true;
    }
    return false;
  };
  struct Case {
    const char* path;
    const char* method;
    bool ifMatch;
    bool ifNoneMatch;
    const char* etagStatus;  // nullptr: no ETag
  };
  const Case cases[] = {
      {"/api/v1/dns-records/{uuid}/", "get", false, false, "200"},
      {"/api/v1/dns-records/{uuid}/", "put", true, false, "200"},
      {"/api/v1/dns-records/{uuid}/", "patch", true, false, "200"},
      {"/api/v1/dns-records/{uuid}/", "delete", true, false, nullptr},
      {"/api/v1/dns-zones/{uuid}/records/", "post", true, true, "201"},
      {"/api/v1/dns-zones/{uuid}/", "get", false, false, "200"},
      {"/api/v1/dns-zones/{uuid}/", "delete", true, false, nullptr},
      {"/api/v1/dns-zones/", "post", false, false, "201"},
      {"/api/v1/dns-zones/{uuid}/changesets/", "post", true, false, "201"},
      {"/api/v1/dns-zones/{uuid}/rollback/", "post", true, false, "201"},
      {"/api/v1/dns-records/", "get", false, false, nullptr},
  };
  for (const auto& c : cases) {
    const auto& op = paths[c.path][c.method];
    EXPECT_EQ(hasParam(op, "If-Match"), c.ifMatch) << c.method << " " << c.path;
    EXPECT_EQ(op["responses"].HasMember("412"), c.ifMatch) << c.method << " " << c.path;
    EXPECT_EQ(hasParam(op, "If-None-Match"), c.ifNoneMatch) << c.method << " " << c.path;
    if (c.etagStatus) {
      const auto& ok = op["responses"][c.etagStatus];
      ASSERT_TRUE(ok.HasMember("headers")) << c.method << " " << c.path;
      EXPECT_TRUE(ok["headers"].HasMember("ETag")) << c.method << " " << c.path;
    }
  }
  // Issue 11 item 6: every POST but the token API's takes an Idempotency-Key.
  for (const auto& route : kRoutes) {
    if (route.method != Method::kPost) continue;
    const auto& op = paths[std::string(route.path).c_str()]["post"];
    const bool takes = route.operation != Operation::kCreateToken;
    EXPECT_EQ(hasParam(op, "Idempotency-Key"), takes) << route.path;
    EXPECT_EQ(op["responses"].HasMember("422"), takes) << route.path;
  }
}

// The check the issue asks for: no route undocumented, none documented that
// the server does not register.
TEST(OpenApi, PathsAndMethodsEqualTheRoutesTheServerRegisters) {
  zmq::context_t ctx;
  BusClient bus(
      ctx,
      {{"inproc://openapi-test-validator"}, "inproc://openapi-test-store", 100ms, "", 100ms, ""});
  config::Config cfg;
  ApiServer server(cfg, bus);  // routes are registered on construction; no listening needed

  std::set<std::pair<std::string, std::string>> registered, documented, heads;
  std::map<std::string, std::set<std::string>> methodsByPattern;
  for (const auto& r : server.registeredRoutes()) {
    methodsByPattern[r.pattern].insert(r.method);
    if (!r.served) continue;
    // HEAD is served wherever GET is (the description says so), not listed.
    (r.method == "HEAD" ? heads : registered).emplace(r.pattern, r.method);
  }
  for (const auto& [pattern, method] : registered) {
    if (method == "GET") {
      EXPECT_EQ(heads.count({pattern, "HEAD"}), 1u) << "no HEAD on " << pattern;
    }
  }
  for (const auto& [pattern, method] : heads) {
    EXPECT_EQ(registered.count({pattern, "GET"}), 1u) << "HEAD without GET on " << pattern;
  }
  auto d = document();
  for (const auto& path : d["paths"].GetObject()) {
    const std::string pattern = pistachePattern(path.name.GetString());
    for (const auto& op : path.value.GetObject()) {
      documented.emplace(pattern, upper(op.name.GetString()));
    }
  }
  EXPECT_EQ(registered, documented);
  EXPECT_EQ(registered.size(), 23u);
  // Every known path also registers every other method (the JSON 405s).
  for (const auto& [pattern, methods] : methodsByPattern) {
    EXPECT_EQ(methods.size(), kAllMethods.size()) << pattern;
  }
  EXPECT_EQ(methodsByPattern.size(), 16u);
  bus.stop();
}

TEST(OpenApi, RecordTypeEnumIsTheRecordTypeTable) {
  const auto d = document();
  const auto* schema = rapidjson::Pointer("/components/schemas/RecordType").Get(d);
  ASSERT_NE(schema, nullptr);
  std::vector<std::string> listed;
  for (const auto& v : (*schema)["enum"].GetArray()) listed.emplace_back(v.GetString());
  std::vector<std::string> table;
  for (const auto& spec : dns::recordSpecs()) table.emplace_back(spec.name);
  EXPECT_EQ(listed, table);
  const std::string description = (*schema)["description"].GetString();
  for (const auto& spec : dns::recordSpecs()) {
    EXPECT_NE(description.find(std::string(spec.format)), std::string::npos) << spec.name;
  }
  const auto* ttl =
      rapidjson::Pointer("/components/schemas/Record/properties/ttl/description").Get(d);
  ASSERT_NE(ttl, nullptr);
  EXPECT_NE(std::string(ttl->GetString()).find("RFC 2181"), std::string::npos);
}

}  // namespace
}  // namespace zp::api
