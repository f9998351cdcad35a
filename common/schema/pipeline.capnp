@0x87a96c58d771ee27;
# The contract between zonepipe's processes. Every frame on every socket is one
# Envelope-free message of one of the top-level structs below (Command, Reply,
# Query, Event, Deploy, DeployAck), encoded with capnp::messageToFlatArray.
# Rules: only add fields with new ordinals; never renumber or reuse one.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("zp::schema");

const protocolVersion :UInt16 = 1;   # readers reject a different major version

enum RecordType {
  a @0;
  aaaa @1;
  cname @2;
  mx @3;
  txt @4;
  ns @5;
  srv @6;
  caa @7;
  ptr @8;
  tlsa @9;
  sshfp @10;
  ds @11;
  naptr @12;
  dname @13;
  https @14;
  svcb @15;
}

enum ErrorKind {
  parseError @0;
  validationError @1;
  zoneExists @2;
  recordConflict @3;
  authenticationFailed @4;
  permissionDenied @5;
  notFound @6;
  methodNotAllowed @7;
  payloadTooLarge @8;
  rateLimited @9;
  unavailable @10;
  internal @11;        # a bug or a broken environment; the API answers 503, never leaks detail
  insufficientStorage @12;  # the store cannot grow (disk full or store.map_size_max): 507
  preconditionFailed @13;   # If-Match / If-None-Match did not hold (issue 11 item 5): 412
  idempotencyKeyReused @14; # an Idempotency-Key sent again with another request (item 6): 422
}

struct Error {
  kind @0 :ErrorKind;
  field @1 :Text;      # empty when no single input field is at fault
  detail @2 :Text;     # operator/user readable sentence
}

struct Actor {
  userId @0 :Text;     # owner of the token
  tokenId @1 :Text;    # public id of the token, never the secret
}

struct Record {
  uuid @0 :Text;
  zoneUuid @1 :Text;
  type @2 :RecordType;
  name @3 :Text;       # relative to the zone: "@", "www", "_sip._tcp"
  value @4 :Text;      # canonical form (see common/dns/validate.h)
  ttl @5 :UInt32;
  hasPriority @6 :Bool;
  priority @7 :UInt16;
  createdAt @8 :Int64; # unix seconds, UTC
  updatedAt @9 :Int64;
  version @10 :UInt64; # seq of the event that last wrote it: the API's ETag (issue 11 item 5).
                       # In the records table and in replies only, never in events (0 there,
                       # so logs from before it replay byte for byte); 0 for a record last
                       # written before versions were stored
}

struct Zone {
  uuid @0 :Text;
  domain @1 :Text;     # lower-case, no trailing dot, punycode
  ownerId @2 :Text;
  createdAt @3 :Int64;
  recordCount @4 :UInt32;
  serial @5 :UInt64;   # seq of the last event that changed this zone (the version id)
  soaSerial @6 :UInt32;   # the SOA serial of that version (common/dns/serial.h nextSoaSerial);
                          # 0 in data written before it was stored: then soaSerial(serial)
}

struct Token {
  id @0 :Text;         # public id ("tok_..."), shown by `token list`
  userId @1 :Text;
  hash @2 :Data;       # SHA-256 of the whole bearer string; the secret itself is never stored
  permissions @3 :List(Text);   # "dns:list", ..., or "dns:*"
  createdAt @4 :Int64;
  revoked @5 :Bool;
  name @6 :Text;       # the owner's label for it ("acme on web1"); may be empty
  scope @7 :TokenScope;   # its limits (issue 9); absent or empty lists = unlimited
  prefix @8 :Text;     # the first 8 characters of the bearer string ("vps_1a2b"), for lists
  lastUsedAt @9 :Int64;   # unix seconds of its last authenticated request, 0 = never; only in
                          # replies (kept outside the log: telemetry, not an account change)
}

# What a token may touch beyond its permissions (issue 9; common/auth/scope.h).
# Every list empty and expiresAt 0 = no limit of that kind.
struct TokenScope {
  zones @0 :List(Text);        # zone uuids; other zones are not found for it
  recordTypes @1 :List(Text);  # "TXT", ...: record writes of other types are refused
  names @2 :List(Text);        # owner names relative to the zone, exact ("_acme-challenge",
                               # "@") or with one `*` label first or last ("_acme-challenge.*")
  expiresAt @3 :Int64;         # unix seconds; from then on it fails authentication
  allowedIps @4 :List(Text);   # CIDRs ("192.0.2.0/24", "2001:db8::/32"); checked by the API
}

