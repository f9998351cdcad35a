#include "common/dns/validate.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "common/dns/record_spec.h"
#include "common/dns/zone_text.h"
#include "pipelines/push/rr_wire.h"

namespace zp::dns {
namespace {

// One row: input fields, then either the canonical value or the error field.
struct Case {
  std::string type;
  std::string name;
  std::string value;
  std::optional<int64_t> ttl;
  std::optional<int64_t> priority;
  std::string wantValue;  // canonical value when accepted
  std::string wantField;  // error field when rejected ("" = accepted)
};

constexpr std::nullopt_t kNone = std::nullopt;

void runCases(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    const RecordInput input{c.type, c.name, c.value, c.ttl, c.priority};
    auto got = validateRecord(input);
    const std::string label = c.type + " '" + c.name + "' '" + c.value + "'";
    if (c.wantField.empty()) {
      ASSERT_TRUE(got.ok()) << label << " rejected: " << got.error().field << ": "
                            << got.error().detail;
      EXPECT_EQ(got->value, c.wantValue) << label;
      // The canonical record's zone-file line is what the UPDATE is built
      // from: libzscanner must parse it as one record of the type's number.
      if (got->name.ends_with('.')) continue;  // an FQDN owner: the store relativises it first
      Record record;
      record.uuid = "u";
      record.data = got.value();
      const std::string line = recordLine(record, "example.com");
      auto wire = push::parseRrLines({line});
      ASSERT_TRUE(wire.ok()) << label << ": " << line << ": " << wire.error().detail;
      EXPECT_EQ(wire->front().type, specFor(got->type).wireType) << line;
    } else {
      ASSERT_FALSE(got.ok()) << label << " accepted as '" << got->value << "'";
      EXPECT_EQ(got.error().kind, ErrorKind::kValidation) << label;
      EXPECT_EQ(got.error().field, c.wantField) << label << ": " << got.error().detail;
      EXPECT_FALSE(got.error().detail.empty()) << label;
    }
  }
}

TEST(ValidateRecord, A) {
  runCases({
      {"A", "www", "192.0.2.1", kNone, kNone, "192.0.2.1", ""},
      {"A", "www", "0.0.0.0", kNone, kNone, "0.0.0.0", ""},
      {"A", "www", "255.255.255.255", kNone, kNone, "255.255.255.255", ""},
      {"A", "www", "10.0.0.10", kNone, kNone, "10.0.0.10", ""},
      {"A", "www", "192.0.2.01", kNone, kNone, "", "value"},
      {"A", "www", "192.0.2.256", kNone, kNone, "", "value"},
      {"A", "www", "192.0.2", kNone, kNone, "", "value"},
      {"A", "www", "192.0.2.1.5", kNone, kNone, "", "value"},
      {"A", "www", "192.0.2.", kNone, kNone, "", "value"},
      {"A", "www", ".192.0.2.1", kNone, kNone, "", "value"},
      {"A", "www", "192..2.1", kNone, kNone, "", "value"},
      {"A", "www", " 192.0.2.1", kNone, kNone, "", "value"},
      {"A", "www", "192.0.2.1 ", kNone, kNone, "", "value"},
      {"A", "www", "192.0.2.+1", kNone, kNone, "", "value"},
      {"A", "www", "192.0.2.-1", kNone, kNone, "", "value"},
      {"A", "www", "0x7f.0.0.1", kNone, kNone, "", "value"},
      {"A", "www", "3221225985", kNone, kNone, "", "value"},
      {"A", "www", "1000.0.0.1", kNone, kNone, "", "value"},
      {"A", "www", "2001:db8::1", kNone, kNone, "", "value"},
      {"A", "www", "", kNone, kNone, "", "value"},
      {"A", "www", "192.0.2.1\n", kNone, kNone, "", "value"},
  });
}

TEST(ValidateRecord, Aaaa) {
  runCases({
      {"AAAA", "www", "2001:db8::1", kNone, kNone, "2001:db8::1", ""},
      {"AAAA", "www", "2001:0db8::1", kNone, kNone, "2001:db8::1", ""},
      {"AAAA", "www", "2001:DB8:0:0:0:0:0:1", kNone, kNone, "2001:db8::1", ""},
      {"AAAA", "www", "2001:db8:0:0:1:0:0:1", kNone, kNone, "2001:db8::1:0:0:1", ""},
      {"AAAA", "www", "2001:db8:0:1:1:1:1:1", kNone, kNone, "2001:db8:0:1:1:1:1:1", ""},
      {"AAAA", "www", "::", kNone, kNone, "::", ""},
      {"AAAA", "www", "::1", kNone, kNone, "::1", ""},
      {"AAAA", "www", "::ffff:192.0.2.1", kNone, kNone, "::ffff:192.0.2.1", ""},
      {"AAAA", "www", "fe80::1%eth0", kNone, kNone, "", "value"},
      {"AAAA", "www", "192.0.2.1", kNone, kNone, "", "value"},
      {"AAAA", "www", "2001:db8::1::2", kNone, kNone, "", "value"},
      {"AAAA", "www", "2001:db8::g", kNone, kNone, "", "value"},
      {"AAAA", "www", "[2001:db8::1]", kNone, kNone, "", "value"},
      {"AAAA", "www", " 2001:db8::1", kNone, kNone, "", "value"},
      {"AAAA", "www", "2001:db8::1/64", kNone, kNone, "", "value"},
      {"AAAA", "www", std::string(100, '1'), kNone, kNone, "", "value"},
  });
}

TEST(ValidateRecord, CnameAndNs) {
  runCases({
      {"CNAME", "www", "Target.Example.COM.", kNone, kNone, "target.example.com", ""},
      {"CNAME", "www", "target.example.com", kNone, kNone, "target.example.com", ""},
      {"CNAME", "www", "_acme.example.net", kNone, kNone, "_acme.example.net", ""},
      {"CNAME", "www", ".", kNone, kNone, "", "value"},
      {"CNAME", "www", "192.0.2.1", kNone, kNone, "", "value"},
      {"CNAME", "www", "a..b", kNone, kNone, "", "value"},
      {"CNAME", "www", "target.example.com ", kNone, kNone, "", "value"},
      {"CNAME", "www", "*.example.com", kNone, kNone, "", "value"},
      {"CNAME", "www", "x.example.com", kNone, 10, "", "priority"},
      {"NS", "sub", "ns1.other.net.", kNone, kNone, "ns1.other.net", ""},
      {"NS", "sub", ".", kNone, kNone, "", "value"},
      {"NS", "sub", "ns1 .other.net", kNone, kNone, "", "value"},
  });
}

TEST(ValidateRecord, Mx) {
  runCases({
      {"MX", "@", "mail.example.com.", kNone, 10, "mail.example.com", ""},
      {"MX", "@", "MAIL.example.com", kNone, 0, "mail.example.com", ""},
      {"MX", "@", "mail.example.com", kNone, 65535, "mail.example.com", ""},
      {"MX", "@", ".", kNone, 0, ".", ""},
      {"MX", "@", ".", kNone, 10, ".", ""},  // priority 0 is a zone rule (checkRecordInZone)
      {"MX", "@", "mail.example.com", kNone, kNone, "", "priority"},
      {"MX", "@", "mail.example.com", kNone, -1, "", "priority"},
      {"MX", "@", "mail.example.com", kNone, 65536, "", "priority"},
      {"MX", "@", "10 mail.example.com", kNone, 10, "", "value"},
      {"MX", "@", "192.0.2.1", kNone, 10, "", "value"},
  });
  auto got = validateRecord({"MX", "@", "mail.example.com", kNone, kNone});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().detail, "MX records require a priority value");
}

