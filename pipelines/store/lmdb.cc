#include "pipelines/store/lmdb.h"

namespace zp::store {
namespace {

// LMDB refuses empty keys and keys over 511 bytes (its default build). Such a
// key can never have been stored, so a lookup for one finds nothing; peer
// input (ids, domains) reaches lookups unchecked and must not look like a
// storage failure.
bool storableKey(std::string_view key) { return !key.empty() && key.size() <= 511; }

}  // namespace

LmdbError::LmdbError(const std::string& what, int code) : std::runtime_error(what), code_(code) {}

void check(int rc, std::string_view what) {
  if (rc == MDB_SUCCESS) return;
  throw LmdbError(std::string(what) + ": " + mdb_strerror(rc), rc);
}

Txn::Txn(MDB_env* env, MDB_txn* parent, unsigned flags) {
  check(mdb_txn_begin(env, parent, flags, &txn_), "cannot begin an LMDB transaction");
}

Txn::~Txn() { abort(); }

void Txn::commit() {
  MDB_txn* t = txn_;
  txn_ = nullptr;
  check(mdb_txn_commit(t), "cannot commit to LMDB (disk full, or storeMapSize too small?)");
}

void Txn::abort() {
  if (txn_ != nullptr) mdb_txn_abort(txn_);
  txn_ = nullptr;
}

void Txn::reset() { mdb_txn_reset(txn_); }
void Txn::renew() { check(mdb_txn_renew(txn_), "cannot renew an LMDB read transaction"); }

std::optional<std::string_view> Txn::find(MDB_dbi dbi, std::string_view key) const {
  if (!storableKey(key)) return std::nullopt;
  MDB_val k = toVal(key);
  MDB_val v{0, nullptr};
  const int rc = mdb_get(txn_, dbi, &k, &v);
  if (rc == MDB_NOTFOUND) return std::nullopt;
  check(rc, "cannot read from LMDB");
  return toView(v);
}

void Txn::put(MDB_dbi dbi, std::string_view key, std::string_view value, unsigned flags) {
  ++writes_;
  MDB_val k = toVal(key);
  MDB_val v = toVal(value);
  check(mdb_put(txn_, dbi, &k, &v, flags),
        "cannot write to LMDB (raise storeMapSize if the map is full)");
}

bool Txn::erase(MDB_dbi dbi, std::string_view key) {
  if (!storableKey(key)) return false;
  ++writes_;
  MDB_val k = toVal(key);
  const int rc = mdb_del(txn_, dbi, &k, nullptr);
  if (rc == MDB_NOTFOUND) return false;
  check(rc, "cannot delete from LMDB");
  return true;
}

Cursor::Cursor(const Txn& txn, MDB_dbi dbi) {
  check(mdb_cursor_open(txn.get(), dbi, &cursor_), "cannot open an LMDB cursor");
}

Cursor::~Cursor() { mdb_cursor_close(cursor_); }

bool Cursor::move(MDB_cursor_op op) {
  const int rc = mdb_cursor_get(cursor_, &key_, &value_, op);
  if (rc == MDB_NOTFOUND) return false;
  check(rc, "cannot move an LMDB cursor");
  return true;
}

bool Cursor::seek(std::string_view key) {
  if (key.size() > 511) return false;
  if (key.empty()) return first();
  key_ = toVal(key);
  return move(MDB_SET_RANGE);
}
bool Cursor::first() { return move(MDB_FIRST); }
bool Cursor::last() { return move(MDB_LAST); }
bool Cursor::next() { return move(MDB_NEXT); }
bool Cursor::prev() { return move(MDB_PREV); }

std::string encodeU64(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  return out;
}

uint64_t decodeU64(std::string_view bytes) {
  if (bytes.size() != 8) {
    throw LmdbError("corrupt store: an 8-byte number has " + std::to_string(bytes.size()) +
                        " bytes; restore the store directory from a backup",
                    MDB_CORRUPTED);
  }
  uint64_t v = 0;
  for (char c : bytes) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

}  // namespace zp::store