# An account (issue 9). The password itself never leaves the CLI or the API
# process: only its Argon2id hash (libsodium crypto_pwhash_str) is stored and logged.
struct User {
  name @0 :Text;           # the user id tokens and zones belong to
  passwordHash @1 :Text;   # "$argon2id$v=19$m=...", blanked in listings
  disabled @2 :Bool;       # its logins and tokens are refused
  createdAt @3 :Int64;
}

# One token's last use, as the API reports it in batches (Command.tokensUsed).
struct TokenUse {
  id @0 :Text;
  time @1 :Int64;          # unix seconds
}

# What a client asked for, before validation. Optional numbers are unions so
# that "absent", "null" and a value stay distinct (PATCH needs all three).
struct OptInt {
  union {
    absent @0 :Void;
    null @1 :Void;
    value @2 :Int64;
  }
}

struct RecordInput {
  type @0 :Text;
  name @1 :Text;
  value @2 :Text;
  ttl @3 :OptInt;
  priority @4 :OptInt;
}

# A record after the validator: canonical value, syntactically valid name
# (lower-case, not yet made relative: the store knows the zone's domain).
struct ValidRecord {
  type @0 :RecordType;
  name @1 :Text;
  value @2 :Text;
  ttl @3 :UInt32;
  hasPriority @4 :Bool;
  priority @5 :UInt16;
}

# One item of an atomic change set (issue 11 item 4), as the API received it.
struct ChangeInput {
  union {
    create @0 :RecordInput;
    update :group {                      # replaces the whole record (PUT semantics)
      recordUuid @1 :Text;
      input @2 :RecordInput;
    }
    delete @3 :Text;                     # record uuid
  }
}

# The same after the validator (canonical record, syntactically valid name).
struct ValidChange {
  union {
    create @0 :ValidRecord;
    update :group {
      recordUuid @1 :Text;
      record @2 :ValidRecord;
    }
    delete @3 :Text;
  }
}

# What the client's conditional headers demand of a write (issue 11 item 5;
# pipelines/api/preconditions.h). The store checks it in the write's own
# transaction, so two writes with the same If-Match cannot both pass.
struct Precondition {
  ifMatch @0 :Bool;            # If-Match with entity tags: the target's version must be one of
  versions @1 :List(UInt64);   # these (record: Record.version; zone, change set: Zone.serial);
                               # none listed (only weak or foreign tags): nothing matches
  ifNoneMatch @2 :Bool;        # If-None-Match: * on createRecord: no record with the same
                               # (name, type, value) may exist
}

# A POST's Idempotency-Key (issue 11 item 6; pipelines/store/idempotency.h).
# The store keeps the reply of the first successful command with a key, per
# user, for 24 hours, written in the command's own transaction; the same key
# again with the same requestHash answers that reply (Reply.replayed), with
# another hash idempotencyKeyReused.
struct IdempotencyKey {
  key @0 :Text;          # as the client sent it: 1 to 255 visible ASCII characters
  requestHash @1 :Data;  # SHA-256 of the request (method, path, query, body), from the API
  note @2 :Data;         # kept with the reply and answered with it (Reply.idempotencyNote):
                         # what the API needs to answer it again; may be empty
}

