#include "common/dns/zone_text.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/dns/text.h"
#include "common/util/subprocess.h"

namespace zp::dns {
namespace {

using dns::RecordType;

ZoneFileSettings testSettings() {
  ZoneFileSettings s;
  s.nameservers = {"ns1.zonepipe.test", "ns2.zonepipe.test"};
  s.soaRname = "hostmaster.zonepipe.test";
  s.refresh = 3600;
  s.retry = 600;
  s.expire = 1209600;
  s.minimum = 300;
  s.nsTtl = 3600;
  return s;
}

class SnapshotBuilder {
 public:
  SnapshotBuilder(std::string domain, uint64_t serial) {
    snapshot_.zone.uuid = "zone-uuid";
    snapshot_.zone.domain = std::move(domain);
    snapshot_.zone.serial = serial;
  }
  SnapshotBuilder& add(RecordType type, std::string name, std::string value, uint32_t ttl = 3600,
                       std::optional<uint16_t> priority = std::nullopt) {
    dns::Record r;
    r.uuid = "rec-" + std::to_string(1000 + snapshot_.records.size());
    r.zoneUuid = snapshot_.zone.uuid;
    r.data.type = type;
    r.data.name = std::move(name);
    r.data.value = std::move(value);
    r.data.ttl = ttl;
    r.data.priority = priority;
    snapshot_.records.push_back(std::move(r));
    return *this;
  }
  const dns::ZoneSnapshot& get() const { return snapshot_; }

