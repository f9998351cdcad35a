#include "pipelines/api/errors.h"

#include <gtest/gtest.h>

#include "pipelines/api/json.h"

namespace zp::api {
namespace {

struct Case {
  ErrorKind kind;
  int status;
  const char* code;
};

// API.md's table, every kind.
const Case kCases[] = {
    {ErrorKind::kParse, 400, "parse_error"},
    {ErrorKind::kValidation, 400, "validation_error"},
    {ErrorKind::kZoneExists, 400, "zone_exists"},
    {ErrorKind::kRecordConflict, 400, "record_conflict"},
    {ErrorKind::kAuthentication, 401, "authentication_failed"},
    {ErrorKind::kPermission, 403, "permission_denied"},
    {ErrorKind::kNotFound, 404, "not_found"},
    {ErrorKind::kMethodNotAllowed, 405, "method_not_allowed"},
    {ErrorKind::kPayloadTooLarge, 413, "payload_too_large"},
    {ErrorKind::kRateLimited, 429, "rate_limited"},
    {ErrorKind::kUnavailable, 503, "unavailable"},
    {ErrorKind::kInsufficientStorage, 507, "insufficient_storage"},
    {ErrorKind::kPreconditionFailed, 412, "precondition_failed"},
    {ErrorKind::kIdempotencyKeyReused, 422, "idempotency_key_reused"},
    {ErrorKind::kInternal, 503, "unavailable"},
};

rapidjson::Document parse(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  EXPECT_FALSE(doc.HasParseError()) << body;
  EXPECT_TRUE(doc.IsObject()) << body;
  return doc;
}

TEST(Errors, EveryKindMapsToStatusAndCode) {
  for (const auto& c : kCases) {
    EXPECT_EQ(httpStatus(c.kind), c.status) << c.code;
    EXPECT_EQ(errorCode(c.kind), c.code);
    const HttpError http = toHttp({c.kind, "", "something happened"});
    EXPECT_EQ(http.status, c.status);
    auto doc = parse(http.body);
    EXPECT_STREQ(doc["error_code"].GetString(), c.code);
    EXPECT_FALSE(doc.HasMember("field")) << "field only when non-empty: " << http.body;
  }
}

TEST(Errors, FieldAppearsOnlyWhenSet) {
  auto with = parse(errorBody(Error::validation("ttl", "ttl must be an integer")));
  EXPECT_STREQ(with["field"].GetString(), "ttl");
  EXPECT_STREQ(with["detail"].GetString(), "ttl must be an integer");
  EXPECT_STREQ(with["error_code"].GetString(), "validation_error");
  auto without = parse(errorBody({ErrorKind::kNotFound, "", "zone not found"}));
  EXPECT_FALSE(without.HasMember("field"));
  EXPECT_EQ(without.MemberCount(), 2u);
}

TEST(Errors, OnlyAuthenticationFailureAsksForBearer) {
  for (const auto& c : kCases) {
    const HttpError http = toHttp({c.kind, "", "x"});
    const bool expected = c.kind == ErrorKind::kAuthentication;
    ASSERT_EQ(http.headers.size(), expected ? 1u : 0u) << c.code;
    if (expected) {
      EXPECT_EQ(http.headers[0].first, "WWW-Authenticate");
      EXPECT_EQ(http.headers[0].second, "Bearer");
    }
  }
}

TEST(Errors, InternalDetailNeverLeaks) {
  const HttpError http =
      toHttp({ErrorKind::kInternal, "secret_field", "LMDB: /var/lib/zonepipe/data.mdb corrupt"});
  EXPECT_EQ(http.status, 503);
  EXPECT_EQ(http.body.find("LMDB"), std::string::npos) << http.body;
  EXPECT_EQ(http.body.find("secret_field"), std::string::npos) << http.body;
  auto doc = parse(http.body);
  EXPECT_STREQ(doc["error_code"].GetString(), "unavailable");
  EXPECT_GT(doc["detail"].GetStringLength(), 0u);
}

TEST(Errors, InvalidUtf8InDetailStillGivesValidJson) {
  const std::string body = errorBody(Error::validation("name", "bad name `\xff\xfe`"));
  auto doc = parse(body);
  EXPECT_NE(std::string(doc["detail"].GetString()).find("\xef\xbf\xbd"), std::string::npos);
}

}  // namespace
}  // namespace zp::api