# API -> validator -> store. The validator turns `createZone`/`createRecord`
# (raw input) into `createZoneValid`/`createRecordValid`; the store accepts only
# validated commands, token commands and deletes.
struct Command {
  version @0 :UInt16;
  requestId @1 :UInt64;  # chosen by the sender; echoed in the Reply
  actor @2 :Actor;
  body :union {
    createZone @3 :Text;                 # raw domain input
    createZoneValid @4 :Text;            # normalised domain
    deleteZone @5 :Text;                 # zone uuid
    createRecord :group {
      zoneUuid @6 :Text;
      input @7 :RecordInput;
    }
    createRecordValid :group {
      zoneUuid @8 :Text;
      record @9 :ValidRecord;
    }
    createToken :group {                 # admin CLI (straight to the store), or the API
      userId @10 :Text;                  # through the validator, which sets the actor's user
      permissions @11 :List(Text);
      hash @12 :Data;
      name @19 :Text;
      scope @20 :TokenScope;
      prefix @21 :Text;                  # first 8 characters of the bearer string
    }
    revokeToken @13 :Text;               # token id
    deleteRecord @14 :Text;              # record uuid
    updateRecord :group {                # PUT/PATCH: the API merges a PATCH into the whole record
      recordUuid @15 :Text;
      input @16 :RecordInput;
    }
    updateRecordValid :group {
      recordUuid @17 :Text;
      record @18 :ValidRecord;
    }
    createUser :group {                  # admin CLI only
      name @23 :Text;
      passwordHash @24 :Text;            # Argon2id string; never the password
    }
    disableUser @25 :Text;               # admin CLI only: user name
    setPassword :group {                 # admin CLI only
      name @26 :Text;
      passwordHash @27 :Text;
    }
    revokeOwnToken @28 :Text;            # API: a token id of the actor's own user (else notFound)
    tokensUsed @29 :List(TokenUse);      # API: last uses since its previous report; not logged
    changeSet :group {                   # API: changes to one zone, all or none (issue 11)
      zoneUuid @30 :Text;
      items @31 :List(ChangeInput);      # at most dns::kMaxChangeSetItems
    }
    changeSetValid :group {              # the store applies deletes, then updates, then
      zoneUuid @32 :Text;                # creates, in ONE transaction: one event per item,
      items @33 :List(ValidChange);      # one new SOA serial (Event.setRemaining)
    }
  }
  dryRun @34 :Bool;                      # changeSet only: check and answer as if applied,
                                         # then roll back (nothing logged, no seq used)
  precondition @35 :Precondition;        # absent: unconditional (the validator copies it)
  idempotency @36 :IdempotencyKey;       # absent: none (the validator copies it); ignored
                                         # with dryRun
  scope @22 :TokenScope;                 # the acting token's limits (the API copies them from
                                         # the principal; the store enforces zones, types, names)
}

# API/renderer/CLI -> store query socket. Reads never go through the validator.
struct Query {
  version @0 :UInt16;
  requestId @1 :UInt64;
  userId @2 :Text;       # ownership filter; empty only for internal queries
  body :union {
    authenticate @3 :Data;               # SHA-256 of the bearer string
    listZones :group {
      domain @4 :Text;                   # exact filter; empty = all
      offset @5 :UInt32;
      limit @6 :UInt32;
    }
    getZone @7 :Text;                    # zone uuid; reply `zone` with records
    listRecords :group {
      zoneUuid @8 :Text;                 # empty = every zone of the user
      recordType @9 :Text;               # empty = all types
      offset @10 :UInt32;
      limit @11 :UInt32;
      filter @28 :RecordFilter;          # issue 11: absent = every record (total counts matches)
    }
    getRecord @12 :Text;                 # record uuid
    logSince :group {                    # internal: events with seq > after
      after @13 :UInt64;
      limit @14 :UInt32;
    }
    zoneSnapshot @15 :Text;              # internal: domain -> zone + records, or notFound
    listTokens @16 :Void;                # internal (CLI)
    zoneChanges :group {                 # a zone's events, newest first (owned zones only)
      zoneUuid @17 :Text;
      offset @18 :UInt32;
      limit @19 :UInt32;
    }
    zoneAt :group {                      # reply `zone`: the zone as it was at `serial`,
      zoneUuid @20 :Text;                # rebuilt from the log (owned zones only;
      serial @21 :UInt64;                # notFound unless serial is one of the zone's seqs)
    }
    allZones :group {                    # internal (userId empty): every zone, by domain,
      after @22 :Text;                   # those after this domain (empty: from the first);
      limit @23 :UInt32;                 # reply `zones` (total 0); the renderer's audits
    }
    listUsers @25 :Void;                 # internal (CLI): reply `users`, hashes blanked
    getUser @26 :Text;                   # internal (API login): reply `user` with its hash
    getChange @27 :UInt64;               # one event by seq (the API's change_id), reply `events`
                                         # with that one item: the user's zones only (a deleted
                                         # zone's: the events the user made), else notFound
    zoneSnapshotPage :group {            # internal: one page of a zone's records in key order
      domain @29 :Text;                  # (name, type, uuid); reply `snapshotPage` or notFound.
      after @30 :Data;                   # the previous page's `next` (empty: the first page)
      limit @31 :UInt32;                 # records per page (0: 5,000; at most 20,000). No
                                         # message grows with the zone (issue 8).
      zoneUuid @33 :Text;                # instead of `domain` when set (the API's export)
    }
    idempotentReply @32 :IdempotencyKey; # the user's stored reply for this key (replayed set),
                                         # `ok` when there is none, idempotencyKeyReused when
                                         # the hash differs (a POST that reads before it writes)
  }
  scope @24 :TokenScope;                 # the asking token's limits (zones filter what it sees)
}

