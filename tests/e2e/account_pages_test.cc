// Issue 9's account pages over real HTTP against the whole pipeline: login
// (Argon2id, limits, no user enumeration), session cookies, CSRF on every
// POST, the security headers, escaping, the token dashboard, logout.
// (The browser flow runs in tests/browser/ with headless Chromium.)
#include <gtest/gtest.h>

#include <string>

#include "tests/e2e/api_helpers.h"

namespace zp::e2e::api {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

// The value of `name` in a Set-Cookie header, "" when it is another cookie.
std::string cookieValue(const HttpResponse& r, const std::string& name) {
  const std::string set = r.header("set-cookie");
  if (set.rfind(name + "=", 0) != 0) return "";
  const size_t end = set.find(';');
  return set.substr(name.size() + 1, end - name.size() - 1);
}

// The value="..." of the first <input name="NAME">.
std::string inputValue(const std::string& html, const std::string& name) {
  const size_t at = html.find("name=\"" + name + "\" value=\"");
  if (at == std::string::npos) return "";
  const size_t start = at + name.size() + 15;
  return html.substr(start, html.find('"', start) - start);
}

class AccountPagesTest : public ApiTest {
 protected:
  void makeUser(const std::string& user, const std::string& password) {
    const std::string cmd = "printf '%s\\n' '" + password + "' | " + std::string(ZP_BIN_DIR) +
                            "/zonepipe --config " + stack().configPath() + " user create " + user;
    auto made = runCommand({"/bin/sh", "-c", cmd}, milliseconds(30000));
    ASSERT_EQ(made.exitCode, 0) << made.err;
  }

