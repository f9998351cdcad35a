#pragma once
// The record list filters of GET /dns-records/ and /dns-zones/{uuid}/records/
// (issue 11): `name` exact (relative to the record's zone, or its FQDN),
// `value` exact (the canonical stored form), `name_contains` and
// `name_startswith` (on the relative name). Every non-empty criterion must
// hold. Input is what the API normalised (lower-case names, no trailing
// dot). Pure; thread-safe.

#include <string>
#include <string_view>

#include "schema/pipeline.capnp.h"

namespace zp::store {

struct RecordFilter {
  std::string name;
  bool nameIsAbsolute = false;  // a trailing dot was given: FQDN only
  std::string value;
  std::string nameContains;
  std::string nameStartswith;

  static RecordFilter from(schema::RecordFilter::Reader in);

  bool empty() const {
    return name.empty() && value.empty() && nameContains.empty() && nameStartswith.empty();
  }
  // Needs the record's value (a decode) beyond its name?
  bool needsValue() const { return !value.empty(); }

  // `relativeName`: "@", "www" (as stored); `zoneDomain`: "example.com".
  bool matchesName(std::string_view relativeName, std::string_view zoneDomain) const;
  bool matchesValue(std::string_view storedValue) const {
    return value.empty() || storedValue == value;
  }
};

}  // namespace zp::store
