#pragma once
// The store's Prometheus metrics (common/metrics/metrics.h):
//   zonepipe_store_commands_total{command, result}   commands applied; result
//       "ok" or the error kind (snake_case of pipeline.capnp's ErrorKind)
//   zonepipe_store_batch_commands                    histogram: commands per
//       group-committed LMDB transaction
//   zonepipe_store_commit_duration_seconds           histogram: applying and
//       durably committing one batch
//   zonepipe_store_queries_total{query}              queries answered
//   zonepipe_store_malformed_frames_total{socket}    frames dropped as not a message
//   zonepipe_store_log_seq                           the newest committed seq
//   zonepipe_store_events_published_total            events sent on store.events
//   zonepipe_store_lmdb_map_size_bytes / _used_bytes / _max_bytes
//   zonepipe_store_writes_refused_for_space          1 while writes answer 507
// Threads: batch() and state() from the writer thread, query() from the query
// thread; none is called under a lock of the store's (see metrics.h).

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <span>

#include "pipelines/store/store.h"

namespace zp::store {

class StoreMetrics {
 public:
  explicit StoreMetrics(prometheus::Registry& registry);

  // One batch the writer applied and committed in `seconds`.
  void batch(std::span<const schema::Command::Reader> commands, const BatchResult& result,
             double seconds);
  // The store's state after a batch (and at start).
  void state(const Store& store);
  void query(schema::Query::Reader query);
  void malformed(const char* socket);

 private:
  prometheus::Family<prometheus::Counter>& commands_;
  prometheus::Family<prometheus::Counter>& queries_;
  prometheus::Family<prometheus::Counter>& malformed_;
  prometheus::Histogram& batchSize_;
  prometheus::Histogram& commit_;
  prometheus::Gauge& seq_;
  prometheus::Counter& published_;
  prometheus::Gauge& mapSize_;
  prometheus::Gauge& mapUsed_;
  prometheus::Gauge& mapMax_;
  prometheus::Gauge& full_;
};

}  // namespace zp::store
