#pragma once
// The eight record types we serve, and their names in JSON and zone files.

#include <cstdint>
#include <optional>
#include <string_view>

namespace zp::dns {

enum class RecordType : uint8_t { kA, kAaaa, kCname, kMx, kTxt, kNs, kSrv, kCaa };

inline constexpr RecordType kAllRecordTypes[] = {
    RecordType::kA,   RecordType::kAaaa, RecordType::kCname, RecordType::kMx,
    RecordType::kTxt, RecordType::kNs,   RecordType::kSrv,   RecordType::kCaa};

// "A", "AAAA", ... (upper case, as in the API and zone files).
std::string_view toString(RecordType type);
// Accepts only the exact upper-case names.
std::optional<RecordType> recordTypeFromString(std::string_view text);

}  // namespace zp::dns
