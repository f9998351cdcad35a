// Issue 9's API-side pieces without HTTP: sessions, CSRF comparison, login
// limits, escaping, forms, the token JSON, who may grant what, last uses.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "pipelines/api/form.h"
#include "pipelines/api/html.h"
#include "pipelines/api/last_used.h"
#include "pipelines/api/login_limiter.h"
#include "pipelines/api/sessions.h"
#include "pipelines/api/token_json.h"
#include "pipelines/api/tokens_handler.h"

namespace zp::api {
namespace {

constexpr int64_t kNow = 1700000000;

TEST(Sessions, LiveUntilExpiryOrLogout) {
  SessionStore store(3600);
  const Session a = store.create("alice", "h1", kNow);
  const Session b = store.create("alice", "h1", kNow);
  const Session c = store.create("bob", "h2", kNow);
  EXPECT_EQ(a.id.size(), 64u);
  EXPECT_EQ(a.csrf.size(), 64u);
  EXPECT_NE(a.id, b.id);
  EXPECT_NE(a.csrf, b.csrf);
  EXPECT_NE(a.id, a.csrf);
  struct Case {
    std::string id;
    int64_t at;
    bool live;
  };
  const Case cases[] = {
      {a.id, kNow, true}, {a.id, kNow + 3599, true}, {a.id, kNow + 3600, false},
      {"", kNow, false},  {"nope", kNow, false},     {a.id.substr(1), kNow, false},
  };
  for (const auto& c2 : cases) EXPECT_EQ(store.find(c2.id, c2.at).has_value(), c2.live) << c2.id;
  EXPECT_EQ(store.find(a.id, kNow)->userId, "alice");
  store.erase(a.id);  // logout
  EXPECT_FALSE(store.find(a.id, kNow));
  EXPECT_TRUE(store.find(b.id, kNow));
  store.eraseUser("alice");
  EXPECT_FALSE(store.find(b.id, kNow));
  EXPECT_TRUE(store.find(c.id, kNow));
}

TEST(Csrf, ConstantTimeEqualsGoodAndBad) {
  const std::string t = randomToken();
  struct Case {
    std::string a, b;
    bool want;
  };
  const Case cases[] = {
      {t, t, true},    {t, t.substr(0, 63), false}, {t, t.substr(0, 63) + "x", false},
      {"", "", false},  // an empty token never matches (a missing field, a missing cookie)
      {t, "", false},
  };
  for (const auto& c : cases) EXPECT_EQ(constantTimeEquals(c.a, c.b), c.want) << c.a << "|" << c.b;
}

TEST(Cookies, Flags) {
  EXPECT_EQ(cookieHeader("zp_session", "abc", 60, false),
            "zp_session=abc; Path=/account/; HttpOnly; SameSite=Strict; Max-Age=60");
  EXPECT_EQ(cookieHeader("zp_session", "", 0, true),
            "zp_session=; Path=/account/; HttpOnly; SameSite=Strict; Max-Age=0; Secure");
}

TEST(LoginLimiter, PerUserAndPerAddress) {
  LoginLimiter limiter(LoginLimits{3, 5, 100});
  for (int i = 0; i < 3; ++i) limiter.failed("alice", "192.0.2.1", kNow);
  EXPECT_TRUE(limiter.blocked("alice", "192.0.2.9", kNow));  // the name, from anywhere
  EXPECT_FALSE(limiter.blocked("bob", "192.0.2.1", kNow));   // the address is below its limit
  EXPECT_EQ(*limiter.blocked("alice", "192.0.2.1", kNow + 40), 60);
  EXPECT_FALSE(limiter.blocked("alice", "192.0.2.1", kNow + 100));  // the window passed
  for (int i = 0; i < 5; ++i) limiter.failed("u" + std::to_string(i), "198.51.100.1", kNow);
  EXPECT_TRUE(limiter.blocked("carol", "198.51.100.1", kNow));  // the address, any name
  limiter.failed("dave", "203.0.113.1", kNow);
  limiter.failed("dave", "203.0.113.1", kNow);
  limiter.succeeded("dave");
  limiter.failed("dave", "203.0.113.1", kNow);
  EXPECT_FALSE(limiter.blocked("dave", "203.0.113.2", kNow));  // a success cleared the name
}

TEST(Html, EscapesEveryUserString) {
  struct Case {
    std::string in, out;
  };
  const Case cases[] = {
      {"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
      {"a & b", "a &amp; b"},
      {"\"quoted\" 'single'", "&quot;quoted&quot; &#39;single&#39;"},
      {"plain", "plain"},
      {"\xff", "\xef\xbf\xbd"},
  };
  for (const auto& c : cases) EXPECT_EQ(escapeHtml(c.in), c.out) << c.in;
  const std::string page = renderPage({"<b>", "<u>", "c\"", "<p>ok</p>"});
  EXPECT_NE(page.find("<title>&lt;b&gt;"), std::string::npos);
  EXPECT_NE(page.find("&lt;u&gt;"), std::string::npos);
  EXPECT_NE(page.find("value=\"c&quot;\""), std::string::npos);
  EXPECT_EQ(page.find("<script>"), std::string::npos);  // only <script src=...>
}

TEST(Form, ParseGoodAndBad) {
  auto form = parseForm("a=1&b=x+y&b=%3Cz%3E&empty=&flag&c=%E2%9C%93");
  ASSERT_TRUE(form.ok());
  EXPECT_EQ(formValue(*form, "a"), "1");
  EXPECT_EQ(formValues(*form, "b"), (std::vector<std::string>{"x y", "<z>"}));
  EXPECT_EQ(formValue(*form, "empty"), "");
  EXPECT_TRUE(formValues(*form, "empty").empty());
  EXPECT_EQ(formValue(*form, "c"), "\xe2\x9c\x93");
  EXPECT_EQ(formValue(*form, "missing"), "");
  EXPECT_FALSE(parseForm("a=%zz").ok());
  EXPECT_TRUE(parseForm("").ok());
}

TEST(TokenJson, DecodeGoodAndBad) {
  auto ok = decodeTokenBody(
      R"({"name": "acme", "permissions": ["dns:read"], "zones": null, "record_types": ["TXT"],
          "names": ["_acme-challenge.*"], "expires_at": "2030-01-01T00:00:00Z",
          "allowed_ips": ["192.0.2.0/24"], "id": "ignored"})");
  ASSERT_TRUE(ok.ok()) << ok.error().detail;
  EXPECT_EQ(ok->name, "acme");
  EXPECT_TRUE(ok->scope.zones.empty());
  EXPECT_EQ(ok->scope.recordTypes, std::vector<std::string>{"TXT"});
  EXPECT_EQ(ok->scope.expiresAt, 1893456000);
  struct Case {
    std::string body, field;
  };
  const Case cases[] = {
      {R"({})", "permissions"},
      {R"({"permissions": "dns:read"})", "permissions"},
      {R"({"permissions": [1]})", "permissions"},
      {R"({"permissions": ["dns:read"], "name": 5})", "name"},
      {R"({"permissions": ["dns:read"], "expires_at": 5})", "expires_at"},
      {R"({"permissions": ["dns:read"], "expires_at": "2030-01-01"})", "expires_at"},
      {R"({"permissions": ["dns:read"], "zones": [null]})", "zones"},
      {R"({"permissions": ["dns:read"], "extra": 1})", "extra"},
  };
  for (const auto& c : cases) {
    auto r = decodeTokenBody(c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.error().field, c.field) << c.body;
  }
  TokenView v;
  v.id = "tok_0123456789abcdef";
  v.name = "<n>";
  v.permissions = {"dns:read"};
  v.prefix = "vps_1234";
  const std::string one = renderToken(v, std::string("vps_secret"));
  EXPECT_NE(one.find(R"("token":"vps_secret")"), std::string::npos);
  EXPECT_NE(one.find(R"("last_used_at":null)"), std::string::npos);
  EXPECT_EQ(renderTokenList(std::vector<TokenView>{v}).find("vps_secret"), std::string::npos);
}

TEST(TokensHandler, WhoMayGrantWhat) {
  auto principal = [](std::vector<std::string> perms, auth::Scope scope = {}) {
    return Principal{"alice", "tok_1", std::move(perms), std::move(scope)};
  };
  auth::Scope limited;
  limited.recordTypes = {"TXT"};
  struct Case {
    const char* what;
    Principal creator;
    std::vector<std::string> wants;
    bool ok;
  };
  const Case cases[] = {
      {"wildcard grants dns", principal({"dns:*", "tokens:manage"}), {"dns:read", "dns:*"}, true},
      {"manage grants manage", principal({"dns:*", "tokens:manage"}), {"tokens:manage"}, true},
      {"no wildcard", principal({"dns:read", "tokens:manage"}), {"dns:*"}, false},
      {"not held", principal({"dns:read", "tokens:manage"}), {"dns:delete"}, false},
      {"manage not held", principal({"dns:*"}), {"tokens:manage"}, false},
      {"held", principal({"dns:read", "tokens:manage"}), {"dns:read"}, true},
      {"scoped creator", principal({"dns:*", "tokens:manage"}, limited), {"dns:read"}, false},
  };
  for (const auto& c : cases) {
    TokenRequest request;
    request.permissions = c.wants;
    EXPECT_EQ(!checkGrant(c.creator, request).has_value(), c.ok) << c.what;
  }
  auto made = prepareToken(R"({"permissions": ["dns:read"], "record_types": ["txt"]})",
                           principal({"dns:*", "tokens:manage"}), kNow);
  ASSERT_TRUE(made.ok()) << made.error().detail;
  EXPECT_EQ(made->secret.rfind("vps_", 0), 0u);
  EXPECT_EQ(made->request.scope.recordTypes, std::vector<std::string>{"TXT"});  // canonical
  EXPECT_TRUE(looksLikeTokenId("tok_0123456789abcdef"));
  EXPECT_FALSE(looksLikeTokenId("tok_0123456789ABCDEF"));
  EXPECT_FALSE(looksLikeTokenId("tok_0123"));
}

TEST(LastUsed, BatchesOncePerInterval) {
  LastUsedTracker tracker(std::chrono::seconds(60));
  EXPECT_FALSE(tracker.touch("tok_a", kNow));
  EXPECT_FALSE(tracker.touch("tok_b", kNow + 10));
  EXPECT_FALSE(tracker.touch("tok_a", kNow + 59));
  auto batch = tracker.touch("tok_a", kNow + 60);
  ASSERT_TRUE(batch);
  std::set<std::pair<std::string, int64_t>> got(batch->begin(), batch->end());
  EXPECT_EQ(
      got, (std::set<std::pair<std::string, int64_t>>{{"tok_a", kNow + 60}, {"tok_b", kNow + 10}}));
  EXPECT_FALSE(tracker.touch("tok_c", kNow + 61));
  EXPECT_EQ(tracker.takeAll(kNow + 62).size(), 1u);
  EXPECT_TRUE(tracker.takeAll(kNow + 63).empty());
}

}  // namespace
}  // namespace zp::api
