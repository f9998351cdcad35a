#pragma once
// The record-type table: one row per type holds everything the service knows
// about it (name, wire number, priority rule, owner and zone rules, value
// parser to the canonical form, zone-text writer, the format shown in errors
// and the OpenAPI document, and an example). Validation (validate.h), the
// schema check (schema/codec.cc), zone text (zone_text.h), JSON and the
// OpenAPI enum (pipelines/api) all read it: adding a type is one row here,
// its parser and writer in rdata.h, one enumerant in record_type.h and
// pipeline.capnp, and its tests. checkSpecRow (tested for every row) fails on
// an incomplete row; record_spec.cc static_asserts one row per enumerant.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/dns/record.h"
#include "common/dns/record_type.h"
#include "common/util/result.h"

namespace zp::dns {

// Whether the record's JSON `priority` is a number (MX, SRV: required, 0-65535)
// or always null. API.md: only MX and SRV use it; other types keep every
// number in `value`.
enum class PriorityRule { kAbsent, kRequired };

// What the owner name must look like beyond the general syntax.
enum class OwnerRule {
  kAny,
  kServiceProto,  // _service._proto[.name] (SRV, RFC 2782)
  kPortProto,     // _port._proto[.name] (TLSA, RFC 6698 3)
};

using ValueParser = Result<std::string> (*)(std::string_view value);
using RdataWriter = std::string (*)(const RecordData& record);

struct RecordSpec {
  RecordType type;
  std::string_view name;  // "A", as in JSON and zone files
  uint16_t wireType;      // the IANA RR TYPE number
  PriorityRule priority;
  bool textValue;  // free text: spaces at the ends belong to the value (TXT)
  OwnerRule owner;
  bool atApex;     // may be at "@" (CNAME: RFC 1034 3.6.2; NS: the service's; DS: the parent's)
  bool singleton;  // at most one record per name (CNAME, DNAME: RFC 6672 2.4)
  bool exclusive;  // no other data at the name (CNAME: RFC 1034 3.6.2)
  ValueParser parse;
  RdataWriter write;
  std::string_view format;   // the value's shape, for errors and the OpenAPI document
  std::string_view example;  // a valid input value (tests render and parse it)
  int32_t examplePriority;   // -1: none
  std::string_view rfc;      // where the type is defined
};

// Every row, in RecordType order (row i describes RecordType(i)).
std::span<const RecordSpec> recordSpecs();
const RecordSpec& specFor(RecordType type);

// "A, AAAA, CNAME, ..." for error messages.
std::string recordTypeNames();

// Why a row is incomplete (a missing parser, writer, name, wire number,
// format or example), or nullopt when it is whole.
std::optional<std::string> checkSpecRow(const RecordSpec& spec);

}  // namespace zp::dns
