#pragma once
// Thin RAII helpers over the LMDB C API, used only by the store. Every LMDB
// failure is a broken environment (disk, map size, permissions) and throws
// LmdbError naming the operation; "not found" is an expected outcome and is
// returned as an empty optional instead.

#include <lmdb.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace zp::store {

// Thrown for every LMDB failure other than MDB_NOTFOUND. `code()` is the LMDB
// return code (MDB_MAP_FULL, ENOENT, ...).
class LmdbError : public std::runtime_error {
 public:
  LmdbError(const std::string& what, int code);
  int code() const { return code_; }

 private:
  int code_;
};

// Throws LmdbError("<what>: <mdb_strerror>") unless rc == MDB_SUCCESS.
void check(int rc, std::string_view what);

inline MDB_val toVal(std::string_view bytes) {
  return MDB_val{bytes.size(), const_cast<char*>(bytes.data())};
}
inline std::string_view toView(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

// A transaction handle. Owns the MDB_txn until commit() or destruction, which
// aborts. A child transaction (nested write) must end before its parent is
// used again. Not thread-safe; a read transaction may move between threads
// because the environment is opened with MDB_NOTLS.
class Txn {
 public:
  Txn(MDB_env* env, MDB_txn* parent, unsigned flags);
  ~Txn();
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  void commit();
  void abort();
  // A read-only transaction can be parked (reset) and reused (renew).
  void reset();
  void renew();
  MDB_txn* get() const { return txn_; }

  // The value stored under `key`, valid until this transaction ends. A key
  // LMDB could never store (empty, over 511 bytes) is simply not found.
  std::optional<std::string_view> find(MDB_dbi dbi, std::string_view key) const;
  void put(MDB_dbi dbi, std::string_view key, std::string_view value, unsigned flags = 0);
  // Returns false when the key did not exist.
  bool erase(MDB_dbi dbi, std::string_view key);
  // How many put/erase calls were made through this handle (attempts, failed
  // ones included): lets a caller tell whether a failed step wrote anything.
  uint64_t writes() const { return writes_; }

 private:
  MDB_txn* txn_ = nullptr;
  uint64_t writes_ = 0;
};

// A cursor over one database inside one transaction; closed on destruction.
class Cursor {
 public:
  Cursor(const Txn& txn, MDB_dbi dbi);
  ~Cursor();
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;

  // Positions on the first key >= `key`; false when there is none (also for
  // a key too long to store: callers scan prefixes, which then match nothing).
  bool seek(std::string_view key);
  bool first();
  bool last();
  bool next();
  bool prev();
  std::string_view key() const { return toView(key_); }
  std::string_view value() const { return toView(value_); }

 private:
  bool move(MDB_cursor_op op);
  MDB_cursor* cursor_ = nullptr;
  MDB_val key_{0, nullptr};
  MDB_val value_{0, nullptr};
};

// An 8-byte big-endian key, so that LMDB's byte order is numeric order.
std::string encodeU64(uint64_t value);
// Throws LmdbError (a corrupt database) unless `bytes` holds exactly 8 bytes.
uint64_t decodeU64(std::string_view bytes);

}  // namespace zp::store
