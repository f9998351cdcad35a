#pragma once
// Idempotency keys (issue 11 item 6): the reply of the first successful
// command a user sent with an Idempotency-Key, kept for kIdempotencyTtl so a
// retried POST is answered again instead of applied twice. Written in the
// command's own write transaction (a crash cannot separate the change from
// its key), outside the event log like token_last_used: telemetry of
// requests, not a change of state, so a store rebuilt from the log starts
// without them.
//
// Tables (tables.h):
//   idempotency          user \0 key            -> u64 time | 32-byte hash | Reply flat array
//   idempotency_by_time  u64 time | user \0 key -> ""   (for the purge, oldest first)
// Keys are at most 128 + 1 + 255 + 8 bytes, below LMDB's 511.
//
// Functions over a caller's transaction; no state. Writer thread only for
// remember/purge; lookup from any transaction.

#include <capnp/message.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/util/result.h"
#include "pipelines/store/lmdb.h"
#include "schema/pipeline.capnp.h"

namespace zp::store {

inline constexpr int64_t kIdempotencyTtlSeconds = 24 * 3600;
// Expired keys deleted per write batch: bounded work per commit, and with a
// batch per write it outpaces any rate at which keys can be created.
inline constexpr size_t kIdempotencyPurgePerBatch = 64;

struct IdempotencyTables {
  MDB_dbi byKey = 0;
  MDB_dbi byTime = 0;
};

// The key's syntax: 1 to 255 visible ASCII characters (0x21-0x7e). The API
// refuses others with 400 before anything is sent; the store re-checks.
bool validIdempotencyKey(std::string_view key);

// What a key holds for `userId` at `now`.
struct StoredReply {
  kj::Array<capnp::word> reply;  // the first command's Reply, as stored
};
struct KeyReused {};  // the key holds another request (another hash)
using KeyLookup = std::variant<std::monostate, StoredReply, KeyReused>;  // monostate: unused key

// Expired entries count as unused. Throws LmdbError on storage failures.
KeyLookup lookupKey(const Txn& txn, const IdempotencyTables& t, std::string_view userId,
                    schema::IdempotencyKey::Reader key, int64_t now);

// Stores `reply` (a flat-array Reply) for the user's key at `now`, with the
// key's note as its Reply.idempotencyNote, replacing an expired entry.
void rememberKey(Txn& txn, const IdempotencyTables& t, std::string_view userId,
                 schema::IdempotencyKey::Reader key, const kj::Array<capnp::word>& reply,
                 int64_t now);

// Deletes at most `limit` entries older than kIdempotencyTtlSeconds; returns
// how many it deleted.
size_t purgeExpiredKeys(Txn& txn, const IdempotencyTables& t, int64_t now,
                        size_t limit = kIdempotencyPurgePerBatch);

// `stored` answered again to request `requestId`, with Reply.replayed set.
void replayReply(const kj::Array<capnp::word>& stored, uint64_t requestId,
                 capnp::MessageBuilder& out);

// The 422 of a key used with another request.
Error keyReusedError();

}  // namespace zp::store
