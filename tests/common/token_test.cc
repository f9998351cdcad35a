#include "common/auth/token.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace zp::auth {
namespace {

bool isLowerHex(std::string_view s) {
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

TEST(Permissions, ToString) {
  EXPECT_EQ(toString(Permission::kList), "dns:list");
  EXPECT_EQ(toString(Permission::kRead), "dns:read");
  EXPECT_EQ(toString(Permission::kCreate), "dns:create");
  EXPECT_EQ(toString(Permission::kUpdate), "dns:update");
  EXPECT_EQ(toString(Permission::kDelete), "dns:delete");
}

TEST(Permissions, Parse) {
  using V = std::vector<std::string>;
  struct Case {
    std::string input;
    bool ok;
    V want;
  };
  const Case cases[] = {
      {"dns:list", true, V{"dns:list"}},
      {"dns:read,dns:list", true, V{"dns:list", "dns:read"}},
      {" dns:list , dns:read ", true, V{"dns:list", "dns:read"}},
      {"dns:list,dns:list", true, V{"dns:list"}},
      {"dns:*", true, V{"dns:*"}},
      {"dns:create,dns:update,dns:delete", true, V{"dns:create", "dns:delete", "dns:update"}},
      {"", false, V{}},
      {",", false, V{}},
      {"dns:list,", false, V{}},
      {"dns:admin", false, V{}},
      {"DNS:LIST", false, V{}},
      {"dns:list;dns:read", false, V{}},
      {"*", false, V{}},
  };
  for (const Case& c : cases) {
    auto got = parsePermissions(c.input);
    EXPECT_EQ(got.ok(), c.ok) << "'" << c.input << "'";
    if (got && c.ok) {
      EXPECT_EQ(got.value(), c.want) << c.input;
    }
    if (!got) {
      EXPECT_EQ(got.error().field, "permissions");
    }
  }
}

TEST(Permissions, Allows) {
  const std::vector<std::string> readOnly = {"dns:list", "dns:read"};
  const std::vector<std::string> all = {"dns:*"};
  const std::vector<std::string> none;
  EXPECT_TRUE(allows(readOnly, Permission::kList));
  EXPECT_TRUE(allows(readOnly, Permission::kRead));
  EXPECT_FALSE(allows(readOnly, Permission::kCreate));
  EXPECT_FALSE(allows(readOnly, Permission::kUpdate));
  EXPECT_FALSE(allows(readOnly, Permission::kDelete));
  for (const Permission p : {Permission::kList, Permission::kRead, Permission::kCreate,
                             Permission::kUpdate, Permission::kDelete}) {
    EXPECT_TRUE(allows(all, p));
    EXPECT_FALSE(allows(none, p));
  }
}

TEST(Secrets, ShapeAndUniqueness) {
  std::set<std::string> secrets;
  std::set<std::string> ids;
  for (int i = 0; i < 200; ++i) {
    const std::string s = generateSecret();
    ASSERT_EQ(s.size(), 44u) << s;  // "vps_" + 40 hex = 160 bits
    EXPECT_TRUE(s.starts_with("vps_"));
    EXPECT_TRUE(isLowerHex(s.substr(4))) << s;
    secrets.insert(s);
    const std::string id = generateTokenId();
    ASSERT_EQ(id.size(), 20u) << id;
    EXPECT_TRUE(id.starts_with("tok_"));
    EXPECT_TRUE(isLowerHex(id.substr(4))) << id;
    ids.insert(id);
  }
  EXPECT_EQ(secrets.size(), 200u);
  EXPECT_EQ(ids.size(), 200u);
}

TEST(Secrets, HashIsSha256OfTheWholeBearer) {
  const auto h = hashSecret("abc");
  const uint8_t want[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
                            0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
                            0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
  EXPECT_TRUE(std::equal(h.begin(), h.end(), std::begin(want)));
  EXPECT_NE(hashSecret("vps_a"), hashSecret("vps_b"));
  EXPECT_EQ(hashSecret("vps_a"), hashSecret("vps_a"));
}

TEST(BearerFromHeader, Table) {
  struct Case {
    std::string header;
    std::string want;  // empty = authentication error
  };
  const Case cases[] = {
      {"Bearer vps_abc", "vps_abc"},
      {"bearer vps_abc", "vps_abc"},
      {"BEARER vps_abc", "vps_abc"},
      {"Bearer   vps_abc  ", "vps_abc"},
      {"", ""},
      {"Bearer", ""},
      {"Bearer ", ""},
      {"Bearer abc", ""},
      {"Bearer VPS_abc", ""},
      {"Basic dXNlcjpwYXNz", ""},
      {"vps_abc", ""},
      {"Token vps_abc", ""},
      {"\xff\xfe\xfd\xfc\xfb\xfa\xf9 vps_abc", ""},
  };
  for (const Case& c : cases) {
    auto got = bearerFromHeader(c.header);
    if (c.want.empty()) {
      ASSERT_FALSE(got.ok()) << "'" << c.header << "'";
      EXPECT_EQ(got.error().kind, ErrorKind::kAuthentication);
      EXPECT_FALSE(got.error().detail.empty());
    } else {
      ASSERT_TRUE(got.ok()) << "'" << c.header << "': " << got.error().detail;
      EXPECT_EQ(got.value(), c.want);
    }
  }
}

// Issue 11 item 8: lego's httpreq provider sends HTTP Basic, the token as the
// password (any user name); Bearer works as before.
TEST(Token, TokenFromBearerOrBasic) {
  struct Case {
    std::string header;
    std::string want;  // "" = an authentication error
  };
  const Case cases[] = {
      {"Basic YWNtZTp2cHNfYWJj", "vps_abc"},  // acme:vps_abc
      {"basic   OnZwc18wMTIz ", "vps_0123"},  // :vps_0123, spaces around
      {"Basic eDp2cHNfYWI=", "vps_ab"},       // one '=' of padding
      {"Basic eDp2cHNfYQ==", "vps_a"},        // two
      {"Basic bGVnbzp2cHNfYTpi", "vps_a:b"},  // the password may hold ':'
      {"Bearer vps_abc", "vps_abc"},
      {"Basic YTpiOnZwc194", ""},      // a:b:vps_x: password b:vps_x
      {"Basic YWNtZTpzZWNyZXQ=", ""},  // acme:secret, not a token
      {"Basic dnBzX2FiYw==", ""},      // vps_abc without user:
      {"Basic !!!!", ""},
      {"Basic abc", ""},
      {"Basic ", ""},
      {"", ""},
      {"Token vps_abc", ""},
  };
  for (const Case& c : cases) {
    auto got = tokenFromBearerOrBasic(c.header);
    if (c.want.empty()) {
      ASSERT_FALSE(got.ok()) << "'" << c.header << "'";
      EXPECT_EQ(got.error().kind, ErrorKind::kAuthentication);
      EXPECT_FALSE(got.error().detail.empty());
    } else {
      ASSERT_TRUE(got.ok()) << "'" << c.header << "': " << got.error().detail;
      EXPECT_EQ(got.value(), c.want);
    }
  }
}

}  // namespace
}  // namespace zp::auth

namespace zp::auth {
namespace {

// Issue 9: tokens:manage is a permission of its own, outside dns:*.
TEST(Permissions, TokensManageIsNotPartOfTheWildcard) {
  struct Case {
    std::vector<std::string> granted;
    Permission needed;
    bool want;
  };
  const Case cases[] = {
      {{"dns:*"}, Permission::kTokensManage, false},
      {{"tokens:manage"}, Permission::kTokensManage, true},
      {{"tokens:manage"}, Permission::kRead, false},
      {{"dns:*", "tokens:manage"}, Permission::kDelete, true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(allows(c.granted, c.needed), c.want) << toString(c.needed);
  }
  auto parsed = parsePermissions("tokens:manage,dns:*");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, (std::vector<std::string>{"dns:*", "tokens:manage"}));
}

}  // namespace
}  // namespace zp::auth
