#pragma once
// Atomic change sets (issue 11 item 4): the limits and the error shape every
// stage shares. A change set is a list of record creates, updates (by record
// uuid, whole record) and deletes (by record uuid) of ONE zone that the store
// applies all or none, in one LMDB transaction, with one event per item and
// one new SOA serial for the whole set (schema Event.setRemaining). Pure
// functions and constants; thread-safe.

#include <cstddef>
#include <string>

#include "common/util/result.h"

namespace zp::dns {

// Items per set: twice the default per-zone record quota, so that replacing
// a full zone (an import with mode=replace, a rollback) fits in one set.
inline constexpr size_t kMaxChangeSetItems = 20000;

// The error of item `index` of a set: `field` becomes `changes[3].value`
// (`changes[3]` when no single field is at fault) and the detail says which
// change it was, so a client sees which item to fix.
inline Error itemError(size_t index, const Error& error) {
  Error out = error;
  const std::string at = "changes[" + std::to_string(index) + "]";
  out.field = error.field.empty() ? at : at + "." + error.field;
  out.detail = "change " + std::to_string(index) + ": " + error.detail;
  return out;
}

}  // namespace zp::dns
