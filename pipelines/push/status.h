#pragma once
// What every nameserver serves, per zone: the pusher's status book. It keeps,
// for each zone, the newest serial deployed and asked for, the last deploy
// error, the reload count, and per nameserver the SOA serial it answers with,
// found by asking each server itself (SoaSocket, in-process UDP; the primary
// is not asked right after a deploy the pusher saw it serve). Zones not
// in sync are asked with backoff (20 ms doubling to 500 ms); zones in sync are
// asked again every minute, so the book stays current when a server loses
// or regains a zone. Each poll touches only the (zone, server) pairs that are
// due (a time-ordered queue), so its cost does not grow with the number of
// zones, and at most 512 queries are in flight at once. Logs one line per zone version per
// nameserver when it is first served, with the time since commit. Not thread-safe: the pusher's
// loop owns it (fd() goes into its poll set).

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <queue>
#include <string>
#include <vector>

#include "common/config/config.h"
#include "pipelines/push/push_metrics.h"
#include "pipelines/push/soa_query.h"

namespace zp::push {

struct Nameserver {
  std::string name;     // "ns1.zonepipe.test"
  std::string address;  // "192.0.2.53", or "127.0.0.1:1054" when the port is not 53
  std::string ip;       // IPv4 the queries go to
  uint16_t port = 0;
};

// The primary first, then the secondaries (dns.secondaries entries are
// ADDRESS or ADDRESS:PORT, port dns.port when left out), named by
// dns.nameservers in order (a server without a configured name is named by
// its address). Throws std::invalid_argument naming a malformed entry.
std::vector<Nameserver> nameserversFrom(const config::Config& cfg);

struct NameserverView {
  Nameserver server;
  bool answered = false;
  uint32_t serial = 0;
  bool inSync = false;
  std::string detail;
};

struct ZoneView {
  bool known = false;
  uint64_t deployedSerial = 0;
  uint64_t wantedSerial = 0;
  std::vector<NameserverView> nameservers;
  std::string lastError;
  uint64_t reloads = 0;
};

// A zone the primary should NOTIFY its secondaries about again.
struct Renotify {
  std::string domain;
  // The secondary does not serve the zone at all: it missed the catalog's change.
  bool catalog = false;
  // "ns3.zonepipe.test (198.18.0.22) serves serial 10, the primary serial 12, for 5 s"
  std::string why;
};

// A secondary behind the primary this long (while answering) gets a new NOTIFY:
// secondaries follow the primary within about a second (bench/README.md).
inline constexpr int64_t kRenotifyAfterMs = 5000;
inline constexpr int64_t kRenotifyEveryMs = 30000;

class StatusBook {
 public:
  // `nowMs` is any monotonic millisecond clock; tests pass their own.
  explicit StatusBook(std::vector<Nameserver> servers);

  int fd() const { return socket_.fd(); }

  // A zone this pusher deployed before it started (its serial file says
  // `serial`): known at once, so a restarted pusher confirms every zone it
  // serves instead of knowing none until each changes or is audited. Until
  // the renderer asks for a version, the version to be in sync with is the
  // SOA serial the primary answers (named keeps applied UPDATEs in its
  // journal, so the primary is the reference). No effect on a known zone.
  void adopt(const std::string& domain, uint64_t serial, int64_t nowMs);
  // The renderer asked for `serial` (it may fail; the lag shows until it lands).
  // `soa` is the version's SOA serial (0: derived from `serial`).
  void wanted(const std::string& domain, uint64_t serial, uint32_t soa = 0);
  // The primary loaded `serial` and the caller saw it serve the version (its
  // UPDATE answered NOERROR, or its SOA after a load), so the primary counts as
  // serving `soa` without being asked; the secondaries are asked 5 ms later,
  // then with backoff. `committedAtMs` is unix ms (for the lag log).
  void deployed(const std::string& domain, uint64_t serial, int64_t committedAtMs, int64_t nowMs,
                uint32_t soa = 0);
  // The secondaries hear of the zone's newest version by a NOTIFY due at
  // `atMs` (NotifyPacer): they are asked from then on, not before, since none
  // can serve it earlier (each question would be one more per deploy).
  void notifyDueAt(const std::string& domain, int64_t atMs);
  // A deploy of the zone failed (empty detail clears the error).
  void failed(const std::string& domain, const std::string& detail);
  void reloaded(const std::string& domain);
  void removed(const std::string& domain);

