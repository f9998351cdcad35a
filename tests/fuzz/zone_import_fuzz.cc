// Fuzz target: the zone-file import (common/dns/zone_import.h, the
// libzscanner wrapper, and import_plan.h) that POST /dns-zones/{uuid}/import
// and `zonepipe zone import` run on whatever file a user uploads. Input: the
// zone file's text for the zone `fuzz.example`. No crash, no sanitizer report,
// and:
//  - a refusal names the line (`line N`) and the field `body`;
//  - `$INCLUDE` is never followed (a file that says it is refused);
//  - every record of an accepted file is absolute, one of the service's
//    types, and kept in file order with its line number (the plan refuses
//    owners outside the zone);
//  - the plan against an empty zone creates records that validate, and
//    rendering those (zone_text.h) and importing the result again gives the
//    same records: nothing the import accepts changes meaning on the way to
//    named, and no value can smuggle in another line.

#include <cctype>
#include <cstdint>
#include <set>
#include <string>
#include <tuple>

#include "common/dns/import_plan.h"
#include "common/dns/name.h"
#include "common/dns/record_type.h"
#include "common/dns/validate.h"
#include "common/dns/zone_import.h"
#include "common/dns/zone_text.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using Key = std::tuple<std::string, std::string, std::string, uint32_t, std::optional<uint16_t>>;

std::set<Key> canonical(const std::vector<zp::dns::ChangeItem>& items) {
  std::set<Key> keys;
  for (const auto& item : items) {
    auto valid = zp::dns::validateRecord(item.input);
    zp::fuzz::check(valid.ok(), "a planned record does not validate: " + item.input.type + " " +
                                    item.input.name + " `" + item.input.value + "`");
    keys.emplace(valid->name, std::string(zp::dns::toString(valid->type)), valid->value, valid->ttl,
                 valid->priority);
  }
  return keys;
}

// A line that starts with $INCLUDE (directives start in column 1, any case).
bool hasIncludeDirective(const std::string& text) {
  for (size_t at = 0; at < text.size(); at = text.find('\n', at) + 1) {
    std::string head = text.substr(at, 8);
    for (auto& c : head) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (head == "$INCLUDE") return true;
    if (text.find('\n', at) == std::string::npos) break;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zp;
  if (size > 64 * 1024) return 0;  // the API caps bodies; bigger inputs only slow the search
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string domain = "fuzz.example";
  auto parsed = dns::parseZoneFile(text, domain);
  if (!parsed) {
    fuzz::check(parsed.error().field == "body", "a refusal not on `body`: " + parsed.error().field);
    fuzz::check(!parsed.error().detail.empty(), "a refusal without a detail");
    return 0;
  }
  fuzz::check(!hasIncludeDirective(text), "a file with an $INCLUDE line was accepted");
  fuzz::check(parsed->lines.size() == parsed->records.size(), "records and lines differ in count");
  size_t last = 0;
  for (size_t i = 0; i < parsed->records.size(); ++i) {
    const auto& r = parsed->records[i];
    fuzz::check(parsed->lines[i] >= last, "records out of file order");
    last = parsed->lines[i];
    fuzz::check(dns::recordTypeFromString(r.type).has_value(),
                "a type the service lacks: " + r.type);
    fuzz::check(r.name.ends_with("."), "an owner that is not absolute: " + r.name);
  }

  auto zone = dns::DnsName::parseZoneDomain(domain);
  fuzz::check(zone.ok(), "the fuzz zone's own name");
  auto plan = dns::planImport(*parsed, {}, *zone, dns::ImportMode::kReplace);
  if (!plan) {
    fuzz::check(plan.error().field == "body", "a plan refusal not on `body`");
    fuzz::check(plan.error().detail.find("line ") != std::string::npos,
                "a plan refusal that names no line: " + plan.error().detail);
    return 0;
  }
  fuzz::check(plan->removed == 0 && plan->changed == 0, "an empty zone had something to change");
  const auto first = canonical(plan->items);

  // Render what the plan creates and import that again.
  std::string again;
  for (const auto& item : plan->items) {
    dns::Record record;
    record.uuid = "00000000-0000-4000-8000-000000000000";
    record.data = *dns::validateRecord(item.input);
    auto relative = dns::relativizeOwner(record.data.name, *zone);
    fuzz::check(relative.ok(), "a planned owner outside the zone: " + record.data.name);
    record.data.name = *relative;
    const auto line = dns::recordLine(record, domain);
    fuzz::check(line.find('\n') == std::string::npos, "a record line with a newline: " + line);
    again += line + "\n";
  }
  auto reparsed = dns::parseZoneFile(again, domain);
  fuzz::check(reparsed.ok(), "the rendered records do not import: " +
                                 (reparsed.ok() ? std::string() : reparsed.error().detail) + "\n" +
                                 again);
  auto replan = dns::planImport(*reparsed, {}, *zone, dns::ImportMode::kReplace);
  fuzz::check(replan.ok(), "the rendered records do not plan: " +
                               (replan.ok() ? std::string() : replan.error().detail) + "\n" +
                               again);
  fuzz::check(canonical(replan->items) == first,
              "a rendered import changes the records:\n" + again);
  return 0;
}
