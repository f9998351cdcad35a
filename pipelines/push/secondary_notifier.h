#pragma once
// The pusher NOTIFYs the secondaries itself (RFC 1996), paced per zone by
// NotifyPacer, instead of named sending one NOTIFY per UPDATE: zones it adds
// carry `notify no;` (Pusher::zoneConfig). The NOTIFYs leave a UDP socket
// bound to the primary's address, because a secondary takes a NOTIFY from an
// address in its zone's primaries list (BIND 9.18 lib/dns/zone.c,
// dns_zone_notifyreceive: address only) and every member zone's primary is
// the catalog's `default-primaries`. When the pusher's host does not have
// that address (the pusher on another host), open() fails and named keeps
// sending its own NOTIFYs. A lost NOTIFY (UDP) is made up for by the status
// book: a secondary behind for 5 s is NOTIFYed again (Pusher::renotify).
// Answers are read and dropped. Not thread-safe: the pusher's loop owns it.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/util/result.h"
#include "pipelines/push/notify_pacer.h"
#include "pipelines/push/push_metrics.h"
#include "pipelines/push/soa_query.h"
#include "pipelines/push/status.h"

namespace zp::push {

// A NOTIFY for `zone` (opcode 4, AA, one SOA question, no answer: the
// secondary asks the primary's SOA itself). Errors as buildSoaQuery's.
Result<std::string> buildNotify(uint16_t id, const std::string& zone);

class SecondaryNotifier {
 public:
  // `secondaries`: the nameservers after the primary (nameserversFrom()[1..];
  // the metrics count the first as nameserver 1). Errors when one is not an
  // IPv4 address, or when no socket can be bound to `primaryIp` (port 0):
  // then named must NOTIFY.
  static Result<std::unique_ptr<SecondaryNotifier>> open(const std::string& primaryIp,
                                                         std::vector<Nameserver> secondaries,
                                                         int64_t intervalMs);
  ~SecondaryNotifier();
  SecondaryNotifier(const SecondaryNotifier&) = delete;
  SecondaryNotifier& operator=(const SecondaryNotifier&) = delete;

  // `domain` changed on the primary: NOTIFY now (nullopt), or at the end of
  // its interval (the time, for the status book: no secondary can serve the
  // change before).
  std::optional<int64_t> changed(const std::string& domain, int64_t nowMs);
  // NOTIFY now, whatever the pacing (a secondary missed one).
  void now(const std::string& domain);
  void removed(const std::string& domain) { pacer_.forget(domain); }
  // Sends the trailing NOTIFYs due and drops the secondaries' answers.
  void poll(int64_t nowMs);
  // Milliseconds until poll() has something to send, at most `atMost`.
  int64_t nextDueIn(int64_t nowMs, int64_t atMost) const { return pacer_.nextDueIn(nowMs, atMost); }
  int fd() const { return fd_; }
  void observe(PushMetrics* metrics) { metrics_ = metrics; }

 private:
  struct Target {
    Nameserver server;
    sockaddr_in address;  // parsed once, at open()
  };
  SecondaryNotifier(int fd, std::vector<Target> targets, int64_t intervalMs);
  void send(const std::string& domain);

  int fd_;
  std::vector<Target> targets_;
  NotifyPacer pacer_;
  uint16_t nextId_;
  PushMetrics* metrics_ = nullptr;
};

}  // namespace zp::push
