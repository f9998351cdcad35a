#pragma once
// Token scopes (issue 9): what a token may touch beyond its permissions.
// A scope narrows a token to some zones, record types, owner names, a time
// window and source addresses; every empty limit means "no limit of that
// kind". Pure functions, no I/O, no clock (the caller passes `now`);
// thread-safe. The API checks expiry and addresses on every request
// (checkRequest); the store checks zones and records on every query and
// command (zoneInScope, recordInScope, the same functions).
//
// The rules, as the README's "Token scopes" section documents them:
// - zones: a zone outside the list does not exist for the token (404, as
//   another user's zone); it cannot create zones.
// - record types and names: it may create, change or delete only records of
//   those types whose owner name (relative to the zone, "@" for the apex)
//   matches one of the names; it cannot create or delete zones. Reads are not
//   narrowed by them (a client needs to see what is there).
// - names: exact ("_acme-challenge", "@") or with ONE `*` label first or last:
//   "_acme-challenge.*" matches "_acme-challenge.www" and
//   "_acme-challenge.a.b" but not "_acme-challenge" itself; "*.dev" matches
//   "x.dev" and "a.b.dev". Compared in ASCII lower case.
// - expires_at: from that second on the token fails authentication (401).
// - allowed_ips: CIDRs (IPv4 "192.0.2.0/24", IPv6 "2001:db8::/32", or a bare
//   address = /32 or /128); a request from elsewhere fails authentication
//   (401). An IPv4-mapped IPv6 peer (::ffff:192.0.2.1) counts as its IPv4.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"

namespace zp::auth {

struct Scope {
  std::vector<std::string> zones;        // zone uuids, lower case
  std::vector<std::string> recordTypes;  // "TXT", upper case
  std::vector<std::string> names;        // owner-name patterns, lower case
  int64_t expiresAt = 0;                 // unix seconds; 0 = never
  std::vector<std::string> allowedIps;   // canonical CIDR text ("192.0.2.0/24")

  bool limitsZones() const { return !zones.empty(); }
  bool limitsRecords() const { return !recordTypes.empty() || !names.empty(); }
  bool unlimited() const {
    return !limitsZones() && !limitsRecords() && expiresAt == 0 && allowedIps.empty();
  }
  bool operator==(const Scope&) const = default;
};

// Checks every limit and returns it in canonical form (sorted, de-duplicated,
// cased as above, CIDRs with their host bits cleared). Errors are validation
// errors naming the API field: zones, record_types, names, expires_at,
// allowed_ips. `now` (unix seconds): an expiry in the past is refused.
Result<Scope> validateScope(Scope raw, int64_t now);

// A CIDR or a bare address in canonical text ("192.0.2.0/24", "2001:db8::/32").
Result<std::string> parseCidr(std::string_view text);

// Does `pattern` (canonical, see above) match the relative owner name `name`?
bool nameMatches(std::string_view pattern, std::string_view name);

bool zoneInScope(const Scope& scope, std::string_view zoneUuid);

// Whether the token may write a record of `type` ("TXT") named `name`
// (relative, "@" for the apex). A kPermission error naming the limit when not.
Status recordInScope(const Scope& scope, std::string_view type, std::string_view name);

// Whether the token may create or delete whole zones: kPermission naming the
// limit when it has zone or record limits.
Status zoneWritesInScope(const Scope& scope);

// Is `address` (textual IPv4 or IPv6, as the HTTP server reports the peer)
// inside one of the allowed CIDRs? True when there is no address limit; false
// for an address that does not parse.
bool addressAllowed(const Scope& scope, std::string_view address);

// The per-request checks of the API: expiry and source address. A
// kAuthentication error saying which when the token may not be used now.
Status checkRequest(const Scope& scope, int64_t now, std::string_view address);

}  // namespace zp::auth