TEST(ValidateRecord, Txt) {
  const std::string max(4000, 'x');
  const std::string tooLong(4001, 'x');
  const std::string utf8Max = std::string(3998, 'x') + "\xc3\xa9";  // 4000 octets
  runCases({
      {"TXT", "@", "v=spf1 include:_spf.example.com ~all", kNone, kNone,
       "v=spf1 include:_spf.example.com ~all", ""},
      {"TXT", "@", " leading and trailing spaces ", kNone, kNone, " leading and trailing spaces ",
       ""},
      {"TXT", "@", "quotes \" and \\ backslashes", kNone, kNone, "quotes \" and \\ backslashes",
       ""},
      {"TXT", "@", "$INCLUDE /etc/passwd ; comment ( )", kNone, kNone,
       "$INCLUDE /etc/passwd ; comment ( )", ""},
      {"TXT", "@", "Grüße, 日本語 ✓", kNone, kNone, "Grüße, 日本語 ✓", ""},
      {"TXT", "_dmarc", "v=DMARC1; p=none", kNone, kNone, "v=DMARC1; p=none", ""},
      {"TXT", "@", max, kNone, kNone, max, ""},
      {"TXT", "@", utf8Max, kNone, kNone, utf8Max, ""},
      {"TXT", "@", tooLong, kNone, kNone, "", "value"},
      {"TXT", "@", "", kNone, kNone, "", "value"},
      {"TXT", "@", "line\nbreak", kNone, kNone, "", "value"},
      {"TXT", "@", "carriage\rreturn", kNone, kNone, "", "value"},
      {"TXT", "@", "tab\there", kNone, kNone, "", "value"},
      {"TXT", "@", std::string("nul\0byte", 8), kNone, kNone, "", "value"},
      {"TXT", "@", "del\x7f", kNone, kNone, "", "value"},
      {"TXT", "@", "bad \xff utf8", kNone, kNone, "", "value"},
      {"TXT", "@", "cut \xe6\x97", kNone, kNone, "", "value"},
      {"TXT", "@", "text", kNone, 5, "", "priority"},
  });
}

TEST(ValidateRecord, Srv) {
  runCases({
      {"SRV", "_sip._tcp", "5 5060 sip.example.com.", kNone, 10, "5 5060 sip.example.com", ""},
      {"SRV", "_sip._udp", "0 0 .", kNone, 0, "0 0 .", ""},
      {"SRV", "_xmpp._tls", "65535 65535 XMPP.example.com", kNone, 1,
       "65535 65535 xmpp.example.com", ""},
      {"SRV", "_foo._sctp.sub", "1 2 h.example.com", kNone, 1, "1 2 h.example.com", ""},
      {"SRV", "_sip._tcp.example.com.", "5 5060 sip.example.com", kNone, 1,
       "5 5060 sip.example.com", ""},
      {"SRV", "_sip._tcp", "5 5060 sip.example.com", kNone, kNone, "", "priority"},
      {"SRV", "_sip._tcp", "5 5060 sip.example.com", kNone, 70000, "", "priority"},
      {"SRV", "_sip._tcp", "5 5060", kNone, 1, "", "value"},
      {"SRV", "_sip._tcp", "5 5060 sip.example.com extra", kNone, 1, "", "value"},
      {"SRV", "_sip._tcp", "5  5060 sip.example.com", kNone, 1, "", "value"},
      {"SRV", "_sip._tcp", "5 65536 sip.example.com", kNone, 1, "", "value"},
      {"SRV", "_sip._tcp", "-5 5060 sip.example.com", kNone, 1, "", "value"},
      {"SRV", "_sip._tcp", "x 5060 sip.example.com", kNone, 1, "", "value"},
      {"SRV", "_sip._tcp", "5 5060 192.0.2.1", kNone, 1, "", "value"},
      {"SRV", "_sip._tcp", "5 5060 sip.example.com ", kNone, 1, "", "value"},
      {"SRV", "sip._tcp", "5 5060 sip.example.com", kNone, 1, "", "name"},
      {"SRV", "_sip.tcp", "5 5060 sip.example.com", kNone, 1, "", "name"},
      {"SRV", "_sip._http", "5 5060 sip.example.com", kNone, 1, "", "name"},
      {"SRV", "_sip", "5 5060 sip.example.com", kNone, 1, "", "name"},
      {"SRV", "@", "5 5060 sip.example.com", kNone, 1, "", "name"},
      {"SRV", "www._sip._tcp", "5 5060 sip.example.com", kNone, 1, "", "name"},
  });
}

