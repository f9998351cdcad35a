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

#include "common/dns/name.h"
#include "common/dns/record.h"
#include "pipelines/api/changesets_handler.h"
#include "pipelines/api/zone_import.h"

namespace zp::api {

enum class ImportMode { kMerge, kReplace };

// `mode`: absent or "merge", or "replace".
Result<ImportMode> parseImportMode(const std::optional<std::string>& raw);

struct ImportPlan {
  std::vector<ChangeItem> items;
  size_t added = 0, changed = 0, removed = 0, unchanged = 0;
};

// The changes that bring `current` (stored records, relative names) to what
// `file` says in `zone`. Records are the same when name, type and canonical
// value are (dns::validateRecord); a file record that does not validate is
// a kValidation error naming its line.
Result<ImportPlan> planImport(const ParsedZoneFile& file, std::span<const dns::Record> current,
                              const dns::DnsName& zone, ImportMode mode);

// The import's own members of the answer.
void writeImportSummary(JsonWriter& writer, const ImportPlan& plan,
                        const std::vector<SkippedRecord>& skipped);

}  // namespace zp::api
