#pragma once
// POST /api/v1/dns-zones/{uuid}/import (issue 10), without HTTP types: a
// BIND zone file (body text/dns, parsed by zone_import.h) compared with the
// zone now becomes ONE change set (changesets_handler.h): all or none, one
// event per change, one new serial, one deploy. `?mode=merge` (default) adds
// the file's records that are missing and replaces (delete + create, so an
// RRset's TTL can change as a whole) those whose TTL differs; `?mode=replace` also deletes every
// record the file does not hold. `?dry_run=true` answers without committing. The answer is the
// change set's plus "added", "changed", "removed", "unchanged" (counts) and
// "skipped" ([{line, record, why}]: the SOA and apex NS, the service's).
// Stateless functions, thread-safe.

#include <optional>
#include <string>
#include <vector>

#include "common/dns/import_plan.h"
#include "common/dns/name.h"
#include "common/dns/record.h"
#include "common/dns/zone_import.h"
#include "pipelines/api/changesets_handler.h"

namespace zp::api {

using dns::ImportMode;
using dns::ImportPlan;
using dns::parseImportMode;
using dns::planImport;
using dns::SkippedRecord;

// The import's own members of the answer.
void writeImportSummary(JsonWriter& writer, const ImportPlan& plan,
                        const std::vector<SkippedRecord>& skipped);

}  // namespace zp::api
