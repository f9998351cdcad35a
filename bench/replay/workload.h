#pragma once
// The replay benchmark's workload: a big, realistic event log made by driving
// a real Store with validated commands in large batches (so every event is
// exactly what the store produces and replays byte for byte), and a
// LogSource that reads that store's log in-process, so the exported file is
// written by the same code as `zonepipe log export`.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/util/result.h"
#include "pipelines/replay/log_source.h"
#include "pipelines/store/store.h"

namespace zp::bench {

struct WorkloadOptions {
  uint64_t events = 1'000'000;  // exact length of the log
  uint32_t zones = 10'000;      // zones created up front, spread over `users`
  uint32_t users = 10;          // one token each, created first
  uint32_t batch = 5'000;       // commands per applyBatch (one durable commit)
};

// What generateWorkload produced. events == tokens + zones + recordsCreated +
// recordsUpdated + recordsDeleted.
struct WorkloadStats {
  uint64_t events = 0;
  uint64_t tokens = 0;
  uint64_t zones = 0;
  uint64_t recordsCreated = 0;
  uint64_t recordsUpdated = 0;
  uint64_t recordsDeleted = 0;
  uint64_t liveRecords = 0;
  uint64_t batches = 0;
};

// Drives `store`, which must be empty, until its log holds exactly
// options.events events: a token per user, the zones, then rounds over the
// zones where each zone gets one record change per round (create while a zone
// has few records, otherwise create 50%, update 30%, delete 20%), over A,
// AAAA, MX, TXT, CNAME, SRV and CAA records made canonical by
// dns::validateRecord. Deterministic for given options. `progress` (may be
// empty) is called with the store's lastSeq after each batch. Errors: bad
// options, a store that is not empty, or a command the store refused (a bug
// in the generator: the log would not have the promised length). Not
// thread-safe (it is the store's writer for the duration).
Result<WorkloadStats> generateWorkload(store::Store& store, const WorkloadOptions& options,
                                       const std::function<void(uint64_t)>& progress = {});

// Reads a Store's whole log (1..lastSeq at open) through Store::query
// (logSince pages), in the process; the counterpart of replay::StoreLogSource
// without the query socket. Borrows the store, which must outlive it and must
// not be written meanwhile. Not thread-safe.
class InProcessLogSource : public replay::LogSource {
 public:
  explicit InProcessLogSource(const store::Store& store, uint32_t pageSize = 10'000)
      : store_(store), pageSize_(pageSize) {}

  Result<replay::LogRange> open() override;
  Result<std::vector<replay::EventWords>> nextPage() override;

 private:
  const store::Store& store_;
  uint32_t pageSize_;
  replay::LogRange range_;
  uint64_t after_ = 0;  // the last seq delivered
};

}  // namespace zp::bench
