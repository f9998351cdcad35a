#pragma once
// Changes clients can wait on (issue 11, item 1). Every write that changes a
// zone answers the change's id and the zone's new SOA serial:
//   - in its JSON body as "change_id" (the event's seq in the store's log,
//     an integer) and "zone_serial" (the SOA serial nameservers will serve);
//   - on a 204 (DELETE; no body) as the headers X-Change-Id and X-Zone-Serial.
// GET /api/v1/changes/{id}/ answers the change with its status: "INSYNC" when
// every nameserver serves that serial (RFC 1982: that one or a newer one; for
// a zone deletion: when the pusher no longer serves the zone), else "PENDING".
// With ?wait=in_sync on a write the answer waits for INSYNC, up to timeout_ms
// (default kDefaultWaitMs, at most kMaxWaitMs); when the time runs out first
// it is 202 with the change body and `Location: /api/v1/changes/{id}/`: the
// write is committed either way, only its answer differs.
// Pure functions, thread-safe.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/deploy/status_client.h"
#include "common/util/result.h"
#include "pipelines/api/exchange.h"
#include "schema/pipeline.capnp.h"

namespace zp::api {

// One committed zone change (schema CommitInfo / a zone Event).
struct Commit {
  uint64_t changeId = 0;    // the event's seq
  uint32_t zoneSerial = 0;  // the zone's SOA serial after it
  std::string zoneUuid;
  std::string domain;
  bool zoneDeleted = false;
  int64_t time = 0;  // unix seconds (0 when unknown: write answers)
};

// The commit a store reply carries (Reply.change); nullopt for none.
std::optional<Commit> commitOf(schema::Reply::Reader reply);
// The commit of a logged zone event.
Commit commitOf(schema::Event::Reader event);

// True when every nameserver serves the change: each answers with
// `zoneSerial` or an RFC 1982-greater serial; a deletion: the pusher no
// longer knows the zone. No nameservers reported: not served.
bool served(const Commit& commit, const deploy::PushStatus& status);

inline constexpr int64_t kDefaultWaitMs = 10'000;
inline constexpr int64_t kMaxWaitMs = 30'000;

// ?wait=in_sync&timeout_ms=N. nullopt: answer as soon as committed.
// Errors: validation on "wait" (only in_sync) or "timeout_ms" (0 to
// kMaxWaitMs; only together with wait).
Result<std::optional<std::chrono::milliseconds>> parseWait(
    const std::optional<std::string>& wait, const std::optional<std::string>& timeoutMs);

// `json` (one object) with "change_id" and "zone_serial" added at its end.
// Throws std::logic_error when `json` is not an object (a bug).
std::string withCommit(std::string_view json, const Commit& commit);
// X-Change-Id and X-Zone-Serial, for answers without a body.
Headers commitHeaders(const Commit& commit);

// The change body: {"change_id", "zone", "domain", "zone_serial", "action"
// ("zone_deleted" or "zone_changed"), "status" ("INSYNC"/"PENDING"),
// "nameservers": [{"name", "address", "serial" (null: no answer),
// "in_sync"}] or null when the pusher did not answer}.
std::string renderChange(const Commit& commit, const std::optional<deploy::PushStatus>& status);
// "/api/v1/changes/<id>/"
std::string changeUrl(uint64_t changeId);

}  // namespace zp::api
