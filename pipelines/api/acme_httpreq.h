#pragma once
// lego's `httpreq` DNS provider, default mode (issue 11, item 8): lego posts
// {"fqdn": "_acme-challenge.example.com.", "value": "<base64url digest>"} to
// HTTPREQ_ENDPOINT + "/present" and "/cleanup" (lego providers/dns/httpreq;
// its RAW mode, {"domain", "token", "keyAuth"}, is not spoken here). This is
// the request's shape and the answer's; acme_handler.h does the work.
// Pure functions, thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"
#include "pipelines/api/commit.h"

namespace zp::api {

struct AcmeChallenge {
  std::string fqdn;  // lower-case, without the trailing dot
  std::string value;
};

// The body of /present and /cleanup. Errors: kParse (not one JSON object),
// kValidation on "fqdn" or "value" (missing, not a string, empty, too long)
// or on an unknown field (RAW mode's fields say to unset HTTPREQ_MODE).
Result<AcmeChallenge> decodeAcmeChallenge(std::string_view body);

// `fqdn` relative to the zone `domain` ("_acme-challenge.www" in
// "example.com"; "@" for the apex). `fqdn` must be at or below `domain`.
std::string relativeName(std::string_view fqdn, std::string_view domain);

// What /present and /cleanup answer (one JSON object):
// {"fqdn", "zone", "domain", "name", "value", "records": [uuids created or
// kept (present) / removed (cleanup)], "status": "INSYNC", "change_id"?,
// "zone_serial"}; change_id is absent when nothing changed (the value was
// already there / not there).
struct AcmeOutcome {
  AcmeChallenge challenge;
  std::string zoneUuid;
  std::string domain;
  std::vector<std::string> records;
  std::optional<uint64_t> changeId;
  uint32_t zoneSerial = 0;
};
std::string renderAcmeOutcome(const AcmeOutcome& outcome);

// The detail of the error answered when the nameservers did not all serve
// the change within the wait: which did not, at what serial, and what to do.
std::string notInSyncDetail(const Commit& commit, const std::optional<deploy::PushStatus>& last,
                            std::chrono::milliseconds waited, bool removal);

}  // namespace zp::api
