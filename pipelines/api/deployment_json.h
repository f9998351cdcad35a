#pragma once
// The deployment part of the zone detail (GET /api/v1/dns-zones/{uuid}/):
//   "nameservers":     [{"name", "address", "serial" (null: no answer),
//                        "in_sync", "detail"}], or null when the pusher did
//                        not answer (status unknown)
//   "deployed_serial": the SOA serial the primary serves, or null
//   "last_error":      the last deploy failure, or null
// The status changes without the zone's serial changing, so it is never
// cached: the server splices it into the cached zone JSON on every answer.
// Stateless functions, thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/deploy/status_client.h"
#include "pipelines/api/json.h"

namespace zp::api {

// The SOA serial of a version the pusher reports by its seq (mod 2^32, 1
// instead of 0). Right while a zone changes at least every 2^31 events; a
// zone whose stored SOA serial differs (dns::nextSoaSerial) needs the pusher
// to report the SOA serial it deployed.
uint32_t servedSerial(uint64_t serial);

// Writes the three members above (keys and values) into an open object.
// A nameserver is in sync only when it answers with `zoneSoaSerial`, the SOA
// serial of the store's latest version (dns::soaSerialOf): until the renderer
// has sent that version to the pusher, no nameserver is in sync yet.
void writeDeployment(JsonWriter& writer, uint32_t zoneSoaSerial,
                     const std::optional<deploy::PushStatus>& status);

// `zoneJson` (one JSON object, as renderZoneDetail writes it) with the
// deployment members added at its end. Throws std::logic_error when
// `zoneJson` is not an object (a bug).
std::string withDeployment(std::string_view zoneJson, uint32_t zoneSoaSerial,
                           const std::optional<deploy::PushStatus>& status);

}  // namespace zp::api