 private:
  dns::ZoneSnapshot snapshot_;
};

dns::ZoneSnapshot everyType() {
  SnapshotBuilder b("example.com", 42);
  b.add(RecordType::kA, "@", "192.0.2.1")
      .add(RecordType::kA, "www", "192.0.2.10", 300)
      .add(RecordType::kAaaa, "www", "2001:db8::10", 300)
      .add(RecordType::kCname, "alias", "www.example.com")
      .add(RecordType::kCname, "ext", "target.example.net")
      .add(RecordType::kMx, "@", "mail.example.com", 3600, 10)
      .add(RecordType::kMx, "@", "mx.example.net", 3600, 20)
      .add(RecordType::kA, "mail", "192.0.2.25")
      .add(RecordType::kMx, "nomail", ".", 3600, 0)
      .add(RecordType::kTxt, "@", "v=spf1 mx -all")
      .add(RecordType::kTxt, "_dmarc", "v=DMARC1; p=reject")
      .add(RecordType::kNs, "sub", "ns1.example.net", 86400)
      .add(RecordType::kNs, "sub", "ns2.example.net", 86400)
      .add(RecordType::kSrv, "_sip._tcp", "5 5060 sip.example.com", 3600, 10)
      .add(RecordType::kSrv, "_xmpp._tcp", "0 0 .", 3600, 0)
      .add(RecordType::kA, "sip", "192.0.2.50")
      .add(RecordType::kCaa, "@", "0 issue \"letsencrypt.org\"")
      .add(RecordType::kCaa, "@", "0 iodef \"mailto:security@example.com\"")
      .add(RecordType::kCaa, "@", "128 issuewild \";\"")
      .add(RecordType::kA, "*", "192.0.2.99", 60)
      .add(RecordType::kA, "*.dev", "192.0.2.98", 60)
      .add(RecordType::kA, "xn--bcher-kva", "192.0.2.77", 604800);
  return b.get();
}

dns::ZoneSnapshot longTxt() {
  std::string text;
  while (text.size() < 4000) text += "0123456789abcdefghijklmnopqrstuvwxyz";
  text.resize(4000);
  SnapshotBuilder b("long.example", 7);
  b.add(RecordType::kTxt, "big", text);
  // 255 octets exactly, and 256 (one octet into the second string).
  b.add(RecordType::kTxt, "edge255", std::string(255, 'e'));
  b.add(RecordType::kTxt, "edge256", std::string(255, 'e') + "f");
  return b.get();
}

dns::ZoneSnapshot hostileTxt() {
  SnapshotBuilder b("hostile.example", 4294967296ull + 9);  // serial wraps to 9
  b.add(RecordType::kTxt, "quotes", "say \"hello\" and \"\"")
      .add(RecordType::kTxt, "backslash", "C:\\path\\ and \\\" and trailing \\")
      .add(RecordType::kTxt, "include", "$INCLUDE /etc/passwd")
      .add(RecordType::kTxt, "directive", "x\" \n$ORIGIN evil.example.")
      .add(RecordType::kTxt, "semicolon", "a; b ; c ;; comment?")
      .add(RecordType::kTxt, "parens", "( unbalanced ) ( ) )")
      .add(RecordType::kTxt, "utf8", "Grüße, 日本語, emoji 😀")
      .add(RecordType::kTxt, "spaces", "  leading and trailing  ")
      .add(RecordType::kTxt, "at", "@ $TTL 0 IN A 1.2.3.4");
  // The "directive" record carries a newline: stored data must never hold one,
  // so drop it here; HostileValuesNeverBreakLines covers the rejection.
  dns::ZoneSnapshot s = b.get();
  s.records.erase(std::remove_if(s.records.begin(), s.records.end(),
                                 [](const dns::Record& r) { return r.data.name == "directive"; }),
                  s.records.end());
  return s;
}

dns::ZoneSnapshot emptyZone() { return SnapshotBuilder("empty.example", 0).get(); }

dns::ZoneSnapshot idnZone() {
  SnapshotBuilder b("xn--mnchen-3ya.de", 3);
  b.add(RecordType::kA, "@", "192.0.2.1").add(RecordType::kCname, "www", "xn--mnchen-3ya.de");
  return b.get();
}

// Issue 10's types, canonical as validation leaves them.
dns::ZoneSnapshot newTypes() {
  const std::string sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  SnapshotBuilder b("example.org", 11);
  b.add(RecordType::kA, "www", "192.0.2.10")
      .add(RecordType::kTlsa, "_443._tcp.www", "3 1 1 " + sha256)
      .add(RecordType::kTlsa, "_25._tcp.mail", "2 0 2 " + std::string(128, 'b'))
      .add(RecordType::kSshfp, "www", "4 2 " + sha256)
      .add(RecordType::kSshfp, "www", "1 1 a94a8fe5ccb19ba61c4c0873d391e987982fbbd3")
      .add(RecordType::kNs, "child", "ns1.example.net", 86400)
      .add(RecordType::kDs, "child", "12345 13 2 " + sha256, 86400)
      .add(RecordType::kNaptr, "@", "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.org")
      .add(RecordType::kNaptr, "@", "100 20 \"U\" \"E2U+sip\" \"!^(.*)$!sip:\\\\1@example.org!\" .")
      .add(RecordType::kDname, "old", "example.net")
      .add(RecordType::kHttps, "@", "1 . alpn=\"h2,h3\" port=443 ipv4hint=192.0.2.10")
      .add(RecordType::kHttps, "alias", "0 cdn.example.net")
      .add(RecordType::kSvcb, "_8443._api",
           "1 svc.example.net mandatory=port port=8443 "
           "ipv6hint=2001:db8::1")
      .add(RecordType::kPtr, "ptr", "www.example.org");
  return b.get();
}

// A reverse zone (RFC 1035 3.5): PTR records under in-addr.arpa.
dns::ZoneSnapshot reverseZone() {
  SnapshotBuilder b("2.0.192.in-addr.arpa", 5);
  b.add(RecordType::kPtr, "1", "host1.example.com").add(RecordType::kPtr, "10", "www.example.com");
  return b.get();
}

struct GoldenCase {
  std::string file;
  dns::ZoneSnapshot (*build)();
};

const GoldenCase kGoldenCases[] = {
    {"every_type.zone", everyType}, {"long_txt.zone", longTxt}, {"hostile_txt.zone", hostileTxt},
    {"empty.zone", emptyZone},      {"idn.zone", idnZone},      {"new_types.zone", newTypes},
    {"reverse.zone", reverseZone},
};

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void writeFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// A fresh directory below TMPDIR, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "zp-render-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(RenderZoneFile, MatchesGoldenFiles) {
  const bool regenerate = std::getenv("ZP_REGENERATE_GOLDEN") != nullptr;
  for (const GoldenCase& c : kGoldenCases) {
    const std::filesystem::path path = std::filesystem::path(ZP_GOLDEN_DIR) / c.file;
    const std::string got = renderZoneFile(c.build(), testSettings());
    if (regenerate) {
      writeFile(path, got);
      continue;
    }
    const std::string want = readFile(path);
    ASSERT_FALSE(want.empty()) << "missing golden file " << path
                               << " (run with ZP_REGENERATE_GOLDEN=1 to create it)";
    EXPECT_EQ(got, want) << c.file << " differs; if the change is intended, rerun with "
                         << "ZP_REGENERATE_GOLDEN=1 and review the diff";
  }
}

TEST(RenderZoneFile, NamedCheckzoneAcceptsEveryGoldenZone) {
  TempDir dir;
  for (const GoldenCase& c : kGoldenCases) {
    const dns::ZoneSnapshot snapshot = c.build();
    const std::filesystem::path file = dir.path() / c.file;
    writeFile(file, renderZoneFile(snapshot, testSettings()));
    // As the renderer runs it, and with -i local (no DNS lookups for
    // out-of-zone MX/SRV/NS targets, so the result cannot depend on the network).
    for (const bool local : {false, true}) {
      std::vector<std::string> argv = {"named-checkzone", "-q"};
      if (local) argv.insert(argv.end(), {"-i", "local"});
      argv.insert(argv.end(), {snapshot.zone.domain, file.string()});
      const ProcessResult r = runProcess(argv, std::chrono::seconds(30));
      EXPECT_TRUE(r.ok()) << c.file << (local ? " (-i local): " : ": ") << r.describe();
    }
  }
}

TEST(RenderZoneFile, NamedCheckzoneCatchesWhatOnlyTheStoreChecks) {
  // The renderer re-validates records one by one, not zone-level rules; a
  // CNAME beside other data slipping past the store must fail the check.
  TempDir dir;
  SnapshotBuilder b("example.com", 5);
  b.add(RecordType::kCname, "www", "target.example.net").add(RecordType::kA, "www", "192.0.2.1");
  const std::filesystem::path file = dir.path() / "bad.zone";
  writeFile(file, renderZoneFile(b.get(), testSettings()));
  const ProcessResult r =
      runProcess({"named-checkzone", "-q", "example.com", file.string()}, std::chrono::seconds(30));
  EXPECT_TRUE(r.started) << r.error;
  EXPECT_FALSE(r.ok());
}

TEST(RenderZoneFile, NamedReadsTxtBackExactly) {
  // named-checkzone -D dumps the zone in BIND's own canonical text, which
  // escapes TXT strings the way we do: our rdata must come back unchanged.
  TempDir dir;
  const dns::ZoneSnapshot snapshot = hostileTxt();
  const std::filesystem::path file = dir.path() / "hostile.zone";
  writeFile(file, renderZoneFile(snapshot, testSettings()));
  const ProcessResult r = runProcess(
      {"named-checkzone", "-i", "none", "-D", "-o", "-", snapshot.zone.domain, file.string()},
      std::chrono::seconds(30));
  ASSERT_TRUE(r.ok()) << r.describe();
  for (const dns::Record& rec : snapshot.records) {
    const std::string owner = rec.data.name + "." + snapshot.zone.domain + ".";
    const std::string rdata = dns::txtRdata(rec.data.value);
    EXPECT_NE(r.output.find(owner), std::string::npos) << owner;
    EXPECT_NE(r.output.find("TXT\t" + rdata + "\n"), std::string::npos)
        << "named read back something else for " << owner << "\n"
        << r.output;
  }
}

TEST(RenderZoneFile, Deterministic) {
  dns::ZoneSnapshot shuffled = everyType();
  const std::string want = renderZoneFile(shuffled, testSettings());
  std::mt19937 rng(12345);
  for (int i = 0; i < 20; ++i) {
    std::shuffle(shuffled.records.begin(), shuffled.records.end(), rng);
    EXPECT_EQ(renderZoneFile(shuffled, testSettings()), want);
  }
}

// The API's paged export (pipelines/api/zone_export.h) builds the file from
// the pages of a big zone: any split into parts, in any order, gives the
// golden bytes.
TEST(ZoneFileBuilder, AnySplitIntoPartsGivesTheSameFile) {
  std::mt19937 rng(2026);
  for (const GoldenCase& c : kGoldenCases) {
    dns::ZoneSnapshot snapshot = c.build();
    const std::string want = renderZoneFile(snapshot, testSettings());
    for (size_t part : {size_t{1}, size_t{2}, size_t{3}, snapshot.records.size() + 1}) {
      std::shuffle(snapshot.records.begin(), snapshot.records.end(), rng);
      dns::ZoneFileBuilder builder(snapshot.zone.domain, testSettings());
      for (size_t at = 0; at < snapshot.records.size(); at += part) {
        const size_t end = std::min(snapshot.records.size(), at + part);
        builder.add({snapshot.records.begin() + static_cast<long>(at),
                     snapshot.records.begin() + static_cast<long>(end)});
      }
      EXPECT_EQ(builder.size(), snapshot.records.size()) << c.file;
      EXPECT_EQ(builder.finish(snapshot.zone), want) << c.file << " in parts of " << part;
      EXPECT_EQ(builder.size(), 0u) << c.file;
    }
  }
  // Records of one zone are not a file of another.
  dns::ZoneSnapshot snapshot = kGoldenCases[0].build();
  dns::ZoneFileBuilder builder(snapshot.zone.domain, testSettings());
  dns::Zone other = snapshot.zone;
  other.domain = "other.test";
  EXPECT_THROW(builder.finish(other), std::invalid_argument);
}

// The SOA line carries the zone's stored SOA serial; a zone stored before
// serials were (soaSerial 0) falls back to its seq mod 2^32, never 0.
TEST(RenderZoneFile, SoaSerialIsTheStoredOneElseTheSeqModuloTwoToThe32) {
  struct Case {
    uint64_t serial;
    uint32_t soaSerial;
    std::string want;
  };
  const Case cases[] = {
      {0, 0, " 1 3600 600"},
      {1, 0, " 1 3600 600"},
      {4294967295ull, 0, " 4294967295 3600 600"},
      {4294967296ull, 0, " 1 3600 600"},
      {4294967296ull + 7, 0, " 7 3600 600"},
      {7, 7, " 7 3600 600"},
      // issue 8, item 6: after a long idle time the stored serial is not the seq's
      {(uint64_t{1} << 31) + 10, 11, " 11 3600 600"},
      {4294967296ull + 7, 4294967295u, " 4294967295 3600 600"},
  };
  for (const Case& c : cases) {
    dns::ZoneSnapshot snapshot = SnapshotBuilder("example.com", c.serial).get();
    snapshot.zone.soaSerial = c.soaSerial;
    const std::string out = renderZoneFile(snapshot, testSettings());
    EXPECT_NE(out.find("IN SOA ns1.zonepipe.test. hostmaster.zonepipe.test." + c.want),
              std::string::npos)
        << c.serial << "\n"
        << out;
  }
}

TEST(RenderZoneFile, EveryLineIsOneRecordOrComment) {
  const std::string out = renderZoneFile(hostileTxt(), testSettings());
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    ASSERT_FALSE(line.empty());
    if (line.front() == ';') continue;
    EXPECT_TRUE(line.starts_with("hostile.example.") ||
                line.find(".hostile.example. ") != std::string::npos)
        << line;
    for (const char c : line) {
      const auto octet = static_cast<unsigned char>(c);
      EXPECT_TRUE(octet >= 0x20 && octet < 0x7f) << "raw octet " << int{octet} << " in " << line;
    }
  }
}

