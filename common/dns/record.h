#pragma once
// The record as the domain sees it, independent of JSON and Cap'n Proto.

#include <cstdint>
#include <optional>
#include <string>

#include "common/dns/record_type.h"

namespace zp::dns {

// Fields a client sent, before validation. `std::nullopt` means absent or null.
struct RecordInput {
  std::string type;
  std::string name;
  std::string value;
  std::optional<int64_t> ttl;       // absent/null -> default 3600
  std::optional<int64_t> priority;  // absent/null -> none
};

// A validated record: canonical value, lower-case name. Before the store places
// it in a zone, `name` is the owner as given (syntax-checked); after, relative.
struct RecordData {
  RecordType type = RecordType::kA;
  std::string name;
  std::string value;
  uint32_t ttl = 3600;
  std::optional<uint16_t> priority;

  bool operator==(const RecordData&) const = default;
};

// A stored record.
struct Record {
  std::string uuid;
  std::string zoneUuid;
  RecordData data;  // name relative to the zone ("@", "www")
  int64_t createdAt = 0;
  int64_t updatedAt = 0;
  // The seq of the store event that last wrote it: its ETag (issue 11 item 5).
  // 0: last written before versions were stored, or in an event.
  uint64_t version = 0;
};

}  // namespace zp::dns
