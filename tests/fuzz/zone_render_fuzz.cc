// Fuzz target: the zone renderer (common/dns/zone_text.h). Input: lines of
// `TYPE NAME VALUE`, each a record command; those the validator accepts
// (dns::validateRecord) and the store's zone rules accept
// (dns::checkRecordInZone, given the records already in the zone) make the
// zone, as in the pipeline. Properties: rendering never throws; the file holds
// exactly the SOA, the apex NS set and one line per accepted record, never a
// record the commands did not make; and named-checkzone (the renderer's own
// ZoneChecker, as before a deploy) accepts it.

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/dns/name.h"
#include "common/dns/validate.h"
#include "common/dns/zone_text.h"
#include "pipelines/render/checkzone.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace zp;

constexpr const char* kDomain = "fuzz.example";

bool below(const std::string& name, const std::string& upper) {
  if (upper == "@") return name != "@";
  return name.size() > upper.size() + 1 && name.ends_with("." + upper);
}

const render::ZoneChecker& checker() {
  static const std::string dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("zp-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d.string();
  }();
  static const render::ZoneChecker c("named-checkzone", dir);
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // a zone of a few dozen records says all there is to say
  const auto zone = dns::DnsName::parseZoneDomain(kDomain);
  std::vector<dns::Record> records;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  std::string line;
  while (std::getline(in, line) && records.size() < 64) {
    const auto a = line.find(' ');
    const auto b = a == std::string::npos ? a : line.find(' ', a + 1);
    if (b == std::string::npos) continue;
    dns::RecordInput input{line.substr(0, a), line.substr(a + 1, b - a - 1), line.substr(b + 1),
                           std::nullopt, std::nullopt};
    if (input.type == "MX" || input.type == "SRV") {  // their priority leads the value
      const auto c = input.value.find(' ');
      if (c == std::string::npos) continue;
      try {
        input.priority = std::stoll(input.value.substr(0, c));
      } catch (const std::exception&) {
        continue;
      }
      input.value.erase(0, c + 1);
    }
    auto valid = dns::validateRecord(input);
    if (!valid || valid->name.ends_with('.')) continue;
    // The neighbourhood the store would collect.
    std::vector<dns::Record> same, ancestors, descendants;
    const auto names = dns::ancestorNames(valid->name);
    for (const auto& r : records) {
      if (r.data.name == valid->name) same.push_back(r);
      if (std::find(names.begin(), names.end(), r.data.name) != names.end()) {
        ancestors.push_back(r);
      }
      if (below(r.data.name, valid->name)) descendants.push_back(r);
    }
    if (dns::checkRecordInZone(*zone, {same, ancestors, descendants}, *valid)) continue;
    dns::Record r;
    r.uuid = "00000000-0000-4000-8000-" +
             std::string(12 - std::to_string(records.size()).size(), '0') +
             std::to_string(records.size());
    r.data = *valid;
    records.push_back(std::move(r));
  }

  dns::ZoneSnapshot snapshot;
  snapshot.zone.uuid = "11111111-1111-4111-8111-111111111111";
  snapshot.zone.domain = kDomain;
  snapshot.zone.serial = 7;
  snapshot.records = records;
  dns::ZoneFileSettings settings;
  settings.nameservers = {"ns1.zonepipe.test", "ns2.zonepipe.test"};
  settings.soaRname = "hostmaster.zonepipe.test";
  std::string file;
  try {
    file = dns::renderZoneFile(snapshot, settings);
  } catch (const std::exception& e) {
    fuzz::fail(std::string("a zone of accepted records does not render: ") + e.what());
  }

  // Exactly the SOA, the apex NS set and the records' own lines.
  std::map<std::string, int> expected;
  expected[dns::soaLine(kDomain, 7, settings)] += 1;
  for (const auto& r : records) expected[dns::recordLine(r, kDomain)] += 1;
  std::istringstream out(file);
  int nsLines = 0;
  while (std::getline(out, line)) {
    if (line.empty() || line[0] == ';') continue;
    if (line.starts_with(std::string(kDomain) + ". ") &&
        line.find(" IN NS ns") != std::string::npos &&
        line.find(".zonepipe.test.") != std::string::npos) {
      ++nsLines;
      continue;
    }
    auto it = expected.find(line);
    fuzz::check(it != expected.end() && it->second > 0,
                "the zone file holds a line no command made: " + line + "\n" + file);
    --it->second;
  }
  for (const auto& [l, left] : expected) {
    fuzz::check(left == 0, "a record is missing from the zone file: " + l + "\n" + file);
  }
  fuzz::check(nsLines == 2, "the apex NS set is not the configured one\n" + file);

  const auto verdict = checker().check(kDomain, file);
  fuzz::check(
      verdict.verdict == render::CheckVerdict::kAccepted,
      "named-checkzone refuses a zone of accepted records: " + verdict.message + "\n" + file);
  return 0;
}