struct Reply {
  version @0 :UInt16;
  requestId @1 :UInt64;
  body :union {
    error @2 :Error;
    ok @3 :Void;
    zone :group {                        # zone detail
      zone @4 :Zone;
      records @5 :List(Record);
    }
    zones :group {
      items @6 :List(Zone);
      total @7 :UInt32;
    }
    record @8 :Record;
    records :group {
      items @9 :List(Record);
      total @10 :UInt32;
    }
    principal :group {                   # answer to `authenticate`
      userId @11 :Text;
      tokenId @12 :Text;
      permissions @13 :List(Text);
      scope @19 :TokenScope;
    }
    events :group {                      # answer to `logSince` and `zoneChanges`
      items @14 :List(Event);
      lastSeq @15 :UInt64;               # the newest seq committed, whatever `limit` cut
      total @18 :UInt32;                 # zoneChanges: the zone's event count (0 for logSince)
    }
    tokens @16 :List(Token);             # hashes blanked
    tokenCreated @17 :Token;             # hash blanked
    users @20 :List(User);               # hashes blanked
    user @21 :User;                      # answer to getUser (hash kept: internal)
    snapshotPage :group {                # answer to zoneSnapshotPage
      zone @23 :Zone;                    # as of this page's read (its serial: the version)
      records @24 :List(Record);
      next @25 :Data;                    # pass as `after` for the next page; empty: last page
    }
    changeSet :group {                   # answer to changeSetValid
      zone @26 :Zone;                    # the zone after the set (with dryRun: as it would be)
      changes @27 :List(Event);          # one per item, in the order applied; with dryRun the
                                         # seqs are the ones they would have had
    }
  }
  change @22 :CommitInfo;                # a command that changed a zone: its event (issue 11:
                                         # the API's change_id and zone_serial); else absent
  replayed @28 :Bool;                    # the stored reply of an earlier command with the same
                                         # Idempotency-Key: nothing was applied this time
  idempotencyNote @29 :Data;             # with replayed: IdempotencyKey.note of that command
}

# Narrows a record list (pipelines/store/record_filter.h); every non-empty
# field must match. Names are lower-case, no trailing dot.
struct RecordFilter {
  name @0 :Text;            # the record's name relative to its zone ("@", "www"), or its FQDN
  nameIsAbsolute @1 :Bool;  # the client wrote a trailing dot: `name` is an FQDN only
  value @2 :Text;           # exactly the stored (canonical) value
  nameContains @3 :Text;    # a substring of the relative name
  nameStartswith @4 :Text;  # a prefix of the relative name
}

# What a committed zone change is, for clients that wait until it is served.
struct CommitInfo {
  seq @0 :UInt64;        # the event's seq: the API's change_id
  soaSerial @1 :UInt32;  # the zone's SOA serial after it (for a deletion: see Event.soaSerial)
  zoneUuid @2 :Text;
  domain @3 :Text;
  zoneDeleted @4 :Bool;  # served means "no longer served" then
}

# One committed change. Written to the log in the same LMDB transaction as the
# state it changes, then published on the store's event socket.
struct Event {
  seq @0 :UInt64;        # strictly increasing from 1, no gaps
  time @1 :Int64;        # unix seconds
  actor @2 :Actor;
  zoneUuid @3 :Text;     # empty for token events
  domain @4 :Text;       # empty for token events
  change :union {
    zoneCreated @5 :Zone;
    zoneDeleted @6 :Zone;
    recordCreated @7 :Record;
    recordDeleted @8 :Record;
    recordUpdated :group {
      before @9 :Record;
      after @10 :Record;
    }
    tokenCreated @11 :Token;             # hash kept: replay must rebuild it
    tokenRevoked @12 :Text;
    userCreated @14 :User;               # the password's hash only
    userDisabled @15 :Text;              # user name
    userPasswordChanged :group {
      name @16 :Text;
      passwordHash @17 :Text;
    }
  }
  setRemaining @18 :UInt32;  # events of the same change set that follow this one (same
                             # zone, consecutive seqs, the same soaSerial: the serial of
                             # the whole set); 0 for the last one and for lone changes.
                             # The renderer deploys a set only whole, as one UPDATE.
  soaSerial @13 :UInt32; # the zone's SOA serial after this event (for zoneDeleted: the
                         # serial the deletion would have had); 0 for token events and in
                         # events logged before it was stored (then soaSerial(seq))
}

# One operation of an incremental deploy: a record added to or deleted from
# the zone, as one zone-file line (common/dns/zone_text.h, recordLine).
struct RrOp {
  add @0 :Bool;          # false: delete exactly this record (owner, type, rdata)
  rr @1 :Text;           # `<absolute owner> <ttl> IN <TYPE> <rdata>`
}

