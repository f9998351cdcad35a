// Passwords and user names (issue 9): Argon2id through libsodium.
#include "common/auth/password.h"

#include <gtest/gtest.h>

#include <string>

#include "common/util/ids.h"

namespace zp::auth {
namespace {

TEST(Password, HashesAreArgon2idSaltedAndVerify) {
  const std::string a = hashPassword("correct horse battery");
  const std::string b = hashPassword("correct horse battery");
  EXPECT_EQ(a.rfind("$argon2id$", 0), 0u) << a;
  EXPECT_NE(a, b);  // a fresh salt each time
  EXPECT_TRUE(looksLikePasswordHash(a));
  struct Case {
    std::string hash, password;
    bool want;
  };
  const Case cases[] = {
      {a, "correct horse battery", true},
      {b, "correct horse battery", true},
      {a, "correct horse batterY", false},
      {a, "", false},
      {"$argon2id$garbage", "correct horse battery", false},
      {"plain text", "plain text", false},
      {"", "", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(verifyPassword(c.hash, c.password), c.want) << c.hash << " / " << c.password;
  }
  verifyDummy("anything");  // runs, answers nothing
}

TEST(Password, RulesGoodAndBad) {
  struct Case {
    std::string password;
    bool ok;
  };
  const Case cases[] = {
      {"ten chars!", true},           {"nine char", false},
      {std::string(1024, 'x'), true}, {std::string(1025, 'x'), false},
      {"with\ttab 123", false},       {"with\nnewline", false},
      {"ünïcødé pässwörd", true},
  };
  for (const auto& c : cases) {
    const Status st = checkPassword(c.password);
    EXPECT_EQ(!st.has_value(), c.ok) << c.password;
    if (st) {
      EXPECT_EQ(st->field, "password");
    }
  }
}

TEST(UserName, GoodAndBad) {
  struct Case {
    std::string name;
    bool ok;
  };
  const Case cases[] = {
      {"alice", true},
      {"alice@example.com", true},
      {"a.b-c_d", true},
      {"", false},
      {"al ice", false},
      {"<script>", false},
      {std::string(64, 'a'), true},
      {std::string(65, 'a'), false},
      {"ä", false},
  };
  for (const auto& c : cases) EXPECT_EQ(!checkUserName(c.name).has_value(), c.ok) << c.name;
}

TEST(IsoTime, ParseGoodAndBad) {
  struct Case {
    std::string text;
    std::optional<int64_t> want;
  };
  const Case cases[] = {
      {"2023-11-14T22:13:20Z", 1700000000},
      {"2023-11-14t22:13:20z", 1700000000},
      {"2023-11-14T22:13:20.123Z", 1700000000},
      {"2023-11-14T23:13:20+01:00", 1700000000},
      {"2023-11-14T21:13:20-01:00", 1700000000},
      {"2023-11-14T22:13:20", std::nullopt},  // a zone is required
      {"2023-11-14", std::nullopt},
      {"2023-13-14T22:13:20Z", std::nullopt},
      {"2023-02-30T22:13:20Z", std::nullopt},
      {"2023-11-14T22:13:20Zjunk", std::nullopt},
      {"2023-11-14T22:13:20+0100", std::nullopt},
      {"", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(parseIsoTime(c.text), c.want) << c.text;
  EXPECT_EQ(parseIsoTime(isoTime(1700000000)), 1700000000);
}

}  // namespace
}  // namespace zp::auth
