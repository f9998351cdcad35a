#pragma once
// Reads the running store's log through its query socket (logSince pages).
// The range is fixed when opened: the log's first event (1, unless the store
// was created with store.first_seq) to lastSeq as the store reported then;
// later commits are not included (run again to get them).

#include <cstdint>

#include "pipelines/admin/admin.h"
#include "pipelines/replay/log_source.h"

namespace zp::replay {

// Borrows the client, which must outlive it. Not thread-safe.
class StoreLogSource : public LogSource {
 public:
  explicit StoreLogSource(admin::AdminClient& client, uint32_t pageSize = 1000)
      : client_(client), pageSize_(pageSize) {}

  Result<LogRange> open() override;
  Result<std::vector<EventWords>> nextPage() override;

 private:
  admin::AdminClient& client_;
  uint32_t pageSize_;
  LogRange range_;
  uint64_t after_ = 0;             // the last seq delivered
  std::vector<EventWords> first_;  // the page read by open()
};

}  // namespace zp::replay
