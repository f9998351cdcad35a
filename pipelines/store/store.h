#pragma once
// The store: zonepipe's only writer. It keeps zones, records and tokens in an
// LMDB environment together with a durable, gap-free event log, applies
// validated commands in group-committed batches and answers read queries.
// No sockets here (see server.h), so it can be driven directly in tests.

#include <capnp/message.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "common/config/config.h"
#include "pipelines/store/lmdb.h"
#include "schema/pipeline.capnp.h"

namespace zp::store {

inline constexpr uint64_t kMaxFirstSeq = uint64_t{1} << 63;

struct StoreOptions {
  std::string dir;                   // LMDB environment directory; created when missing
  size_t mapSize = size_t{4} << 30;  // LMDB map size at start (a sparse reservation)
  // When a write finds the map full, the map doubles (no restart: LMDB allows
  // mdb_env_set_mapsize while no transaction is open), up to this ceiling;
  // at the ceiling, or with the disk full, writes answer kInsufficientStorage
  // and reads keep working. 0 = mapSize (never grow).
  size_t mapSizeMax = size_t{64} << 30;
  uint32_t zonesPerUser = 1000;     // quota
  uint32_t recordsPerZone = 10000;  // quota
  // dns.nameservers: a new zone at or above one of them is refused, like the
  // other reserved names (common/dns/reserved.h); empty = only the fixed ones.
  std::vector<std::string> nameservers;
  std::function<int64_t()> clock;  // unix seconds; empty = the system clock
  // The seq of the first event of a NEW store (an empty log); ignored once the
  // log has an event. 1 to 2^63 (kMaxFirstSeq), else the constructor throws
  // std::invalid_argument. For operators continuing another system's numbering
  // and for tests of serials near 2^31 and 2^32 (store.first_seq).
  uint64_t firstSeq = 1;

  static StoreOptions fromConfig(const config::Config& cfg);
};

// What one group-committed batch produced. Replies are flat-array
// schema::Reply messages, one per command in input order; events are the
// flat-array schema::Event messages committed by the batch, ascending seq,
// byte for byte as stored in the log. Publish events only after applyBatch
// returns: by then they are durable.
struct BatchResult {
  std::vector<kj::Array<capnp::word>> replies;
  std::vector<kj::Array<capnp::word>> events;
};

// A reusable read transaction for one thread's queries (renewed per query,
// so a query sees one consistent snapshot and pins no pages in between).
// Not thread-safe: one per querying thread. Must not outlive its Store.
class ReadSession {
 public:
  ReadSession(ReadSession&&) noexcept;
  ReadSession& operator=(ReadSession&&) noexcept;
  ~ReadSession();

 private:
  friend class Store;
  explicit ReadSession(MDB_env* env);
  std::unique_ptr<Txn> txn_;
};

// Owns the LMDB environment (one Store per directory per process).
// Thread-safety: applyBatch from ONE thread only (the writer); query() from
// any number of threads concurrently, each with its own ReadSession.
// Failure: the constructor throws LmdbError naming the directory when the
// environment cannot be opened, std::invalid_argument for a bad firstSeq.
// Command and query outcomes (not found, conflicts, quotas, malformed
// messages, storage failures) are Reply errors; they never throw.
class Store {
 public:
  explicit Store(StoreOptions options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Applies every command in ONE durable LMDB write transaction: a failed
  // command leaves no trace and consumes no seq, and does not disturb the
  // others (commands write straight into the batch transaction; if one fails
  // after its first write, the batch is redone with a child transaction per
  // command). If the final commit fails, every
  // command gets an internal error reply and no event is returned.
  BatchResult applyBatch(std::span<const schema::Command::Reader> commands);

  // Re-applies recorded events (from this store's log elsewhere, or an
  // exported log file) in ONE durable transaction, through the same code that
  // applies commands, with the uuids, token ids, times and seqs the events
  // carry (quotas are not re-checked: the log is the truth). Each event must
  // carry seq lastSeq()+1 and must reproduce itself exactly (same canonical
  // capnp bytes), so the rebuilt log equals the original. On the first event
  // that does not, nothing of the call is written and the error names its
  // seq. LMDB failures throw LmdbError.
  Status replay(std::span<const schema::Event::Reader> events);

  ReadSession newReadSession() const;
  // Answers one query into `reply` (its root becomes a schema::Reply).
  void query(ReadSession& session, schema::Query::Reader query, capnp::MessageBuilder& reply) const;
  // Convenience for tests and tools: a fresh session, flat-array reply.
  kj::Array<capnp::word> query(schema::Query::Reader query) const;

  uint64_t lastSeq() const { return lastSeq_; }  // writer thread only; 0 = empty log
  // The LMDB map size now (grows on a full map, see StoreOptions::mapSizeMax).
  size_t mapSize() const;
  // Bytes of the map in use: the pages up to the last one written (LMDB's
  // me_last_pgno), free pages inside included.
  size_t mapUsed() const;
  size_t mapSizeMax() const { return options_.mapSizeMax; }
  // True while writes are refused for want of space (writer thread only).
  bool full() const { return full_; }
  const std::string& dir() const { return options_.dir; }

 private:
  class Writer;
  class Reader;
  struct Tables;
  void rebuildZoneEvents(Txn& txn, const Tables& t);
  // The seq before the next event: lastSeq_, or firstSeq - 1 for an empty log.
  uint64_t seqBefore() const { return lastSeq_ != 0 ? lastSeq_ : options_.firstSeq - 1; }
  BatchResult applyBatchOnce(std::span<const schema::Command::Reader> commands);
  // Doubles the map (up to mapSizeMax) while no query holds a transaction;
  // false at the ceiling or when LMDB refuses.
  bool growMap();
  bool applyCommands(Txn& parent, std::span<const schema::Command::Reader> commands, int64_t now,
                     bool isolate, BatchResult& out, uint64_t& seq);

  StoreOptions options_;
  MDB_env* env_ = nullptr;
  std::unique_ptr<Tables> tables_;
  uint64_t lastSeq_ = 0;
  bool full_ = false;
  uint32_t replaySetOpen_ = 0;  // replay: events still due of the change set the last call ended in
  // Queries hold it shared while their read transaction is open; growMap
  // holds it exclusively (mdb_env_set_mapsize needs no open transaction).
  mutable std::shared_mutex mapLock_;
};

}  // namespace zp::store
