#include "pipelines/api/openapi.h"

#include <string_view>

#include "common/dns/record_spec.h"
#include "pipelines/api/json.h"
#include "pipelines/api/routes.h"

namespace zp::api {
namespace {

constexpr std::string_view kDescription =
    "Self-hosted DNS management: zones and records deployed to BIND9 nameservers. Every "
    "endpoint except this document needs `Authorization: Bearer vps_...` with the permission "
    "named in the operation (`x-permission`; `dns:*` grants all). Another user's zone or record "
    "answers 404 exactly like a missing one. Lists are bare JSON arrays paged with `page` and "
    "`page_size`, answered with `X-Total-Count` and an RFC 8288 `Link` header. Every error is "
    "the `Error` object. HEAD is answered wherever GET is (the GET's status and headers, no "
    "body). A method a path does not offer answers 405 `method_not_allowed` with "
    "an `Allow` header; a body over the limit (default 1 MiB) answers 413 `payload_too_large`. "
    "Malformed HTTP is answered before any route, with the same `Error` object and "
    "`Connection: close`: 400 `parse_error` (request line, header syntax, Content-Length, "
    "Transfer-Encoding other than `chunked` alone, Content-Type syntax), 413 "
    "`payload_too_large` (a declared length over the limit), 431 `headers_too_large` (request "
    "line and headers over 32 KiB) and 408 `request_timeout` (a request not complete 20 s "
    "after its first byte). "
    "Token scopes: a token may be limited to zones, record types, owner names, an expiry "
    "time and source addresses (see `TokenCreate`). A zone outside its zones answers 404 like "
    "another user's; a record write of a type or name outside its limits answers 403 "
    "`permission_denied` naming the limit (such a token also cannot create or delete zones); "
    "an expired token, or one used from outside its `allowed_ips`, answers 401. Reads of the "
    "zones in scope are not narrowed by type or name. `tokens:manage` (the token API) is not "
    "part of `dns:*`, and a token with any scope cannot create tokens.";

// Reusable parts referenced from the generated operations.
constexpr std::string_view kComponents = R"json({
"securitySchemes": {
  "bearerAuth": {"type": "http", "scheme": "bearer",
    "description": "An API token: `vps_` followed by 40 hex characters, issued by the admin CLI, the token API or the dashboard at /account/developers/."},
  "basicAuth": {"type": "http", "scheme": "basic",
    "description": "Only on /acme/httpreq/: HTTP Basic with the API token as the password (any user name), as lego's httpreq provider sends HTTPREQ_USERNAME/HTTPREQ_PASSWORD."}
},
"schemas": {
  "Error": {
    "type": "object",
    "required": ["detail", "error_code"],
    "properties": {
      "detail": {"type": "string", "description": "What went wrong, in a sentence."},
      "error_code": {"type": "string", "enum": ["parse_error", "validation_error", "zone_exists",
        "record_conflict", "authentication_failed", "permission_denied", "not_found",
        "method_not_allowed", "payload_too_large", "rate_limited", "unavailable",
        "insufficient_storage", "precondition_failed", "idempotency_key_reused",
        "request_timeout", "headers_too_large"]},
      "field": {"type": "string", "description": "The one input field at fault, when there is one."}
    },
    "additionalProperties": false
  },
  "RecordType": @RECORD_TYPE@,
  "ZoneSummary": {
    "type": "object",
    "required": ["uuid", "domain", "created_at", "record_count"],
    "properties": {
      "uuid": {"type": "string", "format": "uuid"},
      "domain": {"type": "string", "description": "Lower-case, punycode, no trailing dot."},
      "created_at": {"type": "string", "format": "date-time"},
      "record_count": {"type": "integer", "minimum": 0}
    }
  },
  "ZoneDetail": {
    "type": "object",
    "required": ["uuid", "domain", "created_at", "record_count", "serial", "records",
      "nameservers", "deployed_serial", "last_error"],
    "properties": {
      "change_id": {"type": "integer", "description": "Create answer only: the change (GET /api/v1/changes/{change_id}/)."},
      "zone_serial": {"type": "integer", "description": "Create answer only: the zone's SOA serial after the change."},
      "uuid": {"type": "string", "format": "uuid"},
      "domain": {"type": "string"},
      "created_at": {"type": "string", "format": "date-time"},
      "record_count": {"type": "integer", "minimum": 0},
      "serial": {"type": "integer", "minimum": 0, "maximum": 4294967295,
        "description": "The zone's SOA serial; it rises with every change."},
      "records": {"type": "array", "items": {"$ref": "#/components/schemas/Record"}},
      "nameservers": {"type": ["array", "null"],
        "items": {"$ref": "#/components/schemas/NameserverStatus"},
        "description": "What each nameserver serves, asked live; null when the deployment status is unknown right now (the zone itself is still answered)."},
      "deployed_serial": {"type": ["integer", "null"], "minimum": 0, "maximum": 4294967295,
        "description": "The SOA serial deployed to the primary; null when not deployed yet or unknown."},
      "last_error": {"type": ["string", "null"],
        "description": "The last deployment failure of this zone; null after a success."}
    }
  },
  "NameserverStatus": {
    "type": "object",
    "required": ["name", "address", "serial", "in_sync", "detail"],
    "properties": {
      "name": {"type": "string", "description": "ns1.example.net"},
      "address": {"type": "string", "description": "Where it is asked, ADDRESS or ADDRESS:PORT."},
      "serial": {"type": ["integer", "null"], "minimum": 0, "maximum": 4294967295,
        "description": "The SOA serial it answers with; null when it does not answer for the zone."},
      "in_sync": {"type": "boolean", "description": "It serves the zone's current serial."},
      "detail": {"type": "string", "description": "Why it is not in sync; empty when it is."}
    }
  },
  "Change": {
    "type": "object",
    "required": ["seq", "serial", "time", "action", "before", "after", "token_id"],
    "properties": {
      "seq": {"type": "integer", "minimum": 1,
        "description": "The event's sequence number in the store's log."},
      "serial": {"type": "integer", "minimum": 1, "maximum": 4294967295,
        "description": "The zone's SOA serial right after it (export?serial= takes it)."},
      "time": {"type": "string", "format": "date-time"},
      "action": {"type": "string",
        "enum": ["zone_created", "record_created", "record_updated", "record_deleted"]},
      "before": {"oneOf": [{"$ref": "#/components/schemas/Record"}, {"type": "null"}],
        "description": "The record before an update or delete."},
      "after": {"oneOf": [{"$ref": "#/components/schemas/Record"}, {"type": "null"}],
        "description": "The record after a create or update."},
      "token_id": {"type": "string", "description": "The public id of the token that made it."}
    }
  },
  "ChangeSet": {
    "type": "object",
    "required": ["changes"],
    "description": "Changes to one zone, applied all or none as ONE new version (one SOA serial, one deploy): deletes first, then updates, then creates, whatever their order here. At most 20000 changes and api.max_body_bytes (default 1 MiB). An invalid change answers 400 with `field` naming it: `changes[3].value`. Needs dns:update (the token's scope applies to every change).",
    "properties": {
      "changes": {"type": "array", "minItems": 1, "maxItems": 20000, "items": {
        "type": "object",
        "required": ["action"],
        "properties": {
          "action": {"type": "string", "enum": ["create", "update", "delete"]},
          "uuid": {"type": "string", "format": "uuid", "description": "update and delete: the record (of this zone); each record at most once per set."},
          "record_type": {"$ref": "#/components/schemas/RecordType"},
          "name": {"type": "string"},
          "value": {"type": "string"},
          "ttl": {"type": ["integer", "null"], "minimum": 60, "maximum": 604800, "default": 3600},
          "priority": {"type": ["integer", "null"], "minimum": 0, "maximum": 65535}
        },
        "description": "create: the fields of RecordCreate; update: uuid and the whole new record (as PUT); delete: uuid only."}}
    },
    "additionalProperties": false
  },
  "Rollback": {
    "type": "object",
    "required": ["serial"],
    "description": "Records are matched by uuid: changed ones are updated back, deleted ones created again (new uuids), newer ones deleted; all as one change set (ChangeSetResult). A zone already equal to that version answers 200 with no changes. Needs dns:update, plus dns:create / dns:delete when the rollback creates / deletes.",
    "properties": {
      "serial": {"type": "integer", "minimum": 1, "maximum": 4294967295,
        "description": "A serial the zone had (the `serial` of one of its changes); another answers 404."}
    },
    "additionalProperties": false
  },
  "ChangeSetResult": {
    "type": "object",
    "required": ["zone", "zone_serial", "dry_run", "record_count", "changes", "zone_file_diff"],
    "properties": {
      "zone": {"type": "string", "format": "uuid"},
      "zone_serial": {"type": "integer", "minimum": 1, "maximum": 4294967295,
        "description": "The zone's SOA serial after the set (with dry_run: the one it would have had); every change of the set carries it."},
      "dry_run": {"type": "boolean", "description": "true: nothing was committed."},
      "change_id": {"type": "integer", "minimum": 1, "description": "The set's change (its last event; GET /api/v1/changes/{change_id}/). Absent for a dry run and when nothing changed."},
      "record_count": {"type": "integer", "minimum": 0},
      "changes": {"type": "array", "items": {"$ref": "#/components/schemas/Change"},
        "description": "One per change, in the order applied."},
      "added": {"type": "integer", "description": "import only: records added."},
      "changed": {"type": "integer", "description": "import only: records whose TTL or priority changed."},
      "removed": {"type": "integer", "description": "import only (mode=replace): records removed."},
      "unchanged": {"type": "integer", "description": "import only: records the zone already held."},
      "skipped": {"type": "array", "description": "import only: what the file holds that the service owns (the SOA, the apex NS set), with why.",
        "items": {"type": "object", "properties": {"line": {"type": "integer"}, "record": {"type": "string"}, "why": {"type": "string"}}}},
      "zone_file_diff": {"type": "string",
        "description": "The zone-file lines removed (`-`) and added (`+`), one per line, in the order applied."}
    }
  },
  "TokenCreate": {
    "type": "object",
    "required": ["permissions"],
    "properties": {
      "name": {"type": "string", "maxLength": 200, "description": "A label for lists."},
      "permissions": {"type": "array", "minItems": 1, "items": {"type": "string",
        "enum": ["dns:list", "dns:read", "dns:create", "dns:update", "dns:delete", "dns:*", "tokens:manage"]},
        "description": "Only permissions the creating token holds (dns:* covers every dns: one; tokens:manage must be held explicitly)."},
      "zones": {"type": ["array", "null"], "items": {"type": "string", "format": "uuid"},
        "description": "Only these zones (others answer 404); absent or empty: every zone of the user."},
      "record_types": {"type": ["array", "null"], "items": {"type": "string"},
        "description": "Only records of these types may be created, changed or deleted (else 403)."},
      "names": {"type": ["array", "null"], "items": {"type": "string"},
        "description": "Only records with these owner names (relative to the zone, `@` for the apex) may be written; one `*` label first or last is a pattern: `_acme-challenge.*` matches `_acme-challenge.www` (else 403)."},
      "expires_at": {"type": ["string", "null"], "format": "date-time",
        "description": "ISO 8601 with a time zone; from then on the token answers 401."},
      "allowed_ips": {"type": ["array", "null"], "items": {"type": "string"},
        "description": "CIDRs or addresses, IPv4 or IPv6 (`192.0.2.0/24`, `2001:db8::/32`); requests from elsewhere answer 401."}
    }
  },
  "Token": {
    "type": "object",
    "required": ["id", "name", "permissions", "zones", "record_types", "names", "expires_at", "allowed_ips", "created_at", "last_used_at", "prefix"],
    "properties": {
      "id": {"type": "string", "description": "Public id, `tok_` + 16 hex (DELETE /tokens/{id}/)."},
      "name": {"type": "string"},
      "permissions": {"type": "array", "items": {"type": "string"}},
      "zones": {"type": "array", "items": {"type": "string", "format": "uuid"}},
      "record_types": {"type": "array", "items": {"type": "string"}},
      "names": {"type": "array", "items": {"type": "string"}},
      "expires_at": {"type": ["string", "null"], "format": "date-time"},
      "allowed_ips": {"type": "array", "items": {"type": "string"}},
      "created_at": {"type": "string", "format": "date-time"},
      "last_used_at": {"type": ["string", "null"], "format": "date-time",
        "description": "Recorded in batches (api.last_used_flush_s), not per request."},
      "prefix": {"type": "string", "description": "The first 8 characters of the secret."}
    }
  },
  "TokenCreated": {
    "allOf": [{"$ref": "#/components/schemas/Token"}, {"type": "object", "required": ["token"],
      "properties": {"token": {"type": "string", "description": "The secret bearer string `vps_...`; shown only in this answer."}}}]
  },
  "AcmeChallenge": {
    "type": "object",
    "required": ["fqdn", "value"],
    "description": "lego's httpreq provider, default mode (HTTPREQ_ENDPOINT=<API>/api/v1/acme/httpreq). RAW mode ({domain, token, keyAuth}) is refused with validation_error.",
    "properties": {
      "fqdn": {"type": "string", "description": "The TXT record's name, `_acme-challenge.www.example.com.` (trailing dot optional); the longest of your zones holding it is used (404 on `fqdn` when none does)."},
      "value": {"type": "string", "minLength": 1, "maxLength": 255, "description": "The TXT value (the key authorization's digest)."}
    },
    "additionalProperties": false
  },
  "AcmeOutcome": {
    "type": "object",
    "required": ["fqdn", "zone", "domain", "name", "value", "records", "status", "zone_serial"],
    "description": "Answered only once every nameserver serves the zone_serial (present: 201 created, 200 already there; cleanup: 200, `records` empty when nothing held that value). When the nameservers do not all serve it within 25 s the answer is 503 `unavailable` naming the lagging ones (the change stays committed).",
    "properties": {
      "fqdn": {"type": "string"},
      "zone": {"type": "string", "format": "uuid"},
      "domain": {"type": "string"},
      "name": {"type": "string", "description": "The record's name relative to the zone."},
      "value": {"type": "string"},
      "records": {"type": "array", "items": {"type": "string", "format": "uuid"}, "description": "present: the record created or kept; cleanup: the record removed."},
      "status": {"type": "string", "enum": ["INSYNC"]},
      "change_id": {"type": "integer", "description": "The change made (GET /api/v1/changes/{change_id}/); absent when nothing changed."},
      "zone_serial": {"type": "integer", "description": "The zone's SOA serial every nameserver serves."}
    }
  },
  "ChangeStatus": {
    "type": "object",
    "required": ["change_id", "zone", "domain", "zone_serial", "action", "status", "nameservers"],
    "properties": {
      "change_id": {"type": "integer", "minimum": 1, "description": "The change's position in the store's log."},
      "zone": {"type": "string", "format": "uuid"},
      "domain": {"type": "string"},
      "zone_serial": {"type": "integer", "minimum": 1, "maximum": 4294967295,
        "description": "The zone's SOA serial right after the change."},
      "action": {"type": "string", "enum": ["zone_changed", "zone_deleted"]},
      "time": {"type": "integer", "description": "Unix seconds of the commit (GET /changes/ only)."},
      "status": {"type": "string", "enum": ["PENDING", "INSYNC"],
        "description": "INSYNC: every nameserver serves zone_serial or a newer serial (a deletion: none serves the zone any more)."},
      "nameservers": {"type": ["array", "null"], "description": "null when the pusher did not answer.",
        "items": {"type": "object", "required": ["name", "address", "serial", "in_sync"],
          "properties": {"name": {"type": "string"}, "address": {"type": "string"},
            "serial": {"type": ["integer", "null"]}, "in_sync": {"type": "boolean"}}}}
    }
  },
  "ZoneCreate": {
    "type": "object",
    "required": ["domain"],
    "properties": {
      "domain": {"type": "string",
        "description": "At least two labels; Unicode becomes punycode. Reserved (validation_error): zonepipe.invalid and below, .bind and .server, and any domain at or above one of the service's nameservers."},
      "uuid": {"readOnly": true, "description": "Accepted and ignored."},
      "created_at": {"readOnly": true, "description": "Accepted and ignored."},
      "record_count": {"readOnly": true, "description": "Accepted and ignored."},
      "records": {"readOnly": true, "description": "Accepted and ignored."},
      "serial": {"readOnly": true, "description": "Accepted and ignored."},
      "nameservers": {"readOnly": true, "description": "Accepted and ignored."},
      "deployed_serial": {"readOnly": true, "description": "Accepted and ignored."},
      "last_error": {"readOnly": true, "description": "Accepted and ignored."}
    },
    "additionalProperties": false
  },
  "Record": {
    "type": "object",
    "required": ["uuid", "record_type", "name", "value", "ttl", "priority", "created_at"],
    "properties": {
      "uuid": {"type": "string", "format": "uuid"},
      "record_type": {"$ref": "#/components/schemas/RecordType"},
      "name": {"type": "string", "description": "Relative to the zone: `@` for the apex, `www`."},
      "value": {"type": "string", "description": "Canonical form; hostnames without trailing dot."},
      "ttl": {"type": "integer", "minimum": 60, "maximum": 604800,
        "description": "Seconds. One RRset (name and type) has one TTL (RFC 2181 5.2): a record whose TTL differs from the rest of its RRset is refused with 400 record_conflict, field ttl, on create, PUT and PATCH, so the TTL shown is the TTL served."},
      "priority": {"type": ["integer", "null"], "minimum": 0, "maximum": 65535,
        "description": "null unless MX or SRV."},
      "created_at": {"type": "string", "format": "date-time"},
      "updated_at": {"type": "string", "format": "date-time"},
      "zone": {"type": "string", "format": "uuid", "description": "The zone's uuid."},
      "change_id": {"type": "integer", "description": "Write answers only: the change (GET /api/v1/changes/{change_id}/)."},
      "zone_serial": {"type": "integer", "description": "Write answers only: the zone's SOA serial after the change."}
    }
  },
  "RecordCreate": {
    "type": "object",
    "required": ["record_type", "name", "value"],
    "properties": {
      "record_type": {"$ref": "#/components/schemas/RecordType"},
      "name": {"type": "string", "description": "`@`, a relative name or an FQDN inside the zone."},
      "value": {"type": "string"},
      "ttl": {"type": ["integer", "null"], "minimum": 60, "maximum": 604800, "default": 3600,
        "description": "Must equal the TTL of the other records of the same name and type (RFC 2181 5.2); otherwise 400 record_conflict on ttl."},
      "priority": {"type": ["integer", "null"], "minimum": 0, "maximum": 65535,
        "description": "Required for MX and SRV, absent or null otherwise."},
      "uuid": {"readOnly": true, "description": "Accepted and ignored."},
      "created_at": {"readOnly": true, "description": "Accepted and ignored."},
      "updated_at": {"readOnly": true, "description": "Accepted and ignored."},
      "zone": {"readOnly": true, "description": "Accepted and ignored."}
    },
    "additionalProperties": false
  },
  "RecordPatch": {
    "type": "object",
    "description": "Any subset of the writable fields; the merged record is validated as a whole. `ttl: null` restores 3600, `priority: null` clears the priority.",
    "properties": {
      "record_type": {"$ref": "#/components/schemas/RecordType"},
      "name": {"type": "string"},
      "value": {"type": "string"},
      "ttl": {"type": ["integer", "null"], "minimum": 60, "maximum": 604800,
        "description": "The merged record's TTL must equal the other records' of its name and type (RFC 2181 5.2); otherwise 400 record_conflict on ttl."},
      "priority": {"type": ["integer", "null"], "minimum": 0, "maximum": 65535},
      "uuid": {"readOnly": true, "description": "Accepted and ignored."},
      "created_at": {"readOnly": true, "description": "Accepted and ignored."},
      "updated_at": {"readOnly": true, "description": "Accepted and ignored."},
      "zone": {"readOnly": true, "description": "Accepted and ignored."}
    },
    "additionalProperties": false
  }
},
"parameters": {
  "If-Match": {"name": "If-Match", "in": "header", "required": false,
    "description": "RFC 9110 13.1.1: the ETags (as answered, quoted) the target may have; the write happens only if its current ETag is one of them, else 412 precondition_failed (checked by the store in the write's own transaction: of two writes with the same tag, one wins). A record's ETag is its version, a zone's (for zone deletes, change sets, rollbacks, imports and record creates) the zone's. Comparison is strong: a weak tag (W/\"57\") never matches. `*` asks only that the target exists (a missing one is 404 either way). A malformed value is 400 validation_error with field If-Match.",
    "schema": {"type": "string"}, "example": "\"57\""},
  "Idempotency-Key": {"name": "Idempotency-Key", "in": "header", "required": false,
    "description": "Makes a retried POST safe: the first successful request with this key (per user, for 24 hours, kept by the store with its change) is answered again to the same request (same method, path, query apart from wait/timeout_ms, and body) with the same status and body plus `Idempotent-Replayed: true`, and nothing changes; the same key with another request is 422 idempotency_key_reused. Failed requests and dry runs are not remembered. 1 to 255 visible ASCII characters, else 400.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"}},
  "If-None-Match": {"name": "If-None-Match", "in": "header", "required": false,
    "description": "Only `*`: create the record only if no record with the same name, type and value exists (else 412 precondition_failed rather than 400 record_conflict). Anything else is 400.",
    "schema": {"type": "string", "const": "*"}},
  "uuid": {"name": "uuid", "in": "path", "required": true,
    "schema": {"type": "string", "format": "uuid"}},
  "id": {"name": "id", "in": "path", "required": true,
    "schema": {"type": "string", "pattern": "^tok_[0-9a-f]{16}$"}},
  "page": {"name": "page", "in": "query", "required": false,
    "schema": {"type": "integer", "minimum": 1, "default": 1}},
  "page_size": {"name": "page_size", "in": "query", "required": false,
    "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
  "domain": {"name": "domain", "in": "query", "required": false,
    "description": "Exact domain (case-insensitive, trailing dot and Unicode allowed).",
    "schema": {"type": "string"}},
  "zone": {"name": "zone", "in": "query", "required": false,
    "description": "Only this zone's records; a zone that is not yours answers 404.",
    "schema": {"type": "string", "format": "uuid"}},
  "record_type": {"name": "record_type", "in": "query", "required": false,
    "description": "Only records of this type (case-insensitive).",
    "schema": {"type": "string"}},
  "mode": {"name": "mode", "in": "query", "required": false,
    "description": "merge: add the file's missing records and update those whose TTL or priority differ; replace: also delete every record the file does not hold.",
    "schema": {"type": "string", "enum": ["merge", "replace"], "default": "merge"}},
  "dry_run": {"name": "dry_run", "in": "query", "required": false,
    "description": "true: check everything and answer what would change (200), without committing.",
    "schema": {"type": "boolean", "default": false}},
  "change_id": {"name": "change_id", "in": "path", "required": true,
    "description": "The `change_id` a write answered (X-Change-Id on a 204).",
    "schema": {"type": "integer", "minimum": 1}},
  "wait": {"name": "wait", "in": "query", "required": false,
    "description": "`in_sync`: answer only once every nameserver serves the change (RFC 1982: its zone_serial or newer; a deleted zone: no longer served). A write whose wait times out is still committed: it answers 202 with the ChangeStatus and `Location: /api/v1/changes/{change_id}/`. GET /changes/{change_id}/ answers 200 either way.",
    "schema": {"type": "string", "enum": ["in_sync"]}},
  "timeout_ms": {"name": "timeout_ms", "in": "query", "required": false,
    "description": "With wait=in_sync: how long to wait, in milliseconds.",
    "schema": {"type": "integer", "minimum": 0, "maximum": 30000, "default": 10000}},
  "contains": {"name": "contains", "in": "query", "required": false,
    "description": "A DNS name: the list holds only the longest of your zones at or above it (deSEC's owns_qname), or is empty. Not with `domain`.",
    "schema": {"type": "string"}},
  "name": {"name": "name", "in": "query", "required": false,
    "description": "Exact record name: relative to its zone (`www`, `@`) or the FQDN (`www.example.com`); with a trailing dot, the FQDN only. Case-insensitive. Empty is refused (400).",
    "schema": {"type": "string", "minLength": 1}},
  "value": {"name": "value", "in": "query", "required": false,
    "description": "Exact value, in the canonical form the API shows. Empty is refused (400).",
    "schema": {"type": "string", "minLength": 1}},
  "name_contains": {"name": "name_contains", "in": "query", "required": false,
    "description": "A substring of the relative name, case-insensitive.",
    "schema": {"type": "string", "minLength": 1}},
  "name_startswith": {"name": "name_startswith", "in": "query", "required": false,
    "description": "A prefix of the relative name, case-insensitive.",
    "schema": {"type": "string", "minLength": 1}},
  "serial": {"name": "serial", "in": "query", "required": false,
    "description": "A serial the zone had (the `serial` of one of its changes): the zone file as it was then, rebuilt from the log. Without it: the zone file as deployed now.",
    "schema": {"type": "integer", "minimum": 1}}
},
"headers": {
  "X-Total-Count": {"description": "Items in the whole list, over all pages.",
    "schema": {"type": "integer", "minimum": 0}},
  "Link": {"description": "RFC 8288 links with rel=\"next\" and rel=\"prev\" when those pages exist.",
    "schema": {"type": "string"}},
  "Location": {"description": "The new resource's URL.", "schema": {"type": "string"}},
  "X-Change-Id": {"description": "The change this write made (GET /api/v1/changes/{change_id}/).", "schema": {"type": "integer"}},
  "X-Zone-Serial": {"description": "The zone's SOA serial after this write.", "schema": {"type": "integer"}},
  "Idempotent-Replayed": {"description": "`true` when this is the stored answer of an earlier request with the same Idempotency-Key (nothing was changed this time).", "schema": {"type": "string", "const": "true"}},
  "ETag": {"description": "The version of the record or zone this answer shows (a strong, quoted decimal: the seq of the change that last wrote it; a zone's covers its records, not the live deployment status). Send it back in If-Match.", "schema": {"type": "string"}}
},
"responses": {
  "BadRequest": {"description": "parse_error, validation_error (field names the input), zone_exists or record_conflict.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
  "Unauthorized": {"description": "authentication_failed: token missing, not vps_-prefixed, unknown or revoked.",
    "headers": {"WWW-Authenticate": {"schema": {"type": "string", "const": "Bearer"}}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
  "NotFound": {"description": "not_found: unknown id, or owned by another user (export: also a serial that is not one of the zone's, or a zone file not deployed yet).",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
  "PayloadTooLarge": {"description": "payload_too_large: the body is over the limit.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
  "Unavailable": {"description": "unavailable: a pipeline stage did not answer in time; retry.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
  "PreconditionFailed": {"description": "precondition_failed: If-Match named none of the target's current ETags (the record or zone changed since you read it: read it again, redo your change, retry), or If-None-Match: * found the record already there. Nothing was changed.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
  "IdempotencyKeyReused": {"description": "idempotency_key_reused: this Idempotency-Key was used in the last 24 hours with another request; nothing was changed. Use a new key for a new request.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
  "RequestTimeout": {"description": "request_timeout: the request (headers and body) did not arrive completely within 20 s of its first byte; the connection is closed.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
  "HeadersTooLarge": {"description": "headers_too_large: the request line and headers are over 32 KiB; the connection is closed.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
  "InsufficientStorage": {"description": "insufficient_storage: the store's disk (or its configured ceiling, store.map_size_max) is full; nothing was changed. Reads keep working; writes work again once the operator frees space.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
}
})json";

// The RecordType schema, from the record-type table: the enum and, per type,
// the shape of its value.
std::string recordTypeSchema() {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writeKey(writer, "type");
  writeString(writer, "string");
  writeKey(writer, "enum");
  writer.StartArray();
  for (const dns::RecordSpec& spec : dns::recordSpecs()) writeString(writer, spec.name);
  writer.EndArray();
  std::string description =
      "The record type. `value` holds the whole rdata in presentation format, canonicalised; "
      "`priority` is used only by the types marked so. Value per type:";
  for (const dns::RecordSpec& spec : dns::recordSpecs()) {
    description += " `" + std::string(spec.name) + "`: " + std::string(spec.format) +
                   (spec.priority == dns::PriorityRule::kRequired ? " (priority required)" : "") +
                   ", e.g. `" + std::string(spec.example) + "` (" + std::string(spec.rfc) + ");";
  }
  description.back() = '.';
  writeKey(writer, "description");
  writeString(writer, description);
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string componentsJson() {
  std::string out(kComponents);
  constexpr std::string_view kSlot = "@RECORD_TYPE@";
  out.replace(out.find(kSlot), kSlot.size(), recordTypeSchema());
  return out;
}

std::string_view schemaName(BodyKind kind) {
  switch (kind) {
    case BodyKind::kZoneCreate:
      return "ZoneCreate";
    case BodyKind::kRecordCreate:
      return "RecordCreate";
    case BodyKind::kRecordPatch:
      return "RecordPatch";
    case BodyKind::kZoneList:
    case BodyKind::kZoneDetail:
      return kind == BodyKind::kZoneList ? "ZoneSummary" : "ZoneDetail";
    case BodyKind::kRecordList:
    case BodyKind::kRecord:
      return "Record";
    case BodyKind::kChangeList:
      return "Change";
    case BodyKind::kTokenCreate:
      return "TokenCreate";
    case BodyKind::kTokenList:
      return "Token";
    case BodyKind::kTokenCreated:
      return "TokenCreated";
    case BodyKind::kChangeSet:
      return "ChangeSet";
    case BodyKind::kRollback:
      return "Rollback";
    case BodyKind::kZoneFileIn:
      return "";
    case BodyKind::kSetResult:
      return "ChangeSetResult";
    case BodyKind::kChangeStatus:
      return "ChangeStatus";
    case BodyKind::kAcmeIn:
      return "AcmeChallenge";
    case BodyKind::kAcmeOut:
      return "AcmeOutcome";
    case BodyKind::kNone:
    case BodyKind::kOpenApi:
    case BodyKind::kZoneFile:
      break;
  }
  return "";
}

bool isList(BodyKind kind) {
  return kind == BodyKind::kZoneList || kind == BodyKind::kRecordList ||
         kind == BodyKind::kChangeList || kind == BodyKind::kTokenList;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The operations that honour If-Match (preconditions.h), If-None-Match: *,
// and whose success answer carries an ETag.
bool takesIfMatch(Operation op) {
  switch (op) {
    case Operation::kCreateRecord:
    case Operation::kReplaceRecord:
    case Operation::kPatchRecord:
    case Operation::kDeleteRecord:
    case Operation::kDeleteZone:
    case Operation::kApplyChangeSet:
    case Operation::kRollbackZone:
    case Operation::kImportZone:
      return true;
    default:
      return false;
  }
}
bool takesIfNoneMatch(Operation op) { return op == Operation::kCreateRecord; }
// Every POST but the token API's (idempotency.h).
bool takesIdempotencyKey(const RouteSpec& route) {
  return route.method == Method::kPost && route.operation != Operation::kCreateToken;
}
bool answersEtag(Operation op) {
  switch (op) {
    case Operation::kCreateZone:
    case Operation::kGetZone:
    case Operation::kCreateRecord:
    case Operation::kGetRecord:
    case Operation::kReplaceRecord:
    case Operation::kPatchRecord:
    case Operation::kApplyChangeSet:
    case Operation::kRollbackZone:
    case Operation::kImportZone:
      return true;
    default:
      return false;
  }
}

class DocumentWriter {
 public:
  explicit DocumentWriter(JsonWriter& w) : w_(w) {}

  void key(std::string_view k) { writeKey(w_, k); }
  void str(std::string_view k, std::string_view v) {
    key(k);
    writeString(w_, v);
  }
  void ref(std::string_view target) {
    w_.StartObject();
    str("$ref", target);
    w_.EndObject();
  }
  void jsonContent(std::string_view schemaRef, bool array) {
    key("content");
    w_.StartObject();
    key("application/json");
    w_.StartObject();
    key("schema");
    if (array) {
      w_.StartObject();
      str("type", "array");
      key("items");
      ref(schemaRef);
      w_.EndObject();
    } else {
      ref(schemaRef);
    }
    w_.EndObject();
    w_.EndObject();
  }

  void parameters(const RouteSpec& route) {
    std::vector<std::string_view> names;
    if (route.path.find("{uuid}") != std::string_view::npos) names.push_back("uuid");
    if (route.path.find("{id}") != std::string_view::npos) names.push_back("id");
    if (route.path.find("{change_id}") != std::string_view::npos) names.push_back("change_id");
    for (const auto name : queryParameters(route.query)) names.push_back(name);
    if (takesIfMatch(route.operation)) names.push_back("If-Match");
    if (takesIfNoneMatch(route.operation)) names.push_back("If-None-Match");
    if (takesIdempotencyKey(route)) names.push_back("Idempotency-Key");
    if (names.empty()) return;
    key("parameters");
    w_.StartArray();
    for (const auto name : names) ref("#/components/parameters/" + std::string(name));
    w_.EndArray();
  }

  void successResponse(const RouteSpec& route) {
    key(std::to_string(route.successStatus));
    w_.StartObject();
    str("description", route.summary);
    const bool commitHeaders = route.successStatus == 204 && route.query == QueryKind::kWait;
    const bool etag = answersEtag(route.operation);
    const bool replays = takesIdempotencyKey(route);
    const bool hasHeaders =
        isList(route.response) || route.successStatus == 201 || commitHeaders || etag || replays;
    if (hasHeaders) {
      key("headers");
      w_.StartObject();
      if (isList(route.response)) {
        key("X-Total-Count");
        ref("#/components/headers/X-Total-Count");
        key("Link");
        ref("#/components/headers/Link");
      }
      if (route.successStatus == 201) {
        key("Location");
        ref("#/components/headers/Location");
      }
      if (etag) {
        key("ETag");
        ref("#/components/headers/ETag");
      }
      if (replays) {
        key("Idempotent-Replayed");
        ref("#/components/headers/Idempotent-Replayed");
      }
      if (commitHeaders) {
        key("X-Change-Id");
        ref("#/components/headers/X-Change-Id");
        key("X-Zone-Serial");
        ref("#/components/headers/X-Zone-Serial");
      }
      w_.EndObject();
    }
    if (route.response == BodyKind::kOpenApi) {
      key("content");
      w_.StartObject();
      key("application/json");
      w_.StartObject();
      key("schema");
      w_.StartObject();
      str("type", "object");
      w_.EndObject();
      w_.EndObject();
      w_.EndObject();
    } else if (route.response == BodyKind::kZoneFile) {
      key("content");
      w_.StartObject();
      key("text/dns");
      w_.StartObject();
      key("schema");
      w_.StartObject();
      str("type", "string");
      str("description", "A BIND9 zone file (RFC 1035 master file format).");
      w_.EndObject();
      w_.EndObject();
      w_.EndObject();
    } else if (route.response != BodyKind::kNone) {
      jsonContent("#/components/schemas/" + std::string(schemaName(route.response)),
                  isList(route.response));
    }
    w_.EndObject();
  }

  void errorResponse(std::string_view status, std::string_view component) {
    key(status);
    ref("#/components/responses/" + std::string(component));
  }

  void operation(const RouteSpec& route) {
    key(lower(methodName(route.method)));
    w_.StartObject();
    str("operationId", route.operationId);
    str("summary", route.summary);
    if (route.permission) {
      str("x-permission", auth::toString(*route.permission));
      if (route.basicAuth) {
        key("security");
        w_.StartArray();
        for (const std::string_view scheme : {"bearerAuth", "basicAuth"}) {
          w_.StartObject();
          key(scheme);
          w_.StartArray();
          w_.EndArray();
          w_.EndObject();
        }
        w_.EndArray();
      }
    } else {
      key("security");
      w_.StartArray();
      w_.EndArray();
    }
    parameters(route);
    if (route.request != BodyKind::kNone) {
      key("requestBody");
      w_.StartObject();
      key("required");
      w_.Bool(true);
      if (route.request == BodyKind::kZoneFileIn) {
        key("content");
        w_.StartObject();
        key("text/dns");
        w_.StartObject();
        key("schema");
        w_.StartObject();
        str("type", "string");
        str("description",
            "A BIND9 zone file (RFC 1035 master file: $ORIGIN, $TTL, relative names, "
            "multi-line records; $INCLUDE is refused), read with Knot's libzscanner. At most "
            "api.max_body_bytes. An error names the line.");
        w_.EndObject();
        w_.EndObject();
        w_.EndObject();
      } else {
        jsonContent("#/components/schemas/" + std::string(schemaName(route.request)), false);
      }
      w_.EndObject();
    }
    key("responses");
    w_.StartObject();
    successResponse(route);
    const bool waits = route.query == QueryKind::kWait || route.query == QueryKind::kDryRun ||
                       route.query == QueryKind::kImport;
    if (waits && route.method != Method::kGet) {
      key("202");
      w_.StartObject();
      str("description",
          "wait=in_sync timed out: the write is committed, not yet served by every nameserver");
      key("headers");
      w_.StartObject();
      key("Location");
      ref("#/components/headers/Location");
      key("X-Change-Id");
      ref("#/components/headers/X-Change-Id");
      key("X-Zone-Serial");
      ref("#/components/headers/X-Zone-Serial");
      w_.EndObject();
      jsonContent("#/components/schemas/ChangeStatus", false);
      w_.EndObject();
    }
    const bool hasPathUuid = route.path.find("{uuid}") != std::string_view::npos ||
                             route.path.find("{id}") != std::string_view::npos ||
                             route.path.find("{change_id}") != std::string_view::npos;
    if (route.request != BodyKind::kNone || route.query != QueryKind::kNone) {
      errorResponse("400", "BadRequest");
    }
    if (route.permission) {
      errorResponse("401", "Unauthorized");
      key("403");
      w_.StartObject();
      str("description", "permission_denied: the token lacks the " +
                             std::string(auth::toString(*route.permission)) +
                             " permission, or a record type or name is outside its scope.");
      jsonContent("#/components/schemas/Error", false);
      w_.EndObject();
    }
    if (hasPathUuid || route.query == QueryKind::kPagedByZoneAndType ||
        route.request == BodyKind::kAcmeIn) {
      errorResponse("404", "NotFound");
    }
    errorResponse("408", "RequestTimeout");  // the request gate (http_gate.h), any route
    if (takesIfMatch(route.operation)) errorResponse("412", "PreconditionFailed");
    if (takesIdempotencyKey(route)) errorResponse("422", "IdempotencyKeyReused");
    if (route.request != BodyKind::kNone) errorResponse("413", "PayloadTooLarge");
    errorResponse("431", "HeadersTooLarge");
    if (route.permission) errorResponse("503", "Unavailable");
    if (route.permission && route.method != Method::kGet) {
      errorResponse("507", "InsufficientStorage");
    }
    w_.EndObject();
    w_.EndObject();
  }

 private:
  JsonWriter& w_;
};

}  // namespace

std::string openApiDocument() {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  DocumentWriter doc(writer);
  writer.StartObject();
  doc.str("openapi", "3.1.0");
  doc.key("info");
  writer.StartObject();
  doc.str("title", "zonepipe DNS management API");
  doc.str("version", "1.0.0");
  doc.str("description", kDescription);
  writer.EndObject();
  doc.key("security");
  writer.StartArray();
  writer.StartObject();
  doc.key("bearerAuth");
  writer.StartArray();
  writer.EndArray();
  writer.EndObject();
  writer.EndArray();

  doc.key("paths");
  writer.StartObject();
  for (const auto path : routePaths()) {
    doc.key(path);
    writer.StartObject();
    for (const Method method : methodsOn(path)) {
      for (const auto& route : kRoutes) {
        if (route.path == path && route.method == method) doc.operation(route);
      }
    }
    writer.EndObject();
  }
  writer.EndObject();

  doc.key("components");
  const std::string components = componentsJson();
  writer.RawValue(components.data(), components.size(), rapidjson::kObjectType);
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace zp::api
