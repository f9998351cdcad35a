#pragma once
// The record types we serve and their names in JSON and zone files. Everything
// else about a type (wire number, priority rule, value parser, zone-text
// writer, zone rules) is its row in the one table of common/dns/record_spec.h;
// these functions read that table.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace zp::dns {

// The order is the Cap'n Proto enum's (common/schema/pipeline.capnp): append
// only, never reorder.
enum class RecordType : uint8_t {
  kA,
  kAaaa,
  kCname,
  kMx,
  kTxt,
  kNs,
  kSrv,
  kCaa,
  kPtr,
  kTlsa,
  kSshfp,
  kDs,
  kNaptr,
  kDname,
  kHttps,
  kSvcb,
};

inline constexpr size_t kRecordTypeCount = static_cast<size_t>(RecordType::kSvcb) + 1;

// "A", "AAAA", ... (upper case, as in the API and zone files).
std::string_view toString(RecordType type);
// Accepts only the exact upper-case names.
std::optional<RecordType> recordTypeFromString(std::string_view text);
// Every type, in enum order.
inline constexpr std::array<RecordType, kRecordTypeCount> kAllRecordTypes = [] {
  std::array<RecordType, kRecordTypeCount> all{};
  for (size_t i = 0; i < kRecordTypeCount; ++i) all[i] = static_cast<RecordType>(i);
  return all;
}();

}  // namespace zp::dns