  // Reads replies (call when fd() is readable) and sends the queries due.
  void poll(int64_t nowMs);
  // Milliseconds until the next query is due (for the poll timeout), at most 1000.
  int64_t nextDueIn(int64_t nowMs) const;

  ZoneView view(const std::string& domain) const;
  // The zones to NOTIFY about again (see above), each once; clears the list.
  std::vector<Renotify> takeRenotify();
  uint64_t totalReloads() const { return totalReloads_; }

  // Reports served latencies and reachability to `metrics` from now on (it
  // must outlive the book), and publishes the zone counts (call now and then:
  // it walks every zone).
  void observe(PushMetrics* metrics) { metrics_ = metrics; }
  void publishCounts() const;

 private:
  struct Served {
    bool answered = false;
    uint32_t serial = 0;
    std::string detail = "not asked yet";
    int64_t dueAt = 0;  // next query (monotonic ms)
    int64_t backoffMs = 0;
    uint16_t queryId = 0;  // the query in flight, when inFlight
    bool inFlight = false;
    int64_t sentAt = 0;
    uint32_t loggedSerial = 0;  // last serial logged as served
    int64_t behindSince = -1;   // a secondary answering behind the primary since (monotonic ms)
  };
  struct Zone {
    bool known = false;
    uint64_t deployedSerial = 0;
    uint64_t wantedSerial = 0;
    uint32_t deployedSoa = 0;  // their SOA serials
    uint32_t wantedSoa = 0;
    int64_t committedAtMs = 0;
    bool adopted = false;  // adopt(): wantedSoa is the primary's next answer
    std::string lastError;
    uint64_t reloads = 0;
    int64_t renotifiedAt = -kRenotifyEveryMs;  // last takeRenotify() entry (monotonic ms)
    std::vector<Served> servers;
  };
  struct Pending {
    std::string domain;
    size_t server = 0;
  };

  Zone& zone(const std::string& domain);
  bool inSync(const Zone& z, const Served& s) const;
  void answer(Zone& z, const std::string& domain, size_t index, const SoaReply& reply,
              int64_t nowMs);
  // Sets the server's next query time and queues it in due_.
  void reschedule(const std::string& domain, size_t index, Zone& z, int64_t nowMs);
  void askNow(const std::string& domain, Zone& z, int64_t nowMs);
  // Asks every secondary 5 ms after a NOTIFY sent at `notifiedAtMs`, then with backoff.
  void askSecondariesAt(const std::string& domain, Zone& z, int64_t notifiedAtMs);
  // After secondary `index` answered: is it still behind the primary, for how long?
  void checkBehind(Zone& z, const std::string& domain, size_t index, int64_t nowMs);

  std::vector<Nameserver> servers_;
  SoaSocket socket_;
  std::map<std::string, Zone> zones_;
  std::map<uint16_t, Pending> pending_;  // query id -> which zone and server
  // When each (zone, server) is due: queries and answer timeouts, earliest
  // first, so poll() touches only what is due (not every zone, per deploy).
  struct Due {
    int64_t at;
    std::string domain;
    size_t server;
    bool operator>(const Due& o) const { return at > o.at; }
  };
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due_;
  bool live(const Zone& z, const Due& d) const;
  std::vector<Renotify> renotify_;
  uint16_t nextId_;
  uint64_t totalReloads_ = 0;
  PushMetrics* metrics_ = nullptr;
};

}  // namespace zp::push
