#pragma once
// The JSON of GET /api/v1/dns-zones/{uuid}/changes/: one object per event of
// the zone's log, newest first:
//   {"seq", "serial" (the zone's SOA serial after it), "time" (ISO 8601 UTC),
//    "action" ("zone_created", "record_created",
//    "record_updated", "record_deleted"), "before": record|null,
//    "after": record|null, "token_id"}
// Records render as everywhere else (resource_json.h). The token's secret is
// never stored, so it cannot appear. Stateless functions, thread-safe.

#include <capnp/list.h>

#include <string>
#include <string_view>

#include "pipelines/api/json.h"
#include "schema/pipeline.capnp.h"

namespace zp::api {

// "record_created", ... for the event's change.
std::string_view changeAction(schema::Event::Change::Which which);

void writeChange(JsonWriter& writer, schema::Event::Reader event);
std::string renderChangeList(capnp::List<schema::Event>::Reader events);

}  // namespace zp::api