TEST(RenderZoneFile, RejectsSnapshotsThatBreakTheRules) {
  struct Case {
    std::string label;
    dns::ZoneSnapshot snapshot;
  };
  std::vector<Case> cases;
  cases.push_back({"TXT with a newline", SnapshotBuilder("example.com", 1)
                                             .add(RecordType::kTxt, "x", "a\n$INCLUDE /etc/passwd")
                                             .get()});
  cases.push_back(
      {"owner with a space",
       SnapshotBuilder("example.com", 1).add(RecordType::kA, "a b", "192.0.2.1").get()});
  cases.push_back({"absolute owner", SnapshotBuilder("example.com", 1)
                                         .add(RecordType::kA, "www.example.com.", "192.0.2.1")
                                         .get()});
  cases.push_back(
      {"non-canonical AAAA",
       SnapshotBuilder("example.com", 1).add(RecordType::kAaaa, "x", "2001:0DB8::1").get()});
  cases.push_back(
      {"hostname with trailing dot", SnapshotBuilder("example.com", 1)
                                         .add(RecordType::kCname, "x", "target.example.net.")
                                         .get()});
  cases.push_back(
      {"MX without priority",
       SnapshotBuilder("example.com", 1).add(RecordType::kMx, "@", "mail.example.com").get()});
  cases.push_back({"upper-case zone domain",
                   SnapshotBuilder("Example.com", 1).add(RecordType::kA, "@", "192.0.2.1").get()});
  cases.push_back({"zone domain with ;", SnapshotBuilder("example.com;x", 1).get()});
  for (const Case& c : cases) {
    EXPECT_THROW(renderZoneFile(c.snapshot, testSettings()), std::invalid_argument) << c.label;
  }
  ZoneFileSettings noNs = testSettings();
  noNs.nameservers.clear();
  EXPECT_THROW(renderZoneFile(emptyZone(), noNs), std::invalid_argument);
  ZoneFileSettings badRname = testSettings();
  badRname.soaRname = "hostmaster@zonepipe.test";
  EXPECT_THROW(renderZoneFile(emptyZone(), badRname), std::invalid_argument);
}

TEST(SettingsFrom, CopiesTheDnsSection) {
  config::Config cfg;
  cfg.nameservers = {"a.ns.test", "b.ns.test", "c.ns.test"};
  cfg.soaRname = "dns.ns.test";
  cfg.soaRefresh = 1;
  cfg.soaRetry = 2;
  cfg.soaExpire = 3;
  cfg.soaMinimum = 4;
  cfg.nsTtl = 5;
  const ZoneFileSettings s = settingsFrom(cfg);
  EXPECT_EQ(s.nameservers, cfg.nameservers);
  EXPECT_EQ(s.soaRname, "dns.ns.test");
  EXPECT_EQ(s.refresh, 1u);
  EXPECT_EQ(s.retry, 2u);
  EXPECT_EQ(s.expire, 3u);
  EXPECT_EQ(s.minimum, 4u);
  EXPECT_EQ(s.nsTtl, 5u);
  const std::string out = renderZoneFile(emptyZone(), s);
  EXPECT_NE(out.find("empty.example. 5 IN SOA a.ns.test. dns.ns.test. 1 1 2 3 4\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("empty.example. 5 IN NS c.ns.test.\n"), std::string::npos) << out;
}

}  // namespace
}  // namespace zp::dns