TEST(ValidateRecord, Caa) {
  runCases({
      {"CAA", "@", "0 issue \"letsencrypt.org\"", kNone, kNone, "0 issue \"letsencrypt.org\"", ""},
      {"CAA", "@", "128 ISSUEWILD \";\"", kNone, kNone, "128 issuewild \";\"", ""},
      {"CAA", "@", "0 iodef \"mailto:security@example.com\"", kNone, kNone,
       "0 iodef \"mailto:security@example.com\"", ""},
      {"CAA", "@", "0 issue \"\"", kNone, kNone, "0 issue \"\"", ""},
      {"CAA", "@", "0 issue \"ca.example; account=123\"", kNone, kNone,
       "0 issue \"ca.example; account=123\"", ""},
      {"CAA", "@", "256 issue \"letsencrypt.org\"", kNone, kNone, "", "value"},
      {"CAA", "@", "0 issues \"letsencrypt.org\"", kNone, kNone, "", "value"},
      {"CAA", "@", "0 issue letsencrypt.org", kNone, kNone, "", "value"},
      {"CAA", "@", "0 issue \"letsencrypt.org", kNone, kNone, "", "value"},
      {"CAA", "@", "0 issue \"a\"b\"", kNone, kNone, "", "value"},
      {"CAA", "@", "0 issue \"a\\\"", kNone, kNone, "", "value"},
      {"CAA", "@", "0 issue \"caf\xc3\xa9\"", kNone, kNone, "", "value"},
      {"CAA", "@", "0  issue \"x\"", kNone, kNone, "", "value"},
      {"CAA", "@", "0 issue", kNone, kNone, "", "value"},
      {"CAA", "@", "issue \"x\"", kNone, kNone, "", "value"},
      {"CAA", "@", "0 issue \"" + std::string(256, 'a') + "\"", kNone, kNone, "", "value"},
      {"CAA", "@", "0 issue \"x\"", kNone, 0, "", "priority"},
  });
}

const std::string kSha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const std::string kSha1 = "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3";
const std::string kSha384(96, 'a');
const std::string kSha512(128, 'b');

TEST(ValidateRecord, PtrAndDname) {
  runCases({
      {"PTR", "1", "Host.Example.NET.", kNone, kNone, "host.example.net", ""},
      {"PTR", "1.2", "host.example.net", kNone, kNone, "host.example.net", ""},
      {"PTR", "@", "host.example.net", kNone, kNone, "host.example.net", ""},
      {"PTR", "*", "any.example.net", kNone, kNone, "any.example.net", ""},
      {"PTR", "1", ".", kNone, kNone, "", "value"},
      {"PTR", "1", "192.0.2.1", kNone, kNone, "", "value"},
      {"PTR", "1", "host example", kNone, kNone, "", "value"},
      {"PTR", "1", "host.example.net", kNone, 1, "", "priority"},
      {"DNAME", "old", "New.Example.NET.", kNone, kNone, "new.example.net", ""},
      {"DNAME", "@", "example.net", kNone, kNone, "example.net", ""},
      {"DNAME", "old", ".", kNone, kNone, "", "value"},
      {"DNAME", "old", "a..b", kNone, kNone, "", "value"},
  });
}

TEST(ValidateRecord, Tlsa) {
  runCases({
      {"TLSA", "_443._tcp.www", "3 1 1 " + kSha256, kNone, kNone, "3 1 1 " + kSha256, ""},
      {"TLSA", "_443._tcp",
       "3 1 1 9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08", kNone, kNone,
       "3 1 1 " + kSha256, ""},
      {"TLSA", "_25._tcp.mail", "2 0 2 " + kSha512, kNone, kNone, "2 0 2 " + kSha512, ""},
      {"TLSA", "_443._udp", "3 1 1 " + kSha256.substr(0, 32) + " " + kSha256.substr(32), kNone,
       kNone, "3 1 1 " + kSha256, ""},
      {"TLSA", "_443._tcp", "0 0 0 3082", kNone, kNone, "0 0 0 3082", ""},
      {"TLSA", "_443._tcp", "4 1 1 " + kSha256, kNone, kNone, "", "value"},
      {"TLSA", "_443._tcp", "3 2 1 " + kSha256, kNone, kNone, "", "value"},
      {"TLSA", "_443._tcp", "3 1 3 " + kSha256, kNone, kNone, "", "value"},
      {"TLSA", "_443._tcp", "3 1 1 " + kSha256.substr(2), kNone, kNone, "", "value"},
      {"TLSA", "_443._tcp", "3 1 2 " + kSha256, kNone, kNone, "", "value"},
      {"TLSA", "_443._tcp", "3 1 1 " + kSha256.substr(1) + "g", kNone, kNone, "", "value"},
      {"TLSA", "_443._tcp", "3 1 1", kNone, kNone, "", "value"},
      {"TLSA", "_443._tcp", "3 1 1 \"" + kSha256 + "\"", kNone, kNone, "", "value"},
      {"TLSA", "_443._tcp", "3 1 1 " + kSha256, kNone, 1, "", "priority"},
      {"TLSA", "www", "3 1 1 " + kSha256, kNone, kNone, "", "name"},
      {"TLSA", "_https._tcp", "3 1 1 " + kSha256, kNone, kNone, "", "name"},
      {"TLSA", "_443._http", "3 1 1 " + kSha256, kNone, kNone, "", "name"},
      {"TLSA", "_99999._tcp", "3 1 1 " + kSha256, kNone, kNone, "", "name"},
  });
}

