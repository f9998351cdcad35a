#pragma once
// POST /api/v1/dns-zones/{uuid}/rollback/ {"serial": N} (issue 11 item 7),
// without HTTP types: the zone as it was at serial N (Query.zoneAt, rebuilt
// from the log) compared with the zone now (Query.getZone) becomes ONE
// change set (changesets_handler.h), so a rollback is one new version with
// one serial, one deploy and an event per restored record; history keeps
// everything. `?dry_run=true` answers the diff without committing.
// Stateless functions, thread-safe.
//
// Records are matched by uuid: a record changed since N is updated back (or,
// when its TTL changed, deleted and created again: inside a set the one-TTL-
// per-RRset rule holds after every change), one deleted since N is created
// again (with a new uuid: uuids are never reused), one created since N is
// deleted. A zone already equal to version N answers
// 200 with no changes and no new serial.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/dns/name.h"
#include "common/dns/record.h"
#include "common/util/result.h"
#include "pipelines/api/changesets_handler.h"

namespace zp::api {

// {"serial": N}, N a serial of the zone (1 to 2^32-1, the `serial` of one of
// its changes).
Result<uint32_t> decodeRollbackBody(std::string_view body);

// The changes that turn `current` into `target` (records with relative
// names, as the store answers them) in `zone`.
std::vector<ChangeItem> rollbackChanges(std::span<const dns::Record> current,
                                        std::span<const dns::Record> target,
                                        const dns::DnsName& zone);

// A stored record (relative name) as the input of a create or update: the
// name absolute with a trailing dot (a relative `www.example.com` in
// example.com would otherwise be read as the zone's own www), the canonical
// value, which validates to itself.
dns::RecordInput inputOf(const dns::RecordData& record, const dns::DnsName& zone);

// The answer when nothing differs: zone_serial of the zone now, no changes.
std::string unchangedBody(const std::string& zoneUuid, uint32_t soaSerial, uint32_t recordCount,
                          bool dryRun, const std::function<void(JsonWriter&)>& extra = nullptr);

}  // namespace zp::api
