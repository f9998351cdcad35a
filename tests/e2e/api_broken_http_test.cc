// Malformed HTTP against the real pipeline (issue 12, the request gate of
// pipelines/api/http_gate.h): each raw input of the issue, sent over a raw
// socket without a token, gets the documented JSON error and a closed
// connection; and one keep-alive connection carries a Content-Length body, a
// chunked body and a read through the gate to the pipeline and named.

#include <rapidjson/document.h>

#include <sstream>
#include <string>

#include "tests/api/broken_http_cases.h"
#include "tests/api/http_client.h"
#include "tests/e2e/api_helpers.h"

namespace zp::e2e::api {
namespace {

using ::zp::api::testing::HttpReply;
using ::zp::api::testing::RawConnection;

class ApiBrokenHttpTest : public ApiTest {};

rapidjson::Document parsed(const HttpReply& r) {
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  return d;
}

TEST_F(ApiBrokenHttpTest, EachBrokenInputOfTheIssueGetsTheJsonErrorAndAClose) {
  for (const auto& c : ::zp::api::testing::brokenHttpCases()) {
    RawConnection connection(stack().apiPort());
    connection.send(c.raw);
    const HttpReply reply = connection.read();
    EXPECT_EQ(reply.status, c.status) << c.what << ": " << reply.body;
    EXPECT_EQ(reply.header("content-type"), "application/json") << c.what;
    const auto body = parsed(reply);
    ASSERT_TRUE(body.IsObject() && body.HasMember("error_code") && body.HasMember("detail"))
        << c.what << ": " << reply.body;
    EXPECT_STREQ(body["error_code"].GetString(), c.code) << c.what;
    EXPECT_TRUE(connection.closedByServer()) << c.what;
  }
}

TEST_F(ApiBrokenHttpTest, OneKeepAliveConnectionCarriesALengthBodyAChunkedBodyAndAReadToNamed) {
  const std::string domain = uniqueName("gate") + ".test";
  const std::string head = "Connection: keep-alive\r\nAuthorization: Bearer " + admin() +
                           "\r\nContent-Type: application/json\r\n";
  RawConnection connection(stack().apiPort());

  const std::string zoneBody = R"({"domain": ")" + domain + R"("})";
  connection.send("POST /api/v1/dns-zones/ HTTP/1.1\r\n" + head +
                  "Content-Length: " + std::to_string(zoneBody.size()) + "\r\n\r\n" + zoneBody);
  const HttpReply created = connection.read();
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string zone = parsed(created)["uuid"].GetString();

  const std::string record = R"({"record_type": "A", "name": "www", "value": "192.0.2.80"})";
  const size_t half = record.size() / 2;
  std::ostringstream chunked;
  chunked << std::hex << half << "\r\n"
          << record.substr(0, half) << "\r\n"
          << record.size() - half << "\r\n"
          << record.substr(half) << "\r\n0\r\n\r\n";
  connection.send("POST /api/v1/dns-zones/" + zone + "/records/ HTTP/1.1\r\n" + head +
                  "Transfer-Encoding: chunked\r\n\r\n" + chunked.str());
  const HttpReply posted = connection.read();
  ASSERT_EQ(posted.status, 201) << posted.body;

  connection.send("GET /api/v1/dns-zones/" + zone + "/ HTTP/1.1\r\n" + head + "\r\n");
  const HttpReply read = connection.read();
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(parsed(read)["record_count"].GetInt(), 1) << read.body;
  EXPECT_TRUE(servedAs("www." + domain, "A", {"192.0.2.80"}));
}

}  // namespace
}  // namespace zp::e2e::api
