#pragma once
// PATCH semantics: the API reads the stored record, lays the fields the client
// sent over it, and sends the whole result as Command.updateRecord, so the
// validator and the store check it exactly like a create. Pure functions,
// thread-safe.
//
// Rules beyond "sent fields win":
// - `"ttl": null` means the default TTL (absent in the merged input);
//   `"priority": null` clears the priority.
// - A PATCH that changes record_type to a type without priority (anything but
//   MX and SRV) and says nothing about priority drops the stored priority,
//   instead of failing because of a field the client did not touch.
// - The stored name is relative ("www"); the store reads a name without a
//   trailing dot that ends with the zone's domain as already absolute. When the
//   client did not send a name and the stored one contains a dot, the merge
//   sends it absolute ("a.example.com.example.com.") so it cannot change.

#include <string_view>

#include "common/dns/record.h"
#include "pipelines/api/request_body.h"

namespace zp::api {

// True when merging `patch` into `stored` needs the zone's domain (see above).
bool mergeNeedsZoneDomain(const dns::Record& stored, const RecordPatch& patch);

// The whole record to send. `zoneDomain` is the domain of the stored record's
// zone (lower-case, no trailing dot) when mergeNeedsZoneDomain(), else ignored.
dns::RecordInput mergePatch(const dns::Record& stored, const RecordPatch& patch,
                            std::string_view zoneDomain = {});

}  // namespace zp::api
