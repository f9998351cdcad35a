#include "pipelines/api/preconditions.h"

#include <gtest/gtest.h>

#include <capnp/message.h>

namespace zp::api {
namespace {

EntityTag strong(std::string opaque) { return {false, std::move(opaque)}; }
EntityTag weak(std::string opaque) { return {true, std::move(opaque)}; }

TEST(ParseEntityTags, GoodAndBad) {
  struct Case {
    std::string in;
    bool ok;
    EntityTagList out;
  };
  const Case cases[] = {
      {"*", true, {true, {}}},
      {" * ", true, {true, {}}},
      {"\"57\"", true, {false, {strong("57")}}},
      {"W/\"57\"", true, {false, {weak("57")}}},
      {"\"1\", \"2\",W/\"3\"", true, {false, {strong("1"), strong("2"), weak("3")}}},
      {"\"1\",,\t\"2\" ,",
       true,
       {false, {strong("1"), strong("2")}}},  // empty elements (RFC 9110 5.6.1)
      {"\"\"", true, {false, {strong("")}}},
      {"\"xyzzy\"", true, {false, {strong("xyzzy")}}},
      {"\"caf\xc3\xa9\"", true, {false, {strong("caf\xc3\xa9")}}},  // obs-text
      {"", false, {}},
      {"   ", false, {}},
      {",", false, {}},
      {"57", false, {}},        // no quotes
      {"\"57", false, {}},      // unterminated
      {"w/\"57\"", false, {}},  // the weak prefix is case-sensitive
      {"W/57", false, {}},
      {"\"5 7\"", false, {}},        // a space is not an etagc
      {"\"57\" \"58\"", false, {}},  // no comma between
      {"\"57\";x", false, {}},
      {"*, \"57\"", false, {}},
      {"\"57\", *", false, {}},
      {"\"" + std::string(kMaxOpaqueOctets + 1, '1') + "\"", false, {}},
  };
  for (const auto& c : cases) {
    auto r = parseEntityTags(c.in, "If-Match");
    ASSERT_EQ(r.ok(), c.ok) << "[" << c.in << "]";
    if (c.ok) {
      EXPECT_EQ(*r, c.out) << c.in;
    } else {
      EXPECT_EQ(r.error().kind, ErrorKind::kValidation) << c.in;
      EXPECT_EQ(r.error().field, "If-Match") << c.in;
      EXPECT_NE(r.error().detail.find("If-Match"), std::string::npos) << r.error().detail;
    }
  }
}

TEST(ParseEntityTags, BoundsTheListLength) {
  std::string many;
  for (size_t i = 0; i <= kMaxEntityTags; ++i) many += "\"" + std::to_string(i) + "\",";
  EXPECT_FALSE(parseEntityTags(many, "If-Match").ok());
}

TEST(ParseIfMatch, KeepsOnlyStrongVersions) {
  struct Case {
    std::optional<std::string> in;
    bool ok;
    bool ifMatch;
    std::vector<uint64_t> versions;
  };
  const Case cases[] = {
      {std::nullopt, true, false, {}},
      {"*", true, false, {}},  // exists: the 404 already says so
      {"\"57\"", true, true, {57}},
      {"\"57\", \"0\"", true, true, {57, 0}},
      {"W/\"57\"", true, true, {}},                  // strong comparison: a weak tag never matches
      {"\"abc\"", true, true, {}},                   // not one of ours: never matches
      {"\"99999999999999999999\"", true, true, {}},  // beyond 2^64: not ours
      {"\"18446744073709551615\"", true, true, {}},  // 20 digits: not ours either
      {"garbage", false, false, {}},
  };
  for (const auto& c : cases) {
    auto r = parseIfMatch(c.in);
    ASSERT_EQ(r.ok(), c.ok) << c.in.value_or("(absent)");
    if (!c.ok) {
      EXPECT_EQ(r.error().field, "If-Match");
      continue;
    }
    EXPECT_EQ(r->ifMatch, c.ifMatch) << c.in.value_or("(absent)");
    EXPECT_EQ(r->versions, c.versions) << c.in.value_or("(absent)");
    EXPECT_FALSE(r->ifNoneMatch);
  }
}

TEST(ParseCreatePreconditions, IfNoneMatchTakesOnlyAStar) {
  auto star = parseCreatePreconditions(std::nullopt, "*");
  ASSERT_TRUE(star.ok());
  EXPECT_TRUE(star->ifNoneMatch);
  EXPECT_FALSE(star->ifMatch);

  auto both = parseCreatePreconditions("\"12\"", "*");
  ASSERT_TRUE(both.ok());
  EXPECT_TRUE(both->ifNoneMatch);
  EXPECT_EQ(both->versions, std::vector<uint64_t>{12});

  for (const char* bad : {"\"12\"", "W/\"12\"", "", "nope"}) {
    auto r = parseCreatePreconditions(std::nullopt, std::string(bad));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().field, "If-None-Match") << bad;
  }
  auto badMatch = parseCreatePreconditions("x", "*");
  ASSERT_FALSE(badMatch.ok());
  EXPECT_EQ(badMatch.error().field, "If-Match");
}

TEST(CheckIfMatch, NamesTheCurrentEtag) {
  Preconditions none;
  EXPECT_FALSE(checkIfMatch(none, 7, "record"));
  Preconditions p;
  p.ifMatch = true;
  p.versions = {5, 7};
  EXPECT_FALSE(checkIfMatch(p, 7, "record"));
  auto stale = checkIfMatch(p, 8, "zone");
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->kind, ErrorKind::kPreconditionFailed);
  EXPECT_EQ(stale->field, "If-Match");
  EXPECT_NE(stale->detail.find("zone"), std::string::npos);
  EXPECT_NE(stale->detail.find("\"8\""), std::string::npos);
  p.versions.clear();  // only weak tags were sent: nothing matches
  EXPECT_TRUE(checkIfMatch(p, 0, "record"));
}

TEST(FillPrecondition, OnlyWhenAsked) {
  capnp::MallocMessageBuilder m;
  auto c = m.initRoot<schema::Command>();
  fillPrecondition(Preconditions{}, c);
  EXPECT_FALSE(c.hasPrecondition());
  Preconditions p;
  p.ifMatch = true;
  p.versions = {3};
  fillPrecondition(p, c);
  ASSERT_TRUE(c.hasPrecondition());
  EXPECT_TRUE(c.getPrecondition().getIfMatch());
  ASSERT_EQ(c.getPrecondition().getVersions().size(), 1u);
  EXPECT_EQ(c.getPrecondition().getVersions()[0], 3u);
  EXPECT_FALSE(c.getPrecondition().getIfNoneMatch());
}

TEST(EtagOf, IsAQuotedDecimal) {
  EXPECT_EQ(etagOf(0), "\"0\"");
  EXPECT_EQ(etagOf(57), "\"57\"");
  EXPECT_EQ(parseIfMatch(etagOf(123))->versions, std::vector<uint64_t>{123});
}

}  // namespace
}  // namespace zp::api
