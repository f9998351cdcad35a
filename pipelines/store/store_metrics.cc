#include "pipelines/store/store_metrics.h"

#include <capnp/serialize.h>

#include "common/metrics/capnp_labels.h"
#include "common/metrics/families.h"

namespace zp::store {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildHistogram;

using metrics::gauge;

// The outcome of one reply: "ok" or the error kind.
std::string outcome(const kj::Array<capnp::word>& reply) {
  capnp::FlatArrayMessageReader reader(reply);
  auto body = reader.getRoot<schema::Reply>().getBody();
  if (!body.isError()) return "ok";
  return metrics::enumerant(body.getError().getKind());
}

}  // namespace

StoreMetrics::StoreMetrics(prometheus::Registry& r)
    : commands_(metrics::counters(r, "zonepipe_store_commands_total",
                                  "Commands the store applied, by command and result (ok or the "
                                  "error kind).")),
      queries_(metrics::counters(r, "zonepipe_store_queries_total",
                                 "Queries the store answered, by query.")),
      malformed_(metrics::counters(r, "zonepipe_store_malformed_frames_total",
                                   "Frames dropped because they were not a Cap'n Proto message of "
                                   "the socket's type, by socket.")),
      batchSize_(BuildHistogram()
                     .Name("zonepipe_store_batch_commands")
                     .Help("Commands per group-committed LMDB write transaction.")
                     .Register(r)
                     .Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 4, 8, 16, 32, 64, 128,
                                                                      256, 512, 1024})),
      commit_(BuildHistogram()
                  .Name("zonepipe_store_commit_duration_seconds")
                  .Help("Time to apply and durably commit one batch of commands.")
                  .Register(r)
                  .Add({}, prometheus::Histogram::BucketBoundaries{0.0001, 0.00025, 0.0005, 0.001,
                                                                   0.0025, 0.005, 0.01, 0.025, 0.05,
                                                                   0.1, 0.25, 0.5, 1, 2.5})),
      seq_(gauge(r, "zonepipe_store_log_seq", "The seq of the newest event in the log.")),
      published_(BuildCounter()
                     .Name("zonepipe_store_events_published_total")
                     .Help("Committed events published on store.events.")
                     .Register(r)
                     .Add({})),
      mapSize_(gauge(r, "zonepipe_store_lmdb_map_size_bytes",
                     "The LMDB map size now (it doubles by itself when full, up to the max).")),
      mapUsed_(gauge(r, "zonepipe_store_lmdb_map_used_bytes",
                     "Bytes of the LMDB map in use (up to the last page written).")),
      mapMax_(gauge(r, "zonepipe_store_lmdb_map_max_bytes",
                    "The ceiling the LMDB map may grow to (store.map_size_max).")),
      full_(gauge(r, "zonepipe_store_writes_refused_for_space",
                  "1 while writes are refused with 507 because the disk or "
                  "store.map_size_max is full; raise the ceiling or free disk space.")) {}

void StoreMetrics::batch(std::span<const schema::Command::Reader> commands,
                         const BatchResult& result, double seconds) {
  batchSize_.Observe(static_cast<double>(commands.size()));
  commit_.Observe(seconds);
  for (size_t i = 0; i < commands.size() && i < result.replies.size(); ++i) {
    commands_
        .Add({{"command", metrics::unionMember(commands[i].getBody())},
              {"result", outcome(result.replies[i])}})
        .Increment();
  }
  published_.Increment(static_cast<double>(result.events.size()));
}

void StoreMetrics::state(const Store& store) {
  seq_.Set(static_cast<double>(store.lastSeq()));
  mapSize_.Set(static_cast<double>(store.mapSize()));
  mapUsed_.Set(static_cast<double>(store.mapUsed()));
  mapMax_.Set(static_cast<double>(store.mapSizeMax()));
  full_.Set(store.full() ? 1 : 0);
}

void StoreMetrics::query(schema::Query::Reader query) {
  queries_.Add({{"query", metrics::unionMember(query.getBody())}}).Increment();
}

void StoreMetrics::malformed(const char* socket) {
  malformed_.Add({{"socket", socket}}).Increment();
}

}  // namespace zp::store
