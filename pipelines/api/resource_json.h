#pragma once
// The JSON the API returns for zones and records (API.md "Endpoints"):
//   zone summary: uuid, domain, created_at, record_count
//   zone detail:  the summary plus serial and records
//   record:       uuid, record_type, name, value, ttl, priority (null unless
//                 MX/SRV), created_at, updated_at, zone (the zone's uuid)
// Timestamps are ISO 8601 UTC. Stateless functions, thread-safe.

#include <span>
#include <string>

#include "common/dns/record.h"
#include "common/dns/zone.h"
#include "pipelines/api/json.h"

namespace zp::api {

void writeZoneSummary(JsonWriter& writer, const dns::Zone& zone);
void writeRecord(JsonWriter& writer, const dns::Record& record);

std::string renderZoneList(std::span<const dns::Zone> zones);
std::string renderZoneDetail(const dns::Zone& zone, std::span<const dns::Record> records);
std::string renderRecord(const dns::Record& record);
std::string renderRecordList(std::span<const dns::Record> records);

}  // namespace zp::api