TEST(ValidateRecord, Sshfp) {
  runCases({
      {"SSHFP", "host", "4 2 " + kSha256, kNone, kNone, "4 2 " + kSha256, ""},
      {"SSHFP", "host", "1 1 A94A8FE5CCB19BA61C4C0873D391E987982FBBD3", kNone, kNone,
       "1 1 " + kSha1, ""},
      {"SSHFP", "@", "6 2 " + kSha256, kNone, kNone, "6 2 " + kSha256, ""},
      {"SSHFP", "host", "5 2 " + kSha256, kNone, kNone, "", "value"},
      {"SSHFP", "host", "4 3 " + kSha256, kNone, kNone, "", "value"},
      {"SSHFP", "host", "4 1 " + kSha256, kNone, kNone, "", "value"},
      {"SSHFP", "host", "4 2 " + kSha1, kNone, kNone, "", "value"},
      {"SSHFP", "host", "4 2", kNone, kNone, "", "value"},
      {"SSHFP", "host", "x 2 " + kSha256, kNone, kNone, "", "value"},
  });
}

TEST(ValidateRecord, Ds) {
  runCases({
      {"DS", "sub", "12345 13 2 " + kSha256, kNone, kNone, "12345 13 2 " + kSha256, ""},
      {"DS", "sub", "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118", kNone, kNone,
       "60485 5 1 2bb183af5f22588179a53b0a98631fad1a292118", ""},
      {"DS", "sub", "1 8 4 " + kSha384, kNone, kNone, "1 8 4 " + kSha384, ""},
      {"DS", "sub", "12345 13 2 " + kSha256.substr(0, 32) + " " + kSha256.substr(32), kNone, kNone,
       "12345 13 2 " + kSha256, ""},
      {"DS", "sub", "65536 13 2 " + kSha256, kNone, kNone, "", "value"},
      {"DS", "sub", "12345 1 2 " + kSha256, kNone, kNone, "", "value"},
      {"DS", "sub", "12345 13 3 " + kSha256, kNone, kNone, "", "value"},
      {"DS", "sub", "12345 13 2 " + kSha1, kNone, kNone, "", "value"},
      {"DS", "sub", "12345 13 1 " + kSha256, kNone, kNone, "", "value"},
      {"DS", "sub", "12345 13 2", kNone, kNone, "", "value"},
  });
}

