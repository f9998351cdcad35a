#pragma once
// THE route table of the HTTP API: every (method, path) the server answers,
// with the permission it needs, the handler that serves it and what the
// OpenAPI document says about it. The router (server.cc) and the OpenAPI
// document (openapi.cc) are both generated from kRoutes, so a route cannot be
// served without being documented or documented without being served.
// Compile-time data and pure functions; thread-safe. No Pistache here.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/auth/token.h"

namespace zp::api {

// The methods an HTTP client may send that Pistache can route. Only some are
// served; the others answer 405 with an `Allow` header on every known path.
enum class Method : uint8_t {
  kGet,
  kPost,
  kPut,
  kPatch,
  kDelete,
  kHead,
  kOptions,
  kTrace,
  kConnect
};

inline constexpr std::array<Method, 9> kAllMethods = {
    Method::kGet,  Method::kPost,    Method::kPut,   Method::kPatch,  Method::kDelete,
    Method::kHead, Method::kOptions, Method::kTrace, Method::kConnect};

// "GET", "POST", ...
std::string_view methodName(Method method);

// Which handler serves a route (server.cc maps each to a member function).
enum class Operation : uint8_t {
  kListZones,
  kCreateZone,
  kGetZone,
  kDeleteZone,
  kListZoneRecords,
  kCreateRecord,
  kListRecords,
  kGetRecord,
  kReplaceRecord,
  kPatchRecord,
  kDeleteRecord,
  kOpenApi,
  kExportZone,
  kListZoneChanges,
  kListTokens,
  kCreateToken,
  kRevokeToken,
  kApplyChangeSet,
  kRollbackZone,
  kImportZone,
  kGetChange,
  kAcmePresent,  // lego httpreq (acme_handler.h)
  kAcmeCleanup,
};

// The JSON bodies the API reads and writes (named schemas in the document).
enum class BodyKind : uint8_t {
  kNone,
  kZoneCreate,    // {"domain"}
  kRecordCreate,  // record_type, name, value required; ttl, priority optional
  kRecordPatch,   // any subset of the record's writable fields
  kZoneList,      // array of zone summaries
  kZoneDetail,    // zone summary + serial + records + deployment status
  kRecordList,    // array of records
  kRecord,        // one record
  kOpenApi,       // this document
  kZoneFile,      // a BIND9 zone file, text/dns
  kChangeList,    // array of a zone's events, newest first
  kTokenCreate,   // name, permissions, scope fields (token_json.h)
  kTokenList,     // array of tokens (never their secrets)
  kTokenCreated,  // one token with its secret (`token`), shown only here
  kChangeSet,     // {"changes": [...]} (changesets_handler.h)
  kSetResult,     // zone_serial, dry_run, changes, zone_file_diff
  kRollback,      // {"serial": N}
  kZoneFileIn,    // a BIND9 zone file sent by the client, text/dns
  kChangeStatus,  // one change and whether every nameserver serves it (commit.h)
  kAcmeIn,        // {"fqdn", "value"} (acme_httpreq.h)
  kAcmeOut,       // the challenge's zone, records and serial, once served
};

// The query parameters a route takes.
enum class QueryKind : uint8_t {
  kNone,
  kPaged,               // page, page_size
  kPagedByDomain,       // + domain, contains
  kPagedByZoneAndType,  // + zone, record_type, name, value, name_contains, name_startswith
  kPagedRecordFilters,  // + record_type, name, value, name_contains, name_startswith
  kSerial,              // serial (optional)
  kWait,                // wait=in_sync, timeout_ms (commit.h): writes and GET /changes/{id}/
  kDryRun,              // dry_run (optional), wait, timeout_ms
  kImport               // mode, dry_run (optional), wait, timeout_ms
};

struct RouteSpec {
  Method method;
  std::string_view path;                       // OpenAPI template: "/api/v1/dns-zones/{uuid}/"
  std::optional<auth::Permission> permission;  // nullopt: public, no token
  Operation operation;
  std::string_view operationId;  // unique, camelCase
  std::string_view summary;
  int successStatus;
  BodyKind request;
  BodyKind response;
  QueryKind query;
  // Also accepts `Authorization: Basic` with the token as the password
  // (clients that only speak Basic: lego's httpreq provider).
  bool basicAuth = false;
};

inline constexpr std::string_view kZonesPath = "/api/v1/dns-zones/";
inline constexpr std::string_view kZonePath = "/api/v1/dns-zones/{uuid}/";
inline constexpr std::string_view kZoneRecordsPath = "/api/v1/dns-zones/{uuid}/records/";
inline constexpr std::string_view kRecordsPath = "/api/v1/dns-records/";
inline constexpr std::string_view kRecordPath = "/api/v1/dns-records/{uuid}/";
inline constexpr std::string_view kZoneExportPath = "/api/v1/dns-zones/{uuid}/export";
inline constexpr std::string_view kZoneChangesPath = "/api/v1/dns-zones/{uuid}/changes/";
inline constexpr std::string_view kZoneChangeSetsPath = "/api/v1/dns-zones/{uuid}/changesets/";
inline constexpr std::string_view kZoneRollbackPath = "/api/v1/dns-zones/{uuid}/rollback/";
inline constexpr std::string_view kZoneImportPath = "/api/v1/dns-zones/{uuid}/import";
inline constexpr std::string_view kOpenApiPath = "/api/v1/openapi.json";
inline constexpr std::string_view kTokensPath = "/api/v1/tokens/";
inline constexpr std::string_view kTokenPath = "/api/v1/tokens/{id}/";
inline constexpr std::string_view kChangePath = "/api/v1/changes/{change_id}/";
inline constexpr std::string_view kAcmePresentPath = "/api/v1/acme/httpreq/present";
inline constexpr std::string_view kAcmeCleanupPath = "/api/v1/acme/httpreq/cleanup";

using auth::Permission;

// The endpoints of API.md's table, with its permissions, plus the document.
inline constexpr RouteSpec kRoutes[] = {
    {Method::kGet, kZonesPath, Permission::kList, Operation::kListZones, "listZones",
     "List your DNS zones (exact `domain` filter, or `contains`: the longest of your zones "
     "that holds that name), ordered by domain",
     200, BodyKind::kNone, BodyKind::kZoneList, QueryKind::kPagedByDomain},
    {Method::kPost, kZonesPath, Permission::kCreate, Operation::kCreateZone, "createZone",
     "Create a DNS zone for a domain", 201, BodyKind::kZoneCreate, BodyKind::kZoneDetail,
     QueryKind::kWait},
    {Method::kGet, kZonePath, Permission::kRead, Operation::kGetZone, "getZone",
     "Get one zone with all its records", 200, BodyKind::kNone, BodyKind::kZoneDetail,
     QueryKind::kNone},
    {Method::kDelete, kZonePath, Permission::kDelete, Operation::kDeleteZone, "deleteZone",
     "Delete a zone and all its records", 204, BodyKind::kNone, BodyKind::kNone, QueryKind::kWait},
    {Method::kGet, kZoneRecordsPath, Permission::kList, Operation::kListZoneRecords,
     "listZoneRecords",
     "List the records of one zone, ordered by name, type, uuid (filters: record_type, name, "
     "value, name_contains, name_startswith)",
     200, BodyKind::kNone, BodyKind::kRecordList, QueryKind::kPagedRecordFilters},
    {Method::kPost, kZoneRecordsPath, Permission::kCreate, Operation::kCreateRecord, "createRecord",
     "Add a record to a zone", 201, BodyKind::kRecordCreate, BodyKind::kRecord, QueryKind::kWait},
    {Method::kGet, kRecordsPath, Permission::kList, Operation::kListRecords, "listRecords",
     "List your records across zones (filters: zone, record_type, name, value, "
     "name_contains, name_startswith)",
     200, BodyKind::kNone, BodyKind::kRecordList, QueryKind::kPagedByZoneAndType},
    {Method::kGet, kRecordPath, Permission::kRead, Operation::kGetRecord, "getRecord",
     "Get one record", 200, BodyKind::kNone, BodyKind::kRecord, QueryKind::kNone},
    {Method::kPut, kRecordPath, Permission::kUpdate, Operation::kReplaceRecord, "replaceRecord",
     "Replace a record (full body; ttl defaults to 3600, priority to none)", 200,
     BodyKind::kRecordCreate, BodyKind::kRecord, QueryKind::kWait},
    {Method::kPatch, kRecordPath, Permission::kUpdate, Operation::kPatchRecord, "patchRecord",
     "Change some fields of a record; the result is validated as a whole record", 200,
     BodyKind::kRecordPatch, BodyKind::kRecord, QueryKind::kWait},
    {Method::kDelete, kRecordPath, Permission::kDelete, Operation::kDeleteRecord, "deleteRecord",
     "Delete a record", 204, BodyKind::kNone, BodyKind::kNone, QueryKind::kWait},
    {Method::kGet, kZoneExportPath, Permission::kRead, Operation::kExportZone, "exportZone",
     "The zone file as deployed (`serial`: as it was at that serial, rebuilt from the log)", 200,
     BodyKind::kNone, BodyKind::kZoneFile, QueryKind::kSerial},
    {Method::kGet, kZoneChangesPath, Permission::kRead, Operation::kListZoneChanges,
     "listZoneChanges", "The zone's change history, newest first", 200, BodyKind::kNone,
     BodyKind::kChangeList, QueryKind::kPaged},
    {Method::kPost, kZoneChangeSetsPath, Permission::kUpdate, Operation::kApplyChangeSet,
     "applyChangeSet",
     "Create, update and delete records of one zone all or none, as one new version (one serial, "
     "one deploy); `dry_run=true` answers the record and zone-file diff without committing",
     201, BodyKind::kChangeSet, BodyKind::kSetResult, QueryKind::kDryRun},
    {Method::kPost, kZoneRollbackPath, Permission::kUpdate, Operation::kRollbackZone,
     "rollbackZone",
     "Restore the zone as it was at `serial` (one of its changes) as ONE new change set (new "
     "serial, history kept); `dry_run=true` answers the diff without committing",
     201, BodyKind::kRollback, BodyKind::kSetResult, QueryKind::kDryRun},
    {Method::kPost, kZoneImportPath, Permission::kUpdate, Operation::kImportZone, "importZone",
     "Import a BIND zone file (text/dns) as ONE change set: `mode=merge` (default) adds and "
     "updates, `mode=replace` also removes what the file lacks; SOA and apex NS are skipped",
     201, BodyKind::kZoneFileIn, BodyKind::kSetResult, QueryKind::kImport},
    {Method::kGet, kTokensPath, Permission::kTokensManage, Operation::kListTokens, "listTokens",
     "List your live API tokens (never their secrets)", 200, BodyKind::kNone, BodyKind::kTokenList,
     QueryKind::kNone},
    {Method::kPost, kTokensPath, Permission::kTokensManage, Operation::kCreateToken, "createToken",
     "Create an API token, optionally limited to zones, record types, names, a time and "
     "addresses; the secret is in this answer only",
     201, BodyKind::kTokenCreate, BodyKind::kTokenCreated, QueryKind::kNone},
    {Method::kDelete, kTokenPath, Permission::kTokensManage, Operation::kRevokeToken, "revokeToken",
     "Revoke one of your tokens (it fails authentication within a second)", 204, BodyKind::kNone,
     BodyKind::kNone, QueryKind::kNone},
    {Method::kGet, kChangePath, Permission::kRead, Operation::kGetChange, "getChange",
     "One change of your zones (the `change_id` of a write) and whether every nameserver "
     "serves it yet: status INSYNC or PENDING, per nameserver",
     200, BodyKind::kNone, BodyKind::kChangeStatus, QueryKind::kWait},
    {Method::kPost, kAcmePresentPath, Permission::kCreate, Operation::kAcmePresent, "acmePresent",
     "lego httpreq: create the ACME DNS-01 TXT record at fqdn in the zone holding it; answers "
     "once every nameserver serves it (Bearer, or Basic auth with the token as the password)",
     201, BodyKind::kAcmeIn, BodyKind::kAcmeOut, QueryKind::kNone, true},
    {Method::kPost, kAcmeCleanupPath, Permission::kDelete, Operation::kAcmeCleanup, "acmeCleanup",
     "lego httpreq: remove the TXT record at fqdn holding exactly value (others stay); answers "
     "once every nameserver serves the removal",
     200, BodyKind::kAcmeIn, BodyKind::kAcmeOut, QueryKind::kNone, true},
    {Method::kGet, kOpenApiPath, std::nullopt, Operation::kOpenApi, "getOpenApi",
     "This OpenAPI 3.1 document (no token needed)", 200, BodyKind::kNone, BodyKind::kOpenApi,
     QueryKind::kNone},
};

// The URL path of one zone or record ("/api/v1/dns-zones/<uuid>/"), for
// `Location` headers and links.
std::string zoneUrl(std::string_view uuid);
std::string recordUrl(std::string_view uuid);

// The distinct paths of kRoutes, in table order.
std::vector<std::string_view> routePaths();

// The route that serves `method` on `path`, or null. HEAD is served wherever
// GET is, by the GET route (API.md: "HEAD works wherever GET does"; the answer
// carries the GET's status and headers, no body).
const RouteSpec* servedRoute(std::string_view path, Method method);

// The methods served on `path`, in kAllMethods order (empty for an unknown
// path); HEAD included where GET is.
std::vector<Method> methodsOn(std::string_view path);

// The `Allow` header value for `path`: "GET, PUT, PATCH, DELETE".
std::string allowHeader(std::string_view path);

// The path as a Pistache route pattern: "{uuid}" -> ":uuid".
std::string pistachePattern(std::string_view path);

// The query parameters a route of `kind` takes, in documentation order: its
// filters ("domain"; "zone", "record_type"; "serial"; "wait", "timeout_ms"),
// then "page" and
// "page_size" when it is paged. The OpenAPI document and the check below use
// this one list.
std::vector<std::string_view> queryParameters(QueryKind kind);

// The first of `given` (parameter names as the client sent them) that a route
// of `kind` does not take, if any. A parameter nobody reads is refused rather
// than ignored: a script that trusts `?name=` to narrow a list must not act on
// the whole list (issue 11).
std::optional<std::string> unknownQueryParameter(QueryKind kind,
                                                 const std::vector<std::string>& given);

}  // namespace zp::api
