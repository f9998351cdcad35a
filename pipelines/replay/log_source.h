#pragma once
// Where a replay reads the event log from: pages of flat-array schema::Event
// messages in ascending seq. Implementations: an exported log file
// (log_file.h) and the running store's query socket (store_log_source.h).

#include <capnp/common.h>
#include <kj/array.h>

#include <cstdint>
#include <vector>

#include "common/util/result.h"

namespace zp::replay {

// The seq range a source delivers: firstSeq..lastSeq, `count` events.
struct LogRange {
  uint64_t count = 0;
  uint64_t firstSeq = 0;  // 0 when count is 0
  uint64_t lastSeq = 0;
};

// One flat-array schema::Event message.
using EventWords = kj::Array<capnp::word>;

// A reader of one log, front to back. Not thread-safe. Errors (an unreadable
// file, an unreachable store, a hole in the log) are values naming what to
// check; a source that returned an error is finished.
class LogSource {
 public:
  virtual ~LogSource() = default;
  // Call once, first: what the source will deliver.
  virtual Result<LogRange> open() = 0;
  // The next events in order; empty once every event of the range was read.
  virtual Result<std::vector<EventWords>> nextPage() = 0;
};

}  // namespace zp::replay
