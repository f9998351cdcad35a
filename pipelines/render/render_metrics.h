#pragma once
// The renderer's Prometheus metrics (common/metrics/metrics.h):
//   zonepipe_renderer_events_behind      events the store committed that this
//       renderer has not yet seen deployed (newest seq heard - cursor)
//   zonepipe_renderer_cursor_seq         every event up to it is deployed
//   zonepipe_renderer_heard_seq          the newest seq heard from the store
//   zonepipe_renderer_deploys_total{kind}   deploys sent to the pusher: delta,
//       new_zone, zone_file, audit, removal
//   zonepipe_renderer_acks_total{result}    the pusher's answers: ok, failed
//   zonepipe_renderer_checks_total{verdict} named-checkzone runs on whole
//       versions: accepted, refused, failed
//   zonepipe_renderer_malformed_frames_total{socket}  events, store, pusher
// Thread: the renderer's loop (one per process).

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <cstdint>

#include "pipelines/render/renderer.h"

namespace zp::render {

class RenderMetrics {
 public:
  explicit RenderMetrics(prometheus::Registry& registry);

  void deploy(const DeployOrder& order);
  void ack(bool ok);
  void checked(CheckVerdict verdict);
  void malformed(const char* socket);
  // After each turn of the loop.
  void progress(uint64_t cursor, uint64_t heard);

 private:
  prometheus::Family<prometheus::Counter>& deploys_;
  prometheus::Family<prometheus::Counter>& acks_;
  prometheus::Family<prometheus::Counter>& checks_;
  prometheus::Family<prometheus::Counter>& malformed_;
  prometheus::Gauge& behind_;
  prometheus::Gauge& cursor_;
  prometheus::Gauge& heard_;
};

}  // namespace zp::render
