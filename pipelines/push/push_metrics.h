#pragma once
// The pusher's Prometheus metrics (common/metrics/metrics.h); `nameserver` is
// the server's name from dns.nameservers (the primary first):
//   zonepipe_push_deploys_total{kind, result}   deploys handled: kind delta,
//       zone_file, removal; result ok or failed
//   zonepipe_push_deploy_duration_seconds        handling one deploy (UPDATE
//       or file + rndc) until the primary has it
//   zonepipe_push_served_seconds{nameserver}     commit (the store's event
//       time) until that nameserver serves the version's SOA serial
//   zonepipe_push_zones                           zones the pusher knows
//   zonepipe_push_zones_out_of_sync{nameserver}  zones whose newest version
//       that nameserver does not serve (yet)
//   zonepipe_push_nameserver_up{nameserver}      1 when the last SOA query to
//       it was answered, 0 after a timeout or a send failure; absent until
//       the first query (there are none without zones)
//   zonepipe_push_renotify_total{nameserver}     zones the primary was asked
//       to NOTIFY again because that secondary answered behind it for 5 s
//       (it missed a NOTIFY: it was unreachable or down; status.h)
//   zonepipe_push_malformed_frames_total{socket} deploy, status
// Thread: the pusher's loop (one per process); series per nameserver are made
// once in the constructor.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>
#include <vector>

namespace zp::push {

class PushMetrics {
 public:
  // `nameservers`: their names, in StatusBook order.
  PushMetrics(prometheus::Registry& registry, const std::vector<std::string>& nameservers);

  void deploy(const char* kind, bool ok, double seconds);
  void served(size_t nameserver, double secondsSinceCommit);
  void reachable(size_t nameserver, bool up);
  void zones(size_t known, const std::vector<size_t>& outOfSync);
  void malformed(const char* socket);
  void renotified(size_t nameserver);
  // The pusher sent `nameserver` (a secondary) a NOTIFY.
  void notified(size_t nameserver);

 private:
  prometheus::Family<prometheus::Counter>& deploys_;
  prometheus::Family<prometheus::Counter>& malformed_;
  prometheus::Histogram& deployDuration_;
  prometheus::Family<prometheus::Gauge>& upFamily_;
  std::vector<std::string> names_;
  prometheus::Gauge& zones_;
  std::vector<prometheus::Histogram*> served_;
  std::vector<prometheus::Gauge*> outOfSync_;
  std::vector<prometheus::Gauge*> up_;
  std::vector<prometheus::Counter*> renotified_;
  std::vector<prometheus::Counter*> notified_;
};

}  // namespace zp::push
