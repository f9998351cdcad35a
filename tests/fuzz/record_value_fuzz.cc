// Fuzz target: every record type's value parser and validator
// (common/dns/validate.h, record_spec.cc). Input: byte 0 picks the type,
// byte 1 the owner from a few shapes, bytes 2-3 the priority, the rest is the
// value. No crash, no sanitizer report; a value that validates is canonical:
// it validates to itself, and renders as a zone-file line (zone_text.h) with
// that value in it.

#include <cstdint>
#include <string>

#include "common/dns/record_type.h"
#include "common/dns/validate.h"
#include "common/dns/zone_text.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zp;
  if (size < 4) return 0;
  static const char* const kOwners[] = {"@",   "www",      "_443._tcp.www",   "_sip._udp",
                                        "*.a", "mail.sub", "_acme-challenge", "x-y"};
  const auto type = static_cast<dns::RecordType>(data[0] % dns::kRecordTypeCount);
  dns::RecordInput input;
  input.type = std::string(dns::toString(type));
  input.name = kOwners[data[1] % (sizeof kOwners / sizeof kOwners[0])];
  if (data[2] & 0x80) input.priority = (data[2] & 0x7f) << 8 | data[3];
  if (data[1] & 0x80) input.ttl = 60 + data[3] * 97;
  input.value.assign(reinterpret_cast<const char*>(data + 4), size - 4);

  auto valid = dns::validateRecord(input);
  if (!valid) {
    fuzz::check(!valid.error().detail.empty(), "an error without a detail");
    return 0;
  }
  fuzz::check(valid->type == type, "the type changed");
  dns::RecordInput again{input.type, valid->name, valid->value, valid->ttl, valid->priority};
  auto twice = dns::validateRecord(again);
  fuzz::check(twice.ok(), input.type + " `" + valid->value + "`: its canonical form is refused" +
                              (twice.ok() ? "" : " (" + twice.error().detail + ")"));
  fuzz::check(*twice == *valid, input.type + ": canonical form is not a fixed point: `" +
                                    valid->value + "` -> `" + twice->value + "`");
  dns::Record record;
  record.uuid = "00000000-0000-4000-8000-000000000000";
  record.data = *valid;
  std::string line;
  try {
    line = dns::recordLine(record, "fuzz.example");
  } catch (const std::exception& e) {
    fuzz::fail(input.type + " `" + valid->value + "` validates but does not render: " + e.what());
  }
  fuzz::check(line.find('\n') == std::string::npos, "a record line with a newline: " + line);
  return 0;
}
