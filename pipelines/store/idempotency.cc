#include "pipelines/store/idempotency.h"

#include <capnp/serialize.h>

#include <cstring>
#include <vector>

#include "pipelines/store/tables.h"

namespace zp::store {
namespace {

constexpr size_t kHashBytes = 32;
constexpr size_t kHeaderBytes = 8 + kHashBytes;  // time, hash

std::string_view hashOf(schema::IdempotencyKey::Reader key) {
  auto h = key.getRequestHash();
  return {reinterpret_cast<const char*>(h.begin()), h.size()};
}

std::string keyOf(std::string_view userId, schema::IdempotencyKey::Reader key) {
  return joinKey({userId, std::string_view(key.getKey().cStr(), key.getKey().size())});
}

}  // namespace

bool validIdempotencyKey(std::string_view key) {
  if (key.empty() || key.size() > 255) return false;
  for (const char c : key) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

KeyLookup lookupKey(const Txn& txn, const IdempotencyTables& t, std::string_view userId,
                    schema::IdempotencyKey::Reader key, int64_t now) {
  auto value = txn.find(t.byKey, keyOf(userId, key));
  if (!value) return std::monostate{};
  if (value->size() < kHeaderBytes || (value->size() - kHeaderBytes) % sizeof(capnp::word) != 0) {
    throw LmdbError("corrupt store: a stored idempotency key is malformed", MDB_CORRUPTED);
  }
  const auto time = static_cast<int64_t>(decodeU64(value->substr(0, 8)));
  if (now - time >= kIdempotencyTtlSeconds) return std::monostate{};
  if (value->substr(8, kHashBytes) != hashOf(key)) return KeyReused{};
  const std::string_view bytes = value->substr(kHeaderBytes);
  auto words = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
  std::memcpy(words.asBytes().begin(), bytes.data(), bytes.size());
  return StoredReply{std::move(words)};
}

void rememberKey(Txn& txn, const IdempotencyTables& t, std::string_view userId,
                 schema::IdempotencyKey::Reader key, const kj::Array<capnp::word>& reply,
                 int64_t now) {
  if (hashOf(key).size() != kHashBytes) {
    throw std::logic_error("an idempotency key without a SHA-256 request hash");
  }
  const std::string k = keyOf(userId, key);
  // An expired entry of the same key: its time index entry goes with it.
  if (auto old = txn.find(t.byKey, k); old && old->size() >= 8) {
    txn.erase(t.byTime, std::string(old->substr(0, 8)) + k);
  }
  capnp::FlatArrayMessageReader reader(reply);
  capnp::MallocMessageBuilder copy;
  copy.setRoot(reader.getRoot<schema::Reply>());
  if (key.getNote().size() != 0) {
    copy.getRoot<schema::Reply>().setIdempotencyNote(key.getNote());
  }
  const auto flat = capnp::messageToFlatArray(copy);
  const auto flatBytes = flat.asBytes();
  std::string value = encodeU64(static_cast<uint64_t>(now));
  value.append(hashOf(key));
  value.append(reinterpret_cast<const char*>(flatBytes.begin()), flatBytes.size());
  txn.put(t.byKey, k, value);
  txn.put(t.byTime, encodeU64(static_cast<uint64_t>(now)) + k, "");
}

size_t purgeExpiredKeys(Txn& txn, const IdempotencyTables& t, int64_t now, size_t limit) {
  std::vector<std::string> expired;
  {
    Cursor c(txn, t.byTime);
    for (bool ok = c.first(); ok && expired.size() < limit; ok = c.next()) {
      if (c.key().size() < 8) continue;
      const auto time = static_cast<int64_t>(decodeU64(c.key().substr(0, 8)));
      if (now - time < kIdempotencyTtlSeconds) break;
      expired.emplace_back(c.key());
    }
  }
  for (const auto& k : expired) {
    txn.erase(t.byTime, k);
    const std::string_view byKey = std::string_view(k).substr(8);
    // A key used again after expiring has a newer entry: keep it.
    auto value = txn.find(t.byKey, byKey);
    if (value && value->substr(0, 8) == std::string_view(k).substr(0, 8)) {
      txn.erase(t.byKey, byKey);
    }
  }
  return expired.size();
}

void replayReply(const kj::Array<capnp::word>& stored, uint64_t requestId,
                 capnp::MessageBuilder& out) {
  capnp::FlatArrayMessageReader reader(stored);
  out.setRoot(reader.getRoot<schema::Reply>());
  auto reply = out.getRoot<schema::Reply>();
  reply.setRequestId(requestId);
  reply.setReplayed(true);
}

Error keyReusedError() {
  return {ErrorKind::kIdempotencyKeyReused, "Idempotency-Key",
          "this Idempotency-Key was used in the last 24 hours for another request (another "
          "method, path or body); use a new key for a new request"};
}

}  // namespace zp::store
