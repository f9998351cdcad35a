#pragma once
// The store's private on-disk layout: named databases, key encodings and the
// decoding of stored capnp values. Only pipelines/store/*.cc include this.
//
// Keys join parts with '\0' (no part may contain '\0': ids, domains and names
// never do, and user ids are checked), so LMDB's byte order gives the listing
// orders: zones by domain, records by name, type, uuid.
//   zones             zone uuid                        -> capnp Zone
//   zone_by_domain    domain                           -> zone uuid
//   zone_by_owner     owner \0 domain                  -> zone uuid
//   owners            owner                            -> u64 zone count
//   records           record uuid                      -> capnp Record
//   zone_records      zone \0 name \0 TYPE \0 uuid     -> ""
//   zone_type_records zone \0 TYPE \0 name \0 uuid     -> ""
//   type_counts       zone \0 TYPE                     -> u64 record count
//   tokens            token id                         -> capnp Token (hash kept)
//   token_by_hash     sha-256 (32 bytes)               -> token id (live tokens only)
//   token_last_used   token id                         -> u64 unix seconds (telemetry from
//                     the APIs' tokensUsed reports; not in the log, not replayed)
//   users             user name                        -> capnp User (password hash kept)
//   log               seq (u64 big-endian)             -> capnp Event
//   idempotency, idempotency_by_time: the POSTs' Idempotency-Keys (idempotency.h;
//                     outside the log, not replayed)
//   zone_events       zone \0 seq (u64 big-endian)     -> "" (live zones only: a
//                     deleted zone's entries go with it; rebuilt from the log
//                     when a store written before this index is opened)
// Keys stay below LMDB's 511 bytes: owner <= 128, domain + name <= 255,
// uuids 36, TYPE <= 5.

#include <capnp/serialize.h>

#include <cstring>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "pipelines/store/idempotency.h"
#include "pipelines/store/lmdb.h"
#include "pipelines/store/store.h"

namespace zp::store {

struct Store::Tables {
  MDB_dbi zones = 0;
  MDB_dbi zoneByDomain = 0;
  MDB_dbi zoneByOwner = 0;
  MDB_dbi owners = 0;
  MDB_dbi records = 0;
  MDB_dbi zoneRecords = 0;
  MDB_dbi zoneTypeRecords = 0;
  MDB_dbi typeCounts = 0;
  MDB_dbi tokens = 0;
  MDB_dbi tokenByHash = 0;
  MDB_dbi log = 0;
  MDB_dbi zoneEvents = 0;
  MDB_dbi users = 0;
  MDB_dbi tokenLastUsed = 0;
  IdempotencyTables idempotency;
};

inline constexpr size_t kMaxUserIdOctets = 128;
inline constexpr size_t kMaxTokenNameOctets = 200;
inline constexpr uint32_t kDefaultListLimit = 100;
inline constexpr uint32_t kMaxListLimit = 10000;
inline constexpr uint32_t kDefaultLogLimit = 1000;
inline constexpr uint32_t kMaxLogLimit = 10000;
inline constexpr uint32_t kDefaultChangesLimit = 100;
inline constexpr uint32_t kMaxChangesLimit = 1000;

// Parts joined with '\0'; `trailing` adds a final '\0' (a prefix for scans).
inline std::string joinKey(std::initializer_list<std::string_view> parts, bool trailing = false) {
  std::string key;
  size_t size = parts.size();
  for (auto p : parts) size += p.size();
  key.reserve(size);
  bool first = true;
  for (auto p : parts) {
    if (!first) key.push_back('\0');
    key.append(p);
    first = false;
  }
  if (trailing) key.push_back('\0');
  return key;
}

// The text after the last '\0' of a key (the uuid of index keys).
inline std::string_view lastPart(std::string_view key) {
  const size_t pos = key.rfind('\0');
  return pos == std::string_view::npos ? key : key.substr(pos + 1);
}

// zone_events key: zone uuid, '\0', seq big-endian.
inline std::string zoneEventKey(std::string_view zoneUuid, uint64_t seq) {
  std::string key(zoneUuid);
  key.push_back('\0');
  key.append(encodeU64(seq));
  return key;
}

inline bool hasPrefix(std::string_view key, std::string_view prefix) {
  return key.substr(0, prefix.size()) == prefix;
}

// Decodes stored values. LMDB hands out 2-byte aligned pointers into the map,
// so each value is copied into a reusable word-aligned buffer first. A root
// returned by decode() is valid until the next decode() on the same object.
class ValueDecoder {
 public:
  template <typename T>
  typename T::Reader decode(std::string_view bytes) {
    if (bytes.size() % sizeof(capnp::word) != 0 || bytes.empty()) {
      throw LmdbError(
          "corrupt store: a stored value is not a whole capnp message; restore the "
          "store directory from a backup",
          MDB_CORRUPTED);
    }
    const size_t words = bytes.size() / sizeof(capnp::word);
    if (buffer_.size() < words) buffer_ = kj::heapArray<capnp::word>(words * 2);
    std::memcpy(buffer_.asBytes().begin(), bytes.data(), bytes.size());
    reader_.emplace(buffer_.slice(0, words), options());
    return reader_->getRoot<T>();
  }

 private:
  static capnp::ReaderOptions options() {
    capnp::ReaderOptions o;
    o.traversalLimitInWords = uint64_t{1} << 26;  // our own data: generous
    return o;
  }
  kj::Array<capnp::word> buffer_;
  std::optional<capnp::FlatArrayMessageReader> reader_;
};

inline std::string_view asBytes(const kj::Array<capnp::word>& words) {
  auto b = words.asBytes();
  return {reinterpret_cast<const char*>(b.begin()), b.size()};
}

}  // namespace zp::store
