#pragma once
// What importing a zone file changes (issue 10): the records a parsed BIND
// zone file (zone_import.h) holds against the zone's records now, as ONE
// change set (change_item.h), for POST /api/v1/dns-zones/{uuid}/import and
// `zonepipe zone import`. `merge` (default) adds the file's records that are
// missing and replaces (delete + create, so an RRset's TTL can change as a
// whole) those whose TTL or priority differ; `replace` also deletes every
// record the file does not hold. Pure functions; thread-safe.

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/dns/change_item.h"
#include "common/dns/name.h"
#include "common/dns/record.h"
#include "common/dns/zone_import.h"
#include "common/util/result.h"

namespace zp::dns {

enum class ImportMode { kMerge, kReplace };

// `mode`: absent or "merge", or "replace" (kValidation on "mode").
Result<ImportMode> parseImportMode(const std::optional<std::string>& raw);

struct ImportPlan {
  std::vector<ChangeItem> items;
  size_t added = 0, changed = 0, removed = 0, unchanged = 0;
};

// The changes that bring `current` (stored records, relative names) to what
// `file` says in `zone`. Records are the same when name, type and canonical
// value are (validateRecord); a file record that does not validate is a
// kValidation error on "body" naming its line.
Result<ImportPlan> planImport(const ParsedZoneFile& file, std::span<const Record> current,
                              const DnsName& zone, ImportMode mode);

}  // namespace zp::dns