# The changes of consecutive events of one zone, in seq order. The pusher
# applies them to the zone named already serves as one RFC 2136 UPDATE, so its
# size is bounded by the renderer (renderer.delta_* limits), never by the zone.
struct DeployDelta {
  ops @0 :List(RrOp);
  soa @1 :Text;          # the SOA line of the new version (its serial = the Deploy's)
}

# Renderer -> pusher: deploy one zone version (or remove the zone).
struct Deploy {
  version @0 :UInt16;
  domain @1 :Text;
  serial @2 :UInt64;     # zone serial (seq); the pusher never deploys an older one over a newer one
  body :union {
    zoneFile @3 :Text;   # whole BIND9 zone file, already checked by named-checkzone
    remove @4 :Void;     # the zone no longer exists
    refused @6 :Text;    # named-checkzone refused this version (its message): nothing is
                         # deployed; the pusher only shows it in the zone's status. Sent once,
                         # without waiting for the ack (a lost one loses only the status note).
    delta @7 :DeployDelta;   # the changes since the version named serves (see DeployAck.needFull)
    zoneFilePart @10 :Text;  # a piece of a whole version too big for one message (issue 8: no
                             # message grows with the zone): pieces `part` 0, 1, ... in order,
                             # the one with `lastPart` set completes it; the pusher joins them and
                             # handles the whole as `zoneFile` (one ack, for the last piece)
  }
  part @11 :UInt32;      # with zoneFilePart: its index, from 0
  lastPart @12 :Bool;    # with zoneFilePart: the last piece
  committedAt @5 :Int64; # unix milliseconds of the newest event included (for lag logging)
  soaSerial @9 :UInt32;  # the version's SOA serial (store's rule, common/dns/serial.h); 0: derive
                         # it from `serial` (a renderer from before it was stored)
  audit @8 :Bool;        # with zoneFile: the version named should serve; the pusher compares
                         # it with named's copy (SOA, then AXFR) and reloads it when they differ
}

struct DeployAck {
  version @0 :UInt16;
  domain @1 :Text;
  serial @2 :UInt64;
  ok @3 :Bool;
  detail @4 :Text;       # why it failed, in the operator's words
  needFull @5 :Bool;     # a delta could not be applied (named does not serve the zone as a
                         # dynamic zone, or the pusher lost its state): send the whole zone
}

# The first message of an exported log file (`zonepipe log export`): a
# Cap'n Proto stream (capnp::writeMessageToFd) of this header followed by
# `count` Event messages, ascending seq from firstSeq to lastSeq, no gaps.
struct LogFileHeader {
  version @0 :UInt16;    # logFileVersion; readers reject another one
  count @1 :UInt64;      # events that follow
  firstSeq @2 :UInt64;   # 0 when count is 0
  lastSeq @3 :UInt64;
}

const logFileVersion :UInt16 = 1;

# API/tests -> pusher status socket (`push.status`, ROUTER bound by the
# pusher): what the nameservers serve for one zone.
struct StatusQuery {
  version @0 :UInt16;
  requestId @1 :UInt64;  # echoed in the StatusReply
  domain @2 :Text;       # lower-case, no trailing dot
}

struct NameserverStatus {
  name @0 :Text;         # from dns.nameservers ("ns1.zonepipe.test")
  address @1 :Text;      # where the pusher asks it ("127.0.0.2")
  answered @2 :Bool;     # it answered the zone's SOA query (false: no answer yet, refused, down)
  serial @3 :UInt32;     # the SOA serial it answers with (when answered)
  inSync @4 :Bool;       # serial == the newest serial the pusher was asked to deploy
  detail @5 :Text;       # why it is not in sync, in the operator's words; empty when in sync
}

struct StatusReply {
  version @0 :UInt16;
  requestId @1 :UInt64;
  domain @2 :Text;
  known @3 :Bool;        # false: the pusher has never deployed this zone (or it was removed)
  deployedSerial @4 :UInt64;  # the newest serial published and loaded by the primary
  wantedSerial @5 :UInt64;    # the newest serial the renderer asked for (> deployedSerial: lag)
  nameservers @6 :List(NameserverStatus);
  lastError @7 :Text;    # the last deploy failure for this zone; empty after a success
  zoneFile @8 :Text;     # no longer filled (export renders from the store): never read it
  reloads @9 :UInt64;    # rndc reload/addzone runs for this zone since the pusher started
  totalReloads @10 :UInt64;   # the same over every zone
}