TEST(ValidateRecord, Naptr) {
  runCases({
      {"NAPTR", "@", "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.Example.COM.", kNone, kNone,
       "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.com", ""},
      {"NAPTR", "@", "100  10 \"u\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .", kNone, kNone,
       "100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .", ""},
      {"NAPTR", "@", "10 0 \"U\" \"E2U+sip\" \"!^(.*)$!sip:\\\\1@x.example!\" .", kNone, kNone,
       "10 0 \"U\" \"E2U+sip\" \"!^(.*)$!sip:\\\\1@x.example!\" .", ""},
      {"NAPTR", "@", "10 0 \"\" \"\" \"\" .", kNone, kNone, "10 0 \"\" \"\" \"\" .", ""},
      {"NAPTR", "@", "100 10 S SIP+D2U \"\" _sip._udp.example.com", kNone, kNone, "", "value"},
      {"NAPTR", "@", "100 10 \"S\" \"SIP+D2U\" \"\"", kNone, kNone, "", "value"},
      {"NAPTR", "@", "70000 10 \"S\" \"SIP+D2U\" \"\" .", kNone, kNone, "", "value"},
      {"NAPTR", "@", "100 10 \"S!\" \"SIP+D2U\" \"\" .", kNone, kNone, "", "value"},
      {"NAPTR", "@", "100 10 \"U\" \"E2U+sip\" \"!a!b!\" sip.example.com", kNone, kNone, "",
       "value"},
      {"NAPTR", "@", "100 10 \"S\" \"SIP+D2U\" \"\" .", kNone, 1, "", "priority"},
      {"NAPTR", "@", "100 10 \"S\" \"SIP+D2U\" \"unclosed .", kNone, kNone, "", "value"},
      // The regexp is a substitution expression named can load (RFC 3402 3.2;
      // BIND's txt_valid_regex). The first was a fuzz finding (zone_render).
      {"NAPTR", "@", "100 10 \"u\" \"E2U+sip\" \"!^.*$#sip:info@example.net!\" .", kNone, kNone, "",
       "value"},
      {"NAPTR", "@", "1 1 \"U\" \"E2U+sip\" \"!^.*$!x!!\" .", kNone, kNone, "", "value"},
      {"NAPTR", "@", "1 1 \"U\" \"E2U+sip\" \"!^.*$!x!g\" .", kNone, kNone, "", "value"},
      {"NAPTR", "@", "1 1 \"U\" \"E2U+sip\" \"1^.*$1x1\" .", kNone, kNone, "", "value"},
      {"NAPTR", "@", "1 1 \"U\" \"E2U+sip\" \"!(.*!x!\" .", kNone, kNone, "", "value"},
      {"NAPTR", "@", "1 1 \"U\" \"E2U+sip\" \"!^(.*)$!\\\\2@x!\" .", kNone, kNone, "", "value"},
      {"NAPTR", "@", "1 1 \"U\" \"E2U+sip\" \"!^.*$!\\\\0@x!\" .", kNone, kNone, "", "value"},
      {"NAPTR", "@", "1 1 \"U\" \"E2U+sip\" \"!^(a)(b)$!\\\\2@x!i\" .", kNone, kNone,
       "1 1 \"U\" \"E2U+sip\" \"!^(a)(b)$!\\\\2@x!i\" .", ""},
      // Fuzz findings: counted repetitions that made regcomp run for seconds,
      // and flags over 255 octets (an exception, i.e. a 503, before).
      {"NAPTR", "@", "1 1 \"U\" \"E2U+sip\" \"!^#" + std::string(40, '+') + "$!x!\" .", kNone,
       kNone, "", "value"},
      {"NAPTR", "@", "1 1 \"U\" \"E2U+sip\" \"!^(((((a+)+)+)+)+)+$!x!\" .", kNone, kNone,
       "1 1 \"U\" \"E2U+sip\" \"!^(((((a+)+)+)+)+)+$!x!\" .", ""},
      {"NAPTR", "@", "1 1 \"U\" \"E2U+sip\" \"!((a{255}){255}){255}!x!\" .", kNone, kNone, "",
       "value"},
      // Adjacent duplication symbols (undefined in POSIX): "^.+*+++++" held
      // glibc's regcomp 8 s, a request_body fuzz finding (every POST of it
      // stalled a validator); one symbol per atom is still fine.
      {"NAPTR", "@", "1 1 \"u\" \"E2U+sip\" \"!^.+*++++++!sinf!\" .", kNone, kNone, "", "value"},
      {"NAPTR", "@", "1 1 \"U\" \"E2U+sip\" \"!^a*?$!x!\" .", kNone, kNone, "", "value"},
      {"NAPTR", "@", "1 1 \"U\" \"E2U+sip\" \"!^a{2}{3}$!x!\" .", kNone, kNone, "", "value"},
      {"NAPTR", "@", "1 1 \"U\" \"E2U+sip\" \"!^(a+)*b?c{2}$!x!\" .", kNone, kNone,
       "1 1 \"U\" \"E2U+sip\" \"!^(a+)*b?c{2}$!x!\" .", ""},
      {"NAPTR", "@", "1 1 \"U\" \"E2U+sip\" \"!(a{2,40}){1,25}!x!\" .", kNone, kNone,
       "1 1 \"U\" \"E2U+sip\" \"!(a{2,40}){1,25}!x!\" .", ""},
      {"NAPTR", "@", "1 1 \"U\" \"E2U+sip\" \"!(a{2,40}){1,26}!x!\" .", kNone, kNone, "", "value"},
      {"NAPTR", "@", "1 1 \"" + std::string(256, 'S') + "\" \"E2U+sip\" \"\" .", kNone, kNone, "",
       "value"},
      {"NAPTR", "@", "1 1 \"U\" \"E2U+sip\" \"#a\\\\.b#c#\" .", kNone, kNone,
       "1 1 \"U\" \"E2U+sip\" \"#a\\\\.b#c#\" .", ""},
  });
}

TEST(ValidateRecord, HttpsAndSvcb) {
  runCases({
      {"HTTPS", "@", "1 . alpn=h2,h3", kNone, kNone, "1 . alpn=\"h2,h3\"", ""},
      {"HTTPS", "@", "1 . port=443 alpn=\"h2\"", kNone, kNone, "1 . alpn=\"h2\" port=443", ""},
      {"HTTPS", "www", "0 CDN.Example.NET.", kNone, kNone, "0 cdn.example.net", ""},
      {"HTTPS", "@",
       "2 svc.example.net ipv6hint=2001:DB8::0001 ipv4hint=192.0.2.1,192.0.2.2 mandatory=port,alpn "
       "alpn=h3 port=8443 no-default-alpn "
       "ech=AEn+DQBFKwAgACABWIHUGj4u+"
       "PIggYXcR5JF0gYk3dCRioBW8uJq9H4mKAAIAAEAAQABAANAEnB1YmxpYy50bHMtZWNoLmRldgAA",
       kNone, kNone,
       "2 svc.example.net mandatory=alpn,port alpn=\"h3\" no-default-alpn port=8443 "
       "ipv4hint=192.0.2.1,192.0.2.2 "
       "ech=AEn+DQBFKwAgACABWIHUGj4u+"
       "PIggYXcR5JF0gYk3dCRioBW8uJq9H4mKAAIAAEAAQABAANAEnB1YmxpYy50bHMtZWNoLmRldgAA "
       "ipv6hint=2001:db8::1",
       ""},
      {"SVCB", "_8443._foo.api", "1 svc.example.net. port=8443", kNone, kNone,
       "1 svc.example.net port=8443", ""},
      {"HTTPS", "@", "0 . alpn=h2", kNone, kNone, "", "value"},
      {"HTTPS", "@", "1 . alpn=h2 alpn=h3", kNone, kNone, "", "value"},
      {"HTTPS", "@", "1 . key65=x", kNone, kNone, "", "value"},
      {"HTTPS", "@", "1 . port=65536", kNone, kNone, "", "value"},
      {"HTTPS", "@", "1 . port", kNone, kNone, "", "value"},
      {"HTTPS", "@", "1 . ipv4hint=192.0.2.01", kNone, kNone, "", "value"},
      {"HTTPS", "@", "1 . ipv6hint=192.0.2.1", kNone, kNone, "", "value"},
      {"HTTPS", "@", "1 . ech=not*base64", kNone, kNone, "", "value"},
      {"HTTPS", "@", "1 . no-default-alpn", kNone, kNone, "", "value"},
      {"HTTPS", "@", "1 . mandatory=port", kNone, kNone, "", "value"},
      {"HTTPS", "@", "1 . mandatory=mandatory", kNone, kNone, "", "value"},
      {"HTTPS", "@", "1 . alpn=\"h2\\,h3\"", kNone, kNone, "", "value"},
      {"HTTPS", "@", "70000 .", kNone, kNone, "", "value"},
      {"HTTPS", "@", "1", kNone, kNone, "", "value"},
      {"HTTPS", "@", "1 192.0.2.1", kNone, kNone, "", "value"},
      {"HTTPS", "@", "1 .", kNone, 1, "", "priority"},
      {"HTTPS", "@", "1 . ipv4hint=192.0.2.1" + std::string(kMaxValueOctets, '0'), kNone, kNone, "",
       "value"},
  });
}

