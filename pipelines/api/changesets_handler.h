#pragma once
// POST /api/v1/dns-zones/{uuid}/changesets/ (issue 11 item 4), without HTTP
// types: server.cc routes the request here and sends what these functions
// return. Stateless functions, thread-safe.
//
// Request body (at most api.max_body_bytes, default 1 MiB; at most
// dns::kMaxChangeSetItems changes):
//   {"changes": [
//     {"action": "create", "record_type": "A", "name": "www", "value": "192.0.2.1", "ttl": 300},
//     {"action": "update", "uuid": "<record uuid>", "record_type": ..., "name": ..., "value": ...},
//     {"action": "delete", "uuid": "<record uuid>"}]}
// An update replaces the whole record (PUT semantics: ttl defaults to 3600,
// priority to none). The store applies deletes, then updates, then creates,
// all or none, as one new zone version (one SOA serial, one deploy).
//
// Answer (201; 200 with ?dry_run=true, where nothing is committed):
//   {"zone": uuid, "zone_serial": N, "dry_run": bool, "record_count": n,
//    "changes": [Change, ...]        (change_json.h, in the order applied)
//    "zone_file_diff": "-old line\n+new line\n"}   (zone-file lines, RFC 1035)
// Errors: kParse / kValidation for the body; an item's error names it,
// `field` = `changes[3].value` (dns::itemError), whichever stage found it.

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/dns/change_item.h"
#include "common/dns/record.h"
#include "common/schema/change_set.h"
#include "common/util/result.h"
#include "pipelines/api/json.h"
#include "schema/pipeline.capnp.h"

namespace zp::api {

// One item of a change set as decoded from JSON.
using dns::ChangeItem;

// Decodes the JSON body (shape only; the validator checks the records).
Result<std::vector<ChangeItem>> decodeChangeSetBody(std::string_view body);

// Each action needs its own permission (create: dns:create, update:
// dns:update, delete: dns:delete), beyond the route's dns:update; kPermission
// naming the first item that needs one `permissions` lacks.
Status checkActions(std::span<const std::string> permissions, const std::vector<ChangeItem>& items);

// `dry_run` query parameter: absent, "false" or "0" -> false; "true" or "1" -> true.
Result<bool> parseDryRun(const std::optional<std::string>& raw);

// Command.changeSet for the validator (common/schema/change_set.h).
using schema::fillChangeSet;

// The answer body for the store's `changeSet` reply, rendering the zone-file
// diff for `domain`'s records.
// `extra` writes further members of the answer object (an import's counts).
Result<std::string> changeSetBody(schema::Reply::Reader reply, bool dryRun,
                                  const std::function<void(JsonWriter&)>& extra = nullptr);

}  // namespace zp::api
