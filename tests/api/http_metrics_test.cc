#include "pipelines/api/http_metrics.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <sstream>

namespace zp::api {
namespace {

TEST(RouteLabelTest, EveryPathBecomesItsRouteTemplateOrUnmatched) {
  const struct {
    const char* path;
    const char* want;
  } cases[] = {
      {"/api/v1/dns-zones/", "/api/v1/dns-zones/"},
      {"/api/v1/dns-zones", "/api/v1/dns-zones/"},
      {"//api/v1//dns-zones//", "/api/v1/dns-zones/"},
      {"/api/v1/dns-zones/?domain=x", "/api/v1/dns-zones/"},
      {"/api/v1/dns-zones/0b9c3f1e-0000-4000-8000-000000000000/", "/api/v1/dns-zones/{uuid}/"},
      {"/api/v1/dns-zones/anything/records/", "/api/v1/dns-zones/{uuid}/records/"},
      {"/api/v1/dns-zones/u/export", "/api/v1/dns-zones/{uuid}/export"},
      {"/api/v1/dns-records/u", "/api/v1/dns-records/{uuid}/"},
      {"/api/v1/tokens/tok_1/", "/api/v1/tokens/{id}/"},
      {"/api/v1/openapi.json", "/api/v1/openapi.json"},
      {"/account/", "/account/"},
      {"/account/zones/u/", "/account/zones/{uuid}/"},
      {"/account/developers/tok_1/revoke/", "/account/developers/{id}/revoke/"},
      {"/account/static/site.css", "/account/static/{name}"},
      {"/", "unmatched"},
      {"", "unmatched"},
      {"/api/v1/dns-zones/u/records/extra", "unmatched"},
      {"/wp-login.php", "unmatched"},
      {"/api/v1/DNS-ZONES/", "unmatched"},
  };
  for (const auto& c : cases) EXPECT_EQ(routeLabel(c.path), c.want) << c.path;
}

TEST(HttpMetricsTest, CountsByMethodRouteAndStatusWithFewLabelValues) {
  prometheus::Registry registry;
  HttpMetrics metrics(registry);
  metrics.answered("POST /api/v1/dns-zones/", 201, 0.002);
  metrics.answered("POST /api/v1/dns-zones", 201, 0.003);
  metrics.answered("BREW /api/v1/dns-zones/x/", 405, 0.0001);
  metrics.answered("GET /etc/passwd", 404, 0.0001);
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry.Collect());
  const std::string text = out.str();
  EXPECT_NE(text.find("zonepipe_api_requests_total{method=\"POST\",route=\"/api/v1/dns-zones/\","
                      "status=\"201\"} 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("method=\"other\",route=\"/api/v1/dns-zones/{uuid}/\",status=\"405\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("method=\"GET\",route=\"unmatched\",status=\"404\"} 1"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("passwd"), std::string::npos);
  EXPECT_NE(text.find("zonepipe_api_request_duration_seconds_count{method=\"POST\",route=\"/api/"
                      "v1/dns-zones/\"} 2"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace zp::api