  HttpResponse get(const std::string& path, const std::string& session = "") {
    Headers h;
    if (!session.empty()) h.emplace_back("Cookie", "zp_session=" + session);
    return stack().request("GET", path, "", h);
  }
  HttpResponse post(const std::string& path, const std::string& form, const std::string& cookie) {
    Headers h = {{"Content-Type", "application/x-www-form-urlencoded"}};
    if (!cookie.empty()) h.emplace_back("Cookie", cookie);
    return stack().request("POST", path, form, h);
  }
  // Logs in; returns the session id ("" and a failure when refused).
  std::string login(const std::string& user, const std::string& password, int want = 303) {
    auto form = get("/account/login/");
    const std::string csrf = cookieValue(form, "zp_login");
    EXPECT_EQ(inputValue(form.body, "csrf"), csrf);
    auto r = post("/account/login/", "user=" + user + "&password=" + password + "&csrf=" + csrf,
                  "zp_login=" + csrf);
    EXPECT_EQ(r.status, want) << r.body;
    return cookieValue(r, "zp_session");
  }
};

TEST_F(AccountPagesTest, PagesWithoutASessionRedirectToLogin) {
  for (const char* path : {"/account/", "/account/developers/",
                           "/account/zones/3f2504e0-4f89-41d3-9a0c-0305e82c3301/"}) {
    auto r = get(path);
    EXPECT_EQ(r.status, 303) << path;
    EXPECT_EQ(r.header("location"), "/account/login/") << path;
  }
  auto r = get("/account/", "forged-session-id");
  EXPECT_EQ(r.status, 303);
  auto page = get("/account/login/");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.header("content-type").find("text/html"), std::string::npos);
  EXPECT_NE(page.header("content-security-policy").find("default-src 'none'"), std::string::npos);
  EXPECT_NE(page.header("content-security-policy").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(page.header("x-frame-options"), "DENY");
  EXPECT_EQ(page.body.find("<script>"), std::string::npos) << "no inline script";
  EXPECT_EQ(page.body.find("http"), std::string::npos) << "nothing loaded from outside";
  EXPECT_EQ(get("/account/static/app.js").status, 200);
  EXPECT_EQ(get("/account/static/app.css").status, 200);
}

TEST_F(AccountPagesTest, LoginLogoutAndCookieFlags) {
  const std::string user = uniqueName("web");
  makeUser(user, "correct horse battery");
  auto form = get("/account/login/");
  const std::string csrf = cookieValue(form, "zp_login");
  ASSERT_FALSE(csrf.empty());
  auto ok = post("/account/login/", "user=" + user + "&password=correct+horse+battery&csrf=" + csrf,
                 "zp_login=" + csrf);
  ASSERT_EQ(ok.status, 303) << ok.body;
  EXPECT_EQ(ok.header("location"), "/account/");
  const std::string cookie = ok.header("set-cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("Max-Age=28800"), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "plain HTTP here: " << cookie;
  const std::string session = cookieValue(ok, "zp_session");
  ASSERT_EQ(session.size(), 64u);

  auto zones = get("/account/", session);
  ASSERT_EQ(zones.status, 200) << zones.body;
  const std::string sessionCsrf = inputValue(zones.body, "csrf");
  ASSERT_EQ(sessionCsrf.size(), 64u);

  // Logout without the CSRF token is refused; with it the session really ends.
  EXPECT_EQ(post("/account/logout/", "", "zp_session=" + session).status, 403);
  auto out = post("/account/logout/", "csrf=" + sessionCsrf, "zp_session=" + session);
  EXPECT_EQ(out.status, 303);
  EXPECT_NE(out.header("set-cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(get("/account/", session).status, 303);
}

TEST_F(AccountPagesTest, SessionsEndWhenThePasswordChangesOrTheAccountIsDisabled) {
  const std::string user = uniqueName("changing");
  makeUser(user, "first password");
  const std::string first = login(user, "first+password");
  ASSERT_EQ(get("/account/", first).status, 200);
  const std::string cmd = "printf 'second password\\n' | " + std::string(ZP_BIN_DIR) +
                          "/zonepipe --config " + stack().configPath() + " user passwd " + user;
  auto changed = runCommand({"/bin/sh", "-c", cmd}, milliseconds(30000));
  ASSERT_EQ(changed.exitCode, 0) << changed.err;
  EXPECT_EQ(get("/account/", first).status, 303);
  login(user, "first+password", 401);
  const std::string second = login(user, "second+password");
  ASSERT_EQ(get("/account/", second).status, 200);
  ASSERT_EQ(stack().cli({"user", "disable", user}).exitCode, 0);
  EXPECT_EQ(get("/account/", second).status, 303);
  login(user, "second+password", 401);  // the same answer as a wrong password
}

TEST_F(AccountPagesTest, WrongPasswordsUnknownUsersAndLimits) {
  const std::string user = uniqueName("victim");
  makeUser(user, "the real password");
  // A login form without its CSRF pair is refused.
  auto forged =
      post("/account/login/", "user=" + user + "&password=the+real+password&csrf=x", "zp_login=y");
  EXPECT_EQ(forged.status, 403);
  // Unknown user and wrong password: the same status and sentence.
  auto wrong = [&](const std::string& name) {
    auto form = get("/account/login/");
    const std::string csrf = cookieValue(form, "zp_login");
    return post("/account/login/", "user=" + name + "&password=nope-nope-nope&csrf=" + csrf,
                "zp_login=" + csrf);
  };
  auto a = wrong(user);
  auto b = wrong(uniqueName("nobody"));
  EXPECT_EQ(a.status, 401);
  EXPECT_EQ(b.status, 401);
  EXPECT_NE(a.body.find("Wrong user name or password."), std::string::npos);
  EXPECT_NE(b.body.find("Wrong user name or password."), std::string::npos);
  // Five failures of one name lock it for a while, existing or not, even
  // with the right password.
  for (int i = 0; i < 4; ++i) wrong(user);
  auto locked = wrong(user);
  EXPECT_EQ(locked.status, 429) << locked.body;
  EXPECT_NE(locked.body.find("Too many failed logins"), std::string::npos);
  login(user, "the+real+password", 429);
}

TEST_F(AccountPagesTest, DashboardCreatesAndRevokesTokensWithEscapedNames) {
  const std::string user = uniqueName("dev");
  makeUser(user, "dashboard password");
  const std::string session = login(user, "dashboard+password");
  ASSERT_FALSE(session.empty());
  const std::string manager = tokenFor(user, "dns:*");
  const std::string zone = createZone(user + ".example", manager);

  auto page = get("/account/developers/", session);
  ASSERT_EQ(page.status, 200) << page.body;
  const std::string csrf = inputValue(page.body, "csrf");
  EXPECT_NE(page.body.find(user + ".example"), std::string::npos) << "the zone picker";

  // Without the CSRF token: refused, nothing created.
  auto refused =
      post("/account/developers/", "name=x&permissions=dns%3Aread", "zp_session=" + session);
  EXPECT_EQ(refused.status, 403);

  auto created = post("/account/developers/",
                      "csrf=" + csrf + "&name=%3Cscript%3Ealert(1)%3C%2Fscript%3E" +
                          "&permissions=dns%3Aread&permissions=dns%3Acreate&zones=" + zone +
                          "&record_types=TXT&names=_acme-challenge%0D%0A_acme-challenge.*",
                      "zp_session=" + session);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.body.find("<script>alert(1)"), std::string::npos) << "escaped";
  EXPECT_NE(created.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(created.body.find("will not be shown again"), std::string::npos);
  const size_t at = created.body.find("value=\"vps_");
  ASSERT_NE(at, std::string::npos);
  const std::string secret = created.body.substr(at + 7, 44);

  // The secret works with the scope chosen on the page.
  EXPECT_EQ(
      call("POST", kZones + zone + "/records/", recordJson("TXT", "_acme-challenge", "p"), secret)
          .status,
      201);
  EXPECT_EQ(
      call("POST", kZones + zone + "/records/", recordJson("A", "www", "192.0.2.1"), secret).status,
      403);

  // The list shows the prefix only; a second view never shows the secret.
  auto again = get("/account/developers/", session);
  EXPECT_EQ(again.body.find(secret), std::string::npos);
  EXPECT_NE(again.body.find(secret.substr(0, 8)), std::string::npos);
  // The row of this token (the user also has the CLI's token).
  const size_t idAt = again.body.rfind("data-id=\"tok_", again.body.find("&lt;script&gt;"));
  ASSERT_NE(idAt, std::string::npos);
  const std::string id = again.body.substr(idAt + 9, 20);
  EXPECT_EQ(post("/account/developers/" + id + "/revoke/", "", "zp_session=" + session).status,
            403);
  auto revoked =
      post("/account/developers/" + id + "/revoke/", "csrf=" + csrf, "zp_session=" + session);
  EXPECT_EQ(revoked.status, 303) << revoked.body;
  EXPECT_TRUE(Stack::waitFor([&] { return call("GET", kZones, "", secret).status == 401; },
                             milliseconds(10000)));

  // The zone pages.
  auto zones = get("/account/", session);
  EXPECT_NE(zones.body.find(user + ".example"), std::string::npos);
  auto zonePage = get("/account/zones/" + zone + "/", session);
  ASSERT_EQ(zonePage.status, 200) << zonePage.body;
  EXPECT_NE(zonePage.body.find("_acme-challenge"), std::string::npos);
  EXPECT_NE(zonePage.body.find("record_created"), std::string::npos);
  EXPECT_EQ(
      get("/account/zones/" + std::string("3f2504e0-4f89-41d3-9a0c-0305e82c3301/"), session).status,
      404);
}

}  // namespace
}  // namespace zp::e2e::api
