#include "pipelines/push/push_metrics.h"

namespace zp::push {
namespace {

using Buckets = prometheus::Histogram::BucketBoundaries;

const Buckets kLatency = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                          0.5,    1,     2.5,    5,     10,   30,    60,   300};

}  // namespace

PushMetrics::PushMetrics(prometheus::Registry& r, const std::vector<std::string>& nameservers)
    : deploys_(prometheus::BuildCounter()
                   .Name("zonepipe_push_deploys_total")
                   .Help("Deploys handled, by kind (delta, zone_file, removal) and result (ok, "
                         "failed).")
                   .Register(r)),
      malformed_(prometheus::BuildCounter()
                     .Name("zonepipe_push_malformed_frames_total")
                     .Help("Frames dropped because they were not the Cap'n Proto message the "
                           "socket carries, by socket (deploy, status).")
                     .Register(r)),
      deployDuration_(prometheus::BuildHistogram()
                          .Name("zonepipe_push_deploy_duration_seconds")
                          .Help("Time to hand one deploy to the primary named (UPDATE, or zone "
                                "file and rndc).")
                          .Register(r)
                          .Add({}, kLatency)),
      upFamily_(prometheus::BuildGauge()
                    .Name("zonepipe_push_nameserver_up")
                    .Help("1 when the nameserver answered the pusher's last SOA query, 0 when "
                          "it did not (named down or unreachable); absent before the first "
                          "query (the pusher asks only about zones it deploys).")
                    .Register(r)),
      names_(nameservers),
      zones_(prometheus::BuildGauge()
                 .Name("zonepipe_push_zones")
                 .Help("Zones the pusher deploys and watches.")
                 .Register(r)
                 .Add({})) {
  auto& served = prometheus::BuildHistogram()
                     .Name("zonepipe_push_served_seconds")
                     .Help(
                         "Time from the commit of a zone version in the store until the "
                         "nameserver serves its SOA serial, by nameserver.")
                     .Register(r);
  auto& outOfSync = prometheus::BuildGauge()
                        .Name("zonepipe_push_zones_out_of_sync")
                        .Help(
                            "Zones whose newest version the nameserver does not serve, by "
                            "nameserver.")
                        .Register(r);
  auto& up = prometheus::BuildGauge()
                 .Name("zonepipe_push_nameserver_up")
                 .Help(
                     "1 when the nameserver answered the pusher's last SOA query, 0 when it "
                     "did not (named down or unreachable).")
                 .Register(r);
  auto& renotified = prometheus::BuildCounter()
                         .Name("zonepipe_push_renotify_total")
                         .Help(
                             "Zones the primary was asked to NOTIFY again because this "
                             "secondary answered behind it for 5 s (it missed a NOTIFY while "
                             "unreachable or down), by nameserver.")
                         .Register(r);
  auto& notified = prometheus::BuildCounter()
                       .Name("zonepipe_push_notifies_total")
                       .Help(
                           "NOTIFYs the pusher sent this secondary (push.notify_interval_ms "
                           "paces them per zone), by nameserver.")
                       .Register(r);
  for (const auto& name : nameservers) {
    renotified_.push_back(&renotified.Add({{"nameserver", name}}));
    notified_.push_back(&notified.Add({{"nameserver", name}}));
    served_.push_back(&served.Add({{"nameserver", name}}, kLatency));
    outOfSync_.push_back(&outOfSync.Add({{"nameserver", name}}));
    up_.push_back(&up.Add({{"nameserver", name}}));
  }
}

void PushMetrics::deploy(const char* kind, bool ok, double seconds) {
  deploys_.Add({{"kind", kind}, {"result", ok ? "ok" : "failed"}}).Increment();
  deployDuration_.Observe(seconds);
}

void PushMetrics::notified(size_t nameserver) {
  if (nameserver < notified_.size()) notified_[nameserver]->Increment();
}

void PushMetrics::renotified(size_t nameserver) {
  if (nameserver < renotified_.size()) renotified_[nameserver]->Increment();
}

void PushMetrics::served(size_t nameserver, double secondsSinceCommit) {
  if (nameserver < served_.size()) served_[nameserver]->Observe(secondsSinceCommit);
}

void PushMetrics::reachable(size_t nameserver, bool up) {
  if (nameserver >= up_.size()) return;
  if (up_[nameserver] == nullptr) {  // the first query's outcome: the series starts here
    up_[nameserver] = &upFamily_.Add({{"nameserver", names_[nameserver]}});
  }
  up_[nameserver]->Set(up ? 1 : 0);
}

void PushMetrics::zones(size_t known, const std::vector<size_t>& outOfSync) {
  zones_.Set(static_cast<double>(known));
  for (size_t i = 0; i < outOfSync.size() && i < outOfSync_.size(); ++i) {
    outOfSync_[i]->Set(static_cast<double>(outOfSync[i]));
  }
}

void PushMetrics::malformed(const char* socket) {
  malformed_.Add({{"socket", socket}}).Increment();
}

}  // namespace zp::push
