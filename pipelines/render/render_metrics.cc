#include "pipelines/render/render_metrics.h"

#include "common/metrics/families.h"

namespace zp::render {
namespace {

using metrics::counters;
using metrics::gauge;

const char* kindOf(const DeployOrder& order) {
  if (order.skeleton) return "new_zone";
  if (order.zoneFile) return order.audit ? "audit" : "zone_file";
  if (order.delta) return "delta";
  return "removal";
}

}  // namespace

RenderMetrics::RenderMetrics(prometheus::Registry& r)
    : deploys_(counters(r, "zonepipe_renderer_deploys_total",
                        "Deploys sent to the pusher, by kind (delta, new_zone, zone_file, audit, "
                        "removal).")),
      acks_(counters(r, "zonepipe_renderer_acks_total",
                     "The pusher's answers to deploys, by result (ok, failed).")),
      checks_(counters(r, "zonepipe_renderer_checks_total",
                       "named-checkzone runs on whole zone versions, by verdict (accepted, "
                       "refused, failed).")),
      malformed_(counters(r, "zonepipe_renderer_malformed_frames_total",
                          "Frames dropped because they were not the Cap'n Proto message the "
                          "socket carries, by socket (events, store, pusher).")),
      behind_(gauge(r, "zonepipe_renderer_events_behind",
                    "Events the store committed that are not yet deployed by this renderer "
                    "(newest seq heard minus the cursor).")),
      cursor_(gauge(r, "zonepipe_renderer_cursor_seq",
                    "Every event up to this seq is deployed (or touched none of this "
                    "renderer's zones).")),
      heard_(gauge(r, "zonepipe_renderer_heard_seq", "The newest seq heard from the store.")) {}

void RenderMetrics::deploy(const DeployOrder& order) {
  deploys_.Add({{"kind", kindOf(order)}}).Increment();
}

void RenderMetrics::ack(bool ok) { acks_.Add({{"result", ok ? "ok" : "failed"}}).Increment(); }

void RenderMetrics::checked(CheckVerdict verdict) {
  const char* name = verdict == CheckVerdict::kAccepted  ? "accepted"
                     : verdict == CheckVerdict::kRefused ? "refused"
                                                         : "failed";
  checks_.Add({{"verdict", name}}).Increment();
}

void RenderMetrics::malformed(const char* socket) {
  malformed_.Add({{"socket", socket}}).Increment();
}

void RenderMetrics::progress(uint64_t cursor, uint64_t heard) {
  if (heard < cursor) heard = cursor;
  cursor_.Set(static_cast<double>(cursor));
  heard_.Set(static_cast<double>(heard));
  behind_.Set(static_cast<double>(heard - cursor));
}

}  // namespace zp::render
