// Fuzz target: an HTTP request body -> the command the API would send
// (pipelines/api/request_body.h), then the validator's record rules. Any
// bytes: no crash, no sanitizer report; a decoded record that validates has a
// canonical form that validates to itself (what the store keeps is stable).

#include <cstdint>
#include <string_view>

#include "common/dns/validate.h"
#include "pipelines/api/request_body.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zp;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  (void)api::decodeZoneBody(body);
  (void)api::decodeRecordPatch(body);
  auto input = api::decodeRecordBody(body);
  if (!input) {
    fuzz::check(!input.error().detail.empty(), "an error without a detail");
    return 0;
  }
  auto valid = dns::validateRecord(*input);
  if (!valid) return 0;
  dns::RecordInput again{std::string(dns::toString(valid->type)), valid->name, valid->value,
                         valid->ttl, valid->priority};
  auto twice = dns::validateRecord(again);
  fuzz::check(twice.ok(), "the canonical form of a valid record is refused: " + valid->value +
                              (twice.ok() ? "" : " (" + twice.error().detail + ")"));
  fuzz::check(*twice == *valid,
              "the canonical form is not a fixed point: " + valid->value + " -> " + twice->value);
  return 0;
}