TEST(ValidateRecord, CommonFields) {
  runCases({
      {"a", "www", "192.0.2.1", kNone, kNone, "", "record_type"},
      {"SPF", "www", "v=spf1 -all", kNone, kNone, "", "record_type"},
      {"", "www", "192.0.2.1", kNone, kNone, "", "record_type"},
      {"A", "", "192.0.2.1", kNone, kNone, "", "name"},
      {"A", "w w", "192.0.2.1", kNone, kNone, "", "name"},
      {"A", "www.example.com.", "192.0.2.1", kNone, kNone, "192.0.2.1", ""},
      {"A", "*", "192.0.2.1", kNone, kNone, "192.0.2.1", ""},
      {"A", "www", "192.0.2.1", 60, kNone, "192.0.2.1", ""},
      {"A", "www", "192.0.2.1", 604800, kNone, "192.0.2.1", ""},
      {"A", "www", "192.0.2.1", 59, kNone, "", "ttl"},
      {"A", "www", "192.0.2.1", 604801, kNone, "", "ttl"},
      {"A", "www", "192.0.2.1", 0, kNone, "", "ttl"},
      {"A", "www", "192.0.2.1", -3600, kNone, "", "ttl"},
      {"A", "www", "192.0.2.1", kNone, 0, "", "priority"},
  });
  auto got = validateRecord({"A", "WWW", "192.0.2.1", kNone, kNone});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->type, RecordType::kA);
  EXPECT_EQ(got->name, "www");
  EXPECT_EQ(got->ttl, kDefaultTtl);
  EXPECT_FALSE(got->priority.has_value());
  auto typeError = validateRecord({"XYZ", "www", "1", kNone, kNone});
  ASSERT_FALSE(typeError.ok());
  EXPECT_EQ(
      typeError.error().detail,
      "record_type must be one of A, AAAA, CNAME, MX, TXT, NS, SRV, CAA, PTR, TLSA, SSHFP, DS, "
      "NAPTR, DNAME, HTTPS, SVCB");
  auto prioError = validateRecord({"A", "www", "192.0.2.1", kNone, 1});
  ASSERT_FALSE(prioError.ok());
  EXPECT_EQ(prioError.error().detail,
            "priority is only allowed on MX and SRV records; other types keep every number in "
            "value");
  auto mx = validateRecord({"MX", "@", "mx.example.com", 300, 20});
  ASSERT_TRUE(mx.ok());
  EXPECT_EQ(mx->priority, std::optional<uint16_t>(20));
  EXPECT_EQ(mx->ttl, 300u);
}

TEST(ValidateRecord, CanonicalValuesAreFixedPoints) {
  // Validating a canonical record again changes nothing (the renderer relies
  // on this for its re-check).
  const std::vector<RecordInput> inputs = {
      {"AAAA", "www", "2001:0DB8::0001", kNone, kNone},
      {"MX", "@", "Mail.Example.com.", kNone, 5},
      {"SRV", "_sip._tcp", "5 5060 SIP.example.com.", kNone, 1},
      {"CAA", "@", "0 IoDeF \"mailto:a@b.c\"", kNone, kNone},
      {"TXT", "@", " spaced ", kNone, kNone},
      {"PTR", "1", "Host.Example.NET.", kNone, kNone},
      {"TLSA", "_443._tcp", "3 1 1 " + kSha256.substr(0, 10) + " " + kSha256.substr(10), kNone,
       kNone},
      {"SSHFP", "h", "4 2 " + kSha256, kNone, kNone},
      {"DS", "sub", "12345 13 2 " + kSha256, kNone, kNone},
      {"NAPTR", "@", "10 0 \"u\" \"E2U+sip\" \"!^(.*)$!\\\\1\\034!\" .", kNone, kNone},
      {"DNAME", "old", "NEW.example.net.", kNone, kNone},
      {"HTTPS", "@", "1 . port=443 alpn=h2,h3 ipv6hint=2001:DB8::1", kNone, kNone},
      {"SVCB", "_x._y", "0 svc.example.net.", kNone, kNone},
  };
  for (const RecordInput& in : inputs) {
    auto first = validateRecord(in);
    ASSERT_TRUE(first.ok()) << in.value;
    RecordInput again{in.type, first->name, first->value, first->ttl, in.priority};
    auto second = validateRecord(again);
    ASSERT_TRUE(second.ok()) << first->value;
    EXPECT_EQ(second.value(), first.value());
  }
}

