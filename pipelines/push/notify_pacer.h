#pragma once
// When to NOTIFY the secondaries of a zone (RFC 1996): at once for a change
// to a zone that has been quiet for `intervalMs`, and at most once per
// `intervalMs` while it keeps changing, the changes in between going in one
// trailing NOTIFY at the end of the interval. Each NOTIFY costs every
// secondary an SOA query and an IXFR, and the primary their answers: named's
// own NOTIFY per UPDATE made replication a third of this 2-core machine's CPU
// under 1,000 writes/s to 20 zones (bench/README.md). named's `notify-delay`
// does the same but in whole seconds only. Pure (times are any monotonic
// millisecond clock); not thread-safe: the pusher's loop owns it.

#include <cstdint>
#include <map>
#include <queue>
#include <string>
#include <vector>

namespace zp::push {

class NotifyPacer {
 public:
  // intervalMs 0: every change at once.
  explicit NotifyPacer(int64_t intervalMs) : intervalMs_(intervalMs) {}

  // `domain` changed on the primary. True: NOTIFY now (the call counts as
  // sent). False: a NOTIFY is due within the interval (due() returns it).
  bool changed(const std::string& domain, int64_t nowMs);
  // The zones whose trailing NOTIFY is due at `nowMs`, each counted as sent.
  std::vector<std::string> due(int64_t nowMs);
  // Milliseconds until the next trailing NOTIFY is due, at most `atMost`.
  int64_t nextDueIn(int64_t nowMs, int64_t atMost) const;
  // When the zone's trailing NOTIFY is due (-1: none is pending).
  int64_t pendingAt(const std::string& domain) const;
  // The zone is gone: nothing more is sent for it.
  void forget(const std::string& domain);
  size_t pending() const { return pending_.size(); }
  size_t tracked() const { return lastSent_.size(); }  // zones it remembers a NOTIFY time for

 private:
  int64_t intervalMs_;
  std::map<std::string, int64_t> lastSent_;  // zone -> when its last NOTIFY went
  std::map<std::string, int64_t> pending_;   // zone -> when its trailing NOTIFY is due
  // Trailing NOTIFYs, earliest first: (due at, zone). An entry that no longer
  // matches pending_ (the zone was forgotten, or NOTIFYed at once meanwhile)
  // is skipped when it comes up.
  using Due = std::pair<int64_t, std::string>;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> queue_;
  // Zones quiet for longer than the interval are dropped now and then, so
  // lastSent_ does not keep every zone ever changed.
  int64_t lastSweep_ = 0;
  void sweep(int64_t nowMs);
};

}  // namespace zp::push
