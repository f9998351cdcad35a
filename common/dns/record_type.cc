#include "common/dns/record_type.h"

#include <stdexcept>

namespace zp::dns {

std::string_view toString(RecordType type) {
  switch (type) {
    case RecordType::kA:
      return "A";
    case RecordType::kAaaa:
      return "AAAA";
    case RecordType::kCname:
      return "CNAME";
    case RecordType::kMx:
      return "MX";
    case RecordType::kTxt:
      return "TXT";
    case RecordType::kNs:
      return "NS";
    case RecordType::kSrv:
      return "SRV";
    case RecordType::kCaa:
      return "CAA";
  }
  throw std::logic_error("toString: RecordType out of range");
}

std::optional<RecordType> recordTypeFromString(std::string_view text) {
  for (const RecordType type : kAllRecordTypes) {
    if (toString(type) == text) return type;
  }
  return std::nullopt;
}

}  // namespace zp::dns
