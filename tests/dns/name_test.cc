#include "common/dns/name.h"

#include <gtest/gtest.h>

#include <string>

namespace zp::dns {
namespace {

struct NameCase {
  std::string input;
  std::string want;  // normalised text; empty = must be rejected
};

std::string show(const std::string& s) {
  std::string out;
  for (const char c : s) {
    const auto octet = static_cast<unsigned char>(c);
    if (octet < 0x20 || octet >= 0x7f) {
      out += "\\" + std::to_string(octet);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

TEST(ParseZoneDomain, Table) {
  const std::string label63(63, 'a');
  const std::string label64(64, 'a');
  // Names of exactly 253 and 254 octets.
  const std::string name253 = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'b');
  const std::string name254 = label63 + "." + label63 + "." + label63 + "." + std::string(62, 'b');
  ASSERT_EQ(name253.size(), 253u);
  ASSERT_EQ(name254.size(), 254u);
  const NameCase cases[] = {
      // good
      {"example.com", "example.com"},
      {"example.com.", "example.com"},
      {"EXAMPLE.Com", "example.com"},
      {"a.b.c.example.co.uk", "a.b.c.example.co.uk"},
      {"xn--mnchen-3ya.de", "xn--mnchen-3ya.de"},
      {"XN--MNCHEN-3YA.DE", "xn--mnchen-3ya.de"},
      {"foo.ｃｏｍ", "foo.com"},                     // full-width letters map to ASCII
      {"bücher。example", "xn--bcher-kva.example"},  // ideographic full stop is a dot
      {"ab--cd.com", "ab--cd.com"},
      {"münchen.de", "xn--mnchen-3ya.de"},
      {"MÜNCHEN.de", "xn--mnchen-3ya.de"},
      {"faß.de", "xn--fa-hia.de"},  // IDNA 2008 non-transitional keeps ß
      {"例え.テスト", "xn--r8jz45g.xn--zckzah"},
      {"1-2.example", "1-2.example"},
      {"123.example", "123.example"},
      {"a." + label63 + ".com", "a." + label63 + ".com"},
      {name253, name253},
      {name253 + ".", name253},
      {"example.c0m", "example.c0m"},
      // bad
      {"", ""},
      {".", ""},
      {"com", ""},
      {"com.", ""},
      {".example.com", ""},
      {"a..b", ""},
      {"example.com..", ""},
      {"ex ample.com", ""},
      {" example.com", ""},
      {"example.com ", ""},
      {"example.com\n", ""},
      {"exa\tmple.com", ""},
      {std::string("exa\0mple.com", 12), ""},
      {"example.com\x7f", ""},
      {"-example.com", ""},
      {"example-.com", ""},
      {"exa_mple.com", ""},
      {"_dmarc.example.com", ""},
      {"*.example.com", ""},
      {"example.123", ""},
      {"192.0.2.1", ""},
      {"exa$mple.com", ""},
      {"exa/mple.com", ""},
      {"example.com;", ""},
      {"exa\"mple.com", ""},
      {"@", ""},
      {"xn--abc.com", ""},      // not valid punycode
      {"xn--example.com", ""},  // not valid punycode
      {"xn--.com", ""},
      {"\xcc\x81"
       "a.com",
       ""},  // combining mark first: invalid under IDNA 2008
      {label64 + ".com", ""},
      {name254, ""},
      {"\xff\xfe.com", ""},      // not UTF-8
      {"caf\xc3.com", ""},       // truncated sequence
      {"\xc0\xae.com", ""},      // overlong
      {"\xed\xa0\x80.com", ""},  // surrogate
      {"ex\xe2\x80\x8b"
       "ample.com",
       "example.com"},  // UTS #46 maps zero-width space to nothing, as browsers do
  };
  for (const NameCase& c : cases) {
    auto got = DnsName::parseZoneDomain(c.input);
    if (c.want.empty()) {
      EXPECT_FALSE(got.ok()) << "accepted bad domain '" << show(c.input) << "' as "
                             << (got ? got->text() : "");
      if (!got) {
        EXPECT_EQ(got.error().kind, ErrorKind::kValidation);
        EXPECT_EQ(got.error().field, "domain");
        EXPECT_FALSE(got.error().detail.empty());
      }
    } else {
      ASSERT_TRUE(got.ok()) << "rejected good domain '" << show(c.input)
                            << "': " << got.error().detail;
      EXPECT_EQ(got->text(), c.want) << show(c.input);
      EXPECT_EQ(got->toAbsolute(), c.want + ".");
    }
  }
}

TEST(ParseZoneDomain, HugeInputIsRejectedQuickly) {
  std::string huge;
  for (int i = 0; i < 100000; ++i) huge += "ü";
  huge += ".com";
  auto got = DnsName::parseZoneDomain(huge);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().field, "domain");
  EXPECT_FALSE(checkOwnerSyntax(huge).ok());
  EXPECT_FALSE(DnsName::parseHostname(huge).ok());
}

TEST(ParseZoneDomain, UsesTheGivenFieldName) {
  auto got = DnsName::parseZoneDomain("bad..name", "zone");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().field, "zone");
}

TEST(ParseZoneDomain, ErrorsDoNotEchoControlCharacters) {
  auto got = DnsName::parseZoneDomain("a\nb.com");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().detail.find('\n'), std::string::npos);
}

TEST(ParseHostname, Table) {
  struct HostCase {
    std::string input;
    bool allowRoot;
    bool ok;
    std::string want;
  };
  const HostCase cases[] = {
      {"mail.example.com", false, true, "mail.example.com"},
      {"mail.example.com.", false, true, "mail.example.com"},
      {"Mail.EXAMPLE.com", false, true, "mail.example.com"},
      {"localhost", false, true, "localhost"},
      {"_foo.example.com", false, true, "_foo.example.com"},
      {"_sip._tcp.example.com", false, true, "_sip._tcp.example.com"},
      {"münchen.de", false, true, "xn--mnchen-3ya.de"},
      {".", true, true, ""},
      {".", false, false, ""},
      {"", true, false, ""},
      {"..", true, false, ""},
      {"a..b", false, false, ""},
      {"*.example.com", false, false, ""},
      {"a_b.example.com", false, false, ""},
      {"_.example.com", false, false, ""},
      {"-a.example.com", false, false, ""},
      {"192.0.2.1", false, false, ""},
      {"2001:db8::1", false, false, ""},
      {"mail.example.com ", false, false, ""},
      {"mail example.com", false, false, ""},
      {"mail.example.com\r\n", false, false, ""},
      {"@", false, false, ""},
      {std::string(64, 'a') + ".com", false, false, ""},
  };
  for (const HostCase& c : cases) {
    auto got = DnsName::parseHostname(c.input, "value", c.allowRoot);
    EXPECT_EQ(got.ok(), c.ok) << "'" << show(c.input) << "' allowRoot=" << c.allowRoot;
    if (got && c.ok) {
      EXPECT_EQ(got->text(), c.want);
      EXPECT_EQ(got->isRoot(), c.want.empty());
    }
    if (!got) {
      EXPECT_EQ(got.error().field, "value");
    }
  }
}

TEST(DnsName, RootAndAbsolute) {
  auto root = DnsName::parseHostname(".", "value", true);
  ASSERT_TRUE(root.ok());
  EXPECT_TRUE(root->isRoot());
  EXPECT_EQ(root->toAbsolute(), ".");
}

TEST(DnsName, IsAtOrBelow) {
  const auto zone = *DnsName::parseZoneDomain("example.com");
  struct Case {
    std::string host;
    bool want;
  };
  const Case cases[] = {
      {"example.com", true},     {"www.example.com", true}, {"a.b.example.com", true},
      {"badexample.com", false}, {"example.org", false},    {"com", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(DnsName::parseHostname(c.host)->isAtOrBelow(zone), c.want) << c.host;
  }
}

TEST(CheckOwnerSyntax, Table) {
  struct Case {
    std::string input;
    std::string want;  // empty = rejected
  };
  const Case cases[] = {
      {"@", "@"},
      {"www", "www"},
      {"WWW", "www"},
      {"a.b", "a.b"},
      {"*", "*"},
      {"*.www", "*.www"},
      {"_dmarc", "_dmarc"},
      {"_sip._tcp", "_sip._tcp"},
      {"s1._domainkey", "s1._domainkey"},
      {"www.example.com.", "www.example.com."},
      {"WWW.Example.COM.", "www.example.com."},
      {"www.example.com", "www.example.com"},
      {"bücher", "xn--bcher-kva"},
      {"0", "0"},
      {"", ""},
      {".", ""},
      {"@.", ""},
      {"@www", ""},
      {"www.@", ""},
      {"..", ""},
      {"a..b", ""},
      {".www", ""},
      {"www..", ""},
      {"w*w", ""},
      {"www.*", ""},
      {"*.*", ""},
      {"**", ""},
      {"*a", ""},
      {"a_b", ""},
      {"_", ""},
      {"-www", ""},
      {"www-", ""},
      {"w w", ""},
      {" www", ""},
      {"www\n", ""},
      {"www;", ""},
      {"w\"w", ""},
      {"$INCLUDE", ""},
      {"(www)", ""},
      {std::string(64, 'a'), ""},
      {"\xff", ""},
  };
  for (const Case& c : cases) {
    auto got = checkOwnerSyntax(c.input);
    if (c.want.empty()) {
      EXPECT_FALSE(got.ok()) << "accepted '" << show(c.input) << "'";
      if (!got) {
        EXPECT_EQ(got.error().field, "name");
      }
    } else {
      ASSERT_TRUE(got.ok()) << "rejected '" << show(c.input) << "': " << got.error().detail;
      EXPECT_EQ(got.value(), c.want);
    }
  }
}

TEST(RelativizeOwner, Table) {
  const auto zone = *DnsName::parseZoneDomain("example.com");
  struct Case {
    std::string input;
    std::string want;  // empty = rejected
  };
  const Case cases[] = {
      {"@", "@"},
      {"www", "www"},
      {"a.b", "a.b"},
      {"*", "*"},
      {"_sip._tcp", "_sip._tcp"},
      {"example.com", "@"},
      {"example.com.", "@"},
      {"EXAMPLE.COM.", "@"},
      {"www.example.com", "www"},
      {"www.example.com.", "www"},
      {"*.example.com.", "*"},
      {"a.b.example.com", "a.b"},
      {"badexample.com", "badexample.com"},  // relative: badexample.com.example.com.
      {"www.example.org", "www.example.org"},
      {"www.example.org.", ""},
      {"badexample.com.", ""},
      {"com.", ""},
      {"www.example.com.evil.", ""},
      {"", ""},
  };
  for (const Case& c : cases) {
    auto got = relativizeOwner(c.input, zone);
    if (c.want.empty()) {
      EXPECT_FALSE(got.ok()) << "accepted '" << c.input << "'";
      if (!got) {
        EXPECT_EQ(got.error().kind, ErrorKind::kValidation);
        EXPECT_EQ(got.error().field, "name");
      }
    } else {
      ASSERT_TRUE(got.ok()) << "rejected '" << c.input << "': " << got.error().detail;
      EXPECT_EQ(got.value(), c.want) << c.input;
    }
  }
}

TEST(RelativizeOwner, OutsideZoneDetailNamesBoth) {
  const auto zone = *DnsName::parseZoneDomain("example.com");
  auto got = relativizeOwner("www.example.org.", zone);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.error().detail.find("outside the zone example.com"), std::string::npos)
      << got.error().detail;
}

TEST(RelativizeOwner, AbsoluteLengthLimit) {
  // zone of 11 octets; relative part r: r + "." + zone <= 253 -> r <= 241.
  const auto zone = *DnsName::parseZoneDomain("example.com");
  const std::string label(60, 'a');
  const std::string fits = label + "." + label + "." + label + "." + std::string(58, 'b');
  ASSERT_EQ(fits.size(), 241u);
  EXPECT_TRUE(relativizeOwner(fits, zone).ok());
  EXPECT_FALSE(relativizeOwner(fits + "b", zone).ok());
}

TEST(AbsoluteOwner, Table) {
  const auto zone = *DnsName::parseZoneDomain("example.com");
  EXPECT_EQ(absoluteOwner("@", zone), "example.com.");
  EXPECT_EQ(absoluteOwner("www", zone), "www.example.com.");
  EXPECT_EQ(absoluteOwner("*.a", zone), "*.a.example.com.");
  EXPECT_EQ(absoluteOwner("_sip._tcp", zone), "_sip._tcp.example.com.");
}

TEST(RelativizeOwner, RoundTripsWithAbsoluteOwner) {
  const auto zone = *DnsName::parseZoneDomain("example.com");
  for (const std::string name : {"@", "www", "a.b.c", "*.x", "_dmarc"}) {
    auto rel = relativizeOwner(absoluteOwner(name, zone), zone);
    ASSERT_TRUE(rel.ok()) << name;
    EXPECT_EQ(rel.value(), name);
  }
}

}  // namespace
}  // namespace zp::dns