Record stored(std::string uuid, RecordType type, std::string name, std::string value) {
  Record r;
  r.uuid = std::move(uuid);
  r.data.type = type;
  r.data.name = std::move(name);
  r.data.value = std::move(value);
  return r;
}

RecordData candidate(RecordType type, std::string name, std::string value) {
  RecordData d;
  d.type = type;
  d.name = std::move(name);
  d.value = std::move(value);
  return d;
}

TEST(CheckRecordInZone, Table) {
  const auto zone = *DnsName::parseZoneDomain("example.com");
  using T = RecordType;
  const std::vector<Record> none;
  const std::vector<Record> wwwA = {stored("u1", T::kA, "www", "192.0.2.1")};
  const std::vector<Record> wwwCname = {stored("u2", T::kCname, "www", "other.example.com")};
  struct ZoneCase {
    std::string label;
    const std::vector<Record>* sameName;
    RecordData cand;
    std::string ignore;
    std::optional<ErrorKind> wantKind;
    std::string wantField;
  };
  const ZoneCase cases[] = {
      {"A into empty name", &none, candidate(T::kA, "www", "192.0.2.1"), "", std::nullopt, ""},
      {"second A", &wwwA, candidate(T::kA, "www", "192.0.2.2"), "", std::nullopt, ""},
      {"TXT beside A", &wwwA, candidate(T::kTxt, "www", "x"), "", std::nullopt, ""},
      {"same A twice", &wwwA, candidate(T::kA, "www", "192.0.2.1"), "", ErrorKind::kRecordConflict,
       "value"},
      {"same A replacing itself", &wwwA, candidate(T::kA, "www", "192.0.2.1"), "u1", std::nullopt,
       ""},
      {"CNAME beside A", &wwwA, candidate(T::kCname, "www", "x.example.net"), "",
       ErrorKind::kRecordConflict, "name"},
      {"CNAME replacing the only A", &wwwA, candidate(T::kCname, "www", "x.example.net"), "u1",
       std::nullopt, ""},
      {"A beside CNAME", &wwwCname, candidate(T::kA, "www", "192.0.2.1"), "",
       ErrorKind::kRecordConflict, "name"},
      {"second CNAME", &wwwCname, candidate(T::kCname, "www", "y.example.net"), "",
       ErrorKind::kRecordConflict, "name"},
      {"identical CNAME", &wwwCname, candidate(T::kCname, "www", "other.example.com"), "",
       ErrorKind::kRecordConflict, "value"},
      {"CNAME updating itself", &wwwCname, candidate(T::kCname, "www", "y.example.net"), "u2",
       std::nullopt, ""},
      {"CNAME at apex", &none, candidate(T::kCname, "@", "x.example.net"), "",
       ErrorKind::kValidation, "name"},
      {"NS at apex", &none, candidate(T::kNs, "@", "ns.example.net"), "", ErrorKind::kValidation,
       "name"},
      {"NS below apex", &none, candidate(T::kNs, "sub", "ns.example.net"), "", std::nullopt, ""},
      {"MX same host other priority", &none, candidate(T::kMx, "@", "mx.example.com"), "",
       std::nullopt, ""},
  };
  for (const ZoneCase& c : cases) {
    const Status got = checkRecordInZone(zone, *c.sameName, c.cand, c.ignore);
    if (!c.wantKind) {
      EXPECT_FALSE(got.has_value()) << c.label << ": " << got->detail;
    } else {
      ASSERT_TRUE(got.has_value()) << c.label;
      EXPECT_EQ(got->kind, *c.wantKind) << c.label;
      EXPECT_EQ(got->field, c.wantField) << c.label << ": " << got->detail;
    }
  }
}

TEST(CheckRecordInZone, RrsetAndNeighbourhoodRules) {
  const auto zone = *DnsName::parseZoneDomain("example.com");
  using T = RecordType;
  auto withTtl = [](Record r, uint32_t ttl) {
    r.data.ttl = ttl;
    return r;
  };
  auto cand = [](T type, std::string name, std::string value, uint32_t ttl = 3600,
                 std::optional<uint16_t> priority = std::nullopt) {
    RecordData d = candidate(type, std::move(name), std::move(value));
    d.ttl = ttl;
    d.priority = priority;
    return d;
  };
  const std::vector<Record> none;
  const std::vector<Record> rrA = {withTtl(stored("a1", T::kA, "rr", "192.0.2.1"), 300)};
  const std::vector<Record> kidNs = {stored("n1", T::kNs, "kid", "ns1.example.net")};
  const std::vector<Record> kidNsDs = {stored("n1", T::kNs, "kid", "ns1.example.net"),
                                       stored("d1", T::kDs, "kid", "1 13 2 ab")};
  const std::vector<Record> oldDname = {stored("x1", T::kDname, "old", "example.net")};
  const std::vector<Record> nullMx = {stored("m1", T::kMx, "@", ".")};
  const std::vector<Record> txtBelow = {stored("t1", T::kTxt, "a.kid", "x")};
  const std::vector<Record> glueBelow = {stored("g1", T::kA, "ns.kid", "192.0.2.9")};
  struct RuleCase {
    std::string label;
    const std::vector<Record>* same;
    const std::vector<Record>* ancestors;
    const std::vector<Record>* descendants;
    RecordData cand;
    std::string ignore;
    std::optional<ErrorKind> kind;
    std::string field;
  };
  const auto conflict = ErrorKind::kRecordConflict;
  const auto invalid = ErrorKind::kValidation;
  const RuleCase cases[] = {
      {"same TTL joins the RRset", &rrA, &none, &none, cand(T::kA, "rr", "192.0.2.2", 300), "",
       std::nullopt, ""},
      {"other TTL", &rrA, &none, &none, cand(T::kA, "rr", "192.0.2.2", 3600), "", conflict, "ttl"},
      {"other TTL replacing the only member", &rrA, &none, &none,
       cand(T::kA, "rr", "192.0.2.2", 3600), "a1", std::nullopt, ""},
      {"other type, other TTL", &rrA, &none, &none, cand(T::kTxt, "rr", "x", 60), "", std::nullopt,
       ""},
      {"DS without NS", &none, &none, &none, cand(T::kDs, "kid", "1 13 2 ab"), "", conflict,
       "name"},
      {"DS beside NS", &kidNs, &none, &none, cand(T::kDs, "kid", "1 13 2 ab"), "", std::nullopt,
       ""},
      {"DS at the apex", &none, &none, &none, cand(T::kDs, "@", "1 13 2 ab"), "", invalid, "name"},
      {"TXT at a delegation", &kidNs, &none, &none, cand(T::kTxt, "kid", "x"), "", conflict,
       "name"},
      {"glue A at a delegation", &kidNs, &none, &none, cand(T::kA, "kid", "192.0.2.1"), "",
       std::nullopt, ""},
      {"TXT below a delegation", &none, &kidNs, &none, cand(T::kTxt, "a.kid", "x"), "", conflict,
       "name"},
      {"glue A below a delegation", &none, &kidNs, &none, cand(T::kA, "ns.kid", "192.0.2.1"), "",
       std::nullopt, ""},
      {"wildcard A below a delegation", &none, &kidNs, &none, cand(T::kA, "*.kid", "192.0.2.1"), "",
       conflict, "name"},
      {"NS over data below", &none, &none, &txtBelow, cand(T::kNs, "kid", "ns.example.net"), "",
       conflict, "name"},
      {"NS over glue below", &none, &none, &glueBelow, cand(T::kNs, "kid", "ns.example.net"), "",
       std::nullopt, ""},
      {"NS at a wildcard", &none, &none, &none, cand(T::kNs, "*", "ns.example.net"), "", invalid,
       "name"},
      {"DNAME at a wildcard", &none, &none, &none, cand(T::kDname, "*", "example.net"), "", invalid,
       "name"},
      {"below a DNAME", &none, &oldDname, &none, cand(T::kA, "x.old", "192.0.2.1"), "", conflict,
       "name"},
      {"DNAME over data below", &none, &none, &txtBelow, cand(T::kDname, "kid", "example.net"), "",
       conflict, "name"},
      {"second DNAME", &oldDname, &none, &none, cand(T::kDname, "old", "example.org"), "", conflict,
       "name"},
      {"DNAME replacing itself", &oldDname, &none, &none, cand(T::kDname, "old", "example.org"),
       "x1", std::nullopt, ""},
      {"MX beside null MX", &nullMx, &none, &none, cand(T::kMx, "@", "mx.example.net", 3600, 10),
       "", conflict, "value"},
      {"null MX priority 10", &none, &none, &none, cand(T::kMx, "nm", ".", 3600, 10), "", invalid,
       "priority"},
      {"null MX priority 0", &none, &none, &none, cand(T::kMx, "nm", ".", 3600, 0), "",
       std::nullopt, ""},
  };
  for (const RuleCase& c : cases) {
    const Status got = checkRecordInZone(
        zone, ZoneNeighbourhood{*c.same, *c.ancestors, *c.descendants}, c.cand, c.ignore);
    if (!c.kind) {
      EXPECT_FALSE(got.has_value()) << c.label << ": " << got->detail;
    } else {
      ASSERT_TRUE(got.has_value()) << c.label;
      EXPECT_EQ(got->kind, *c.kind) << c.label;
      EXPECT_EQ(got->field, c.field) << c.label << ": " << got->detail;
    }
  }
  // The last NS of a delegation with DS stays; with another NS, or without DS, it goes.
  EXPECT_TRUE(checkRecordRemoval(kidNsDs, kidNsDs[0]).has_value());
  EXPECT_FALSE(checkRecordRemoval(kidNs, kidNs[0]).has_value());
  EXPECT_FALSE(checkRecordRemoval(kidNsDs, kidNsDs[1]).has_value());
  EXPECT_EQ(ancestorNames("a.b.c"), (std::vector<std::string>{"b.c", "c", "@"}));
  EXPECT_EQ(ancestorNames("www"), (std::vector<std::string>{"@"}));
  EXPECT_EQ(ancestorNames("@"), std::vector<std::string>{});
}

TEST(CheckRecordInZone, DuplicateDetail) {
  const auto zone = *DnsName::parseZoneDomain("example.com");
  const std::vector<Record> existing = {stored("u1", RecordType::kMx, "@", "mx.example.com")};
  const Status got =
      checkRecordInZone(zone, existing, candidate(RecordType::kMx, "@", "mx.example.com"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->detail, "an identical record already exists");
}

}  // namespace
}  // namespace zp::dns
