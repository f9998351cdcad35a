#pragma once
// RFC 2136 dynamic UPDATE of a zone on the primary named, signed with TSIG
// (RFC 8945, libknot's signer and checker), over one kept-open TCP
// connection (RFC 7766; reopened once when named has closed it, e.g. after
// its tcp-idle-timeout). This is how a change reaches named without a zone
// file, a named-checkzone run or a reload: named applies the records to its
// copy of the zone, writes its journal, answers, and NOTIFYs the
// secondaries, which transfer it by IXFR.
//
// ZoneUpdater is the seam (the pusher's tests use a fake); DnsUpdater talks
// to named. One thread uses a DnsUpdater; it never throws for network or
// protocol trouble (those are results).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "common/util/result.h"
#include "pipelines/push/rndc_protocol.h"
#include "pipelines/push/rr_wire.h"

namespace zp::push {

struct UpdateOp {
  bool add = true;  // false: delete exactly this record (class NONE, RFC 2136 section 2.5.4)
  std::string rr;   // one zone-file line with an absolute owner (common/dns/zone_text.h)
};

// The same in wire form (the audit's repairs are computed from a transfer).
struct WireOp {
  bool add = true;
  WireRr rr;
};

struct UpdateOutcome {
  enum class Kind {
    kApplied,     // NOERROR: named serves the new version
    kNotDynamic,  // NOTAUTH/REFUSED/NOTZONE: named does not take updates for this zone (not
                  // loaded, or loaded as a static zone): load the whole zone instead
    kFailed,      // network, timeout, SERVFAIL, a bad answer: try again later
  };
  Kind kind = Kind::kFailed;
  std::string detail;  // what happened, in the operator's words; empty when applied
};

// One UPDATE of several sent together (ZoneUpdater::applyEach).
struct ZoneChange {
  std::string zone;                  // normalised domain, no trailing dot
  const std::vector<UpdateOp>* ops;  // in order; not owned, outlives the call
  std::string soa;                   // the new SOA line, or empty (as for apply)
};

class ZoneUpdater {
 public:
  virtual ~ZoneUpdater() = default;
  // Applies `ops` in order, then `soa` (the new SOA line: named replaces its
  // SOA when the serial is greater, RFC 2136 section 3.4.2.2), as one UPDATE
  // of `zone` (normalised domain, no trailing dot). `soa` may be empty (the
  // catalog zone: named then increments the serial itself).
  virtual UpdateOutcome apply(const std::string& zone, const std::vector<UpdateOp>& ops,
                              const std::string& soa) = 0;
  // Each change as its own UPDATE, all sent before the first answer is read
  // (RFC 7766 section 6.2.1.1 pipelining), so named applies changes to
  // different zones side by side (each zone's journal write and sync in
  // parallel on its worker threads) instead of one after another. The
  // outcomes are in the order of `changes`; one zone at most once (named may
  // apply pipelined requests in any order). This default applies them one at
  // a time.
  virtual std::vector<UpdateOutcome> applyEach(const std::vector<ZoneChange>& changes) {
    std::vector<UpdateOutcome> out;
    out.reserve(changes.size());
    for (const auto& c : changes) out.push_back(apply(c.zone, *c.ops, c.soa));
    return out;
  }
  // The same with records in wire form (`ops` in order, an SOA among them
  // replaces named's when its serial is greater).
  virtual UpdateOutcome applyRecords(const std::string& zone, const std::vector<WireOp>& ops) {
    (void)ops;
    return {UpdateOutcome::Kind::kFailed, "cannot update " + zone};
  }
  // Every record named serves for `zone`, by a TSIG-signed AXFR (RFC 5936),
  // the SOA first and once; owners in lower case. An Error when the transfer
  // fails or is refused.
  virtual Result<std::vector<WireRr>> transfer(const std::string& zone) {
    return Error{ErrorKind::kUnavailable, "", "cannot transfer " + zone};
  }
};

class DnsUpdater : public ZoneUpdater {
 public:
  // `key` is the TSIG key named.conf lets update the zones (allow-update).
  // `connections` (at least 1): how many UPDATEs named may work on at once
  // for applyEach (named takes one UPDATE at a time per connection).
  DnsUpdater(std::string address, uint16_t port, RndcKey key,
             std::chrono::milliseconds timeout = std::chrono::seconds(10),
             size_t connections = kConnections);
  ~DnsUpdater() override;
  DnsUpdater(const DnsUpdater&) = delete;
  DnsUpdater& operator=(const DnsUpdater&) = delete;

  UpdateOutcome apply(const std::string& zone, const std::vector<UpdateOp>& ops,
                      const std::string& soa) override;
  UpdateOutcome applyRecords(const std::string& zone, const std::vector<WireOp>& ops) override;
  std::vector<UpdateOutcome> applyEach(const std::vector<ZoneChange>& changes) override;
  Result<std::vector<WireRr>> transfer(const std::string& zone) override;

  // The largest UPDATE message (bytes, before the TSIG record) named takes
  // over TCP; the renderer's delta limits keep well below it.
  static constexpr size_t kMaxMessage = 60000;
  // The default number of connections (push.update_connections): up to this
  // many UPDATEs wait on named's journal syncs at once, spread over its worker
  // threads (scripts/named-start).
  static constexpr size_t kConnections = 4;

 private:
  struct Key;
  // One signed UPDATE waiting for its answer.
  struct Sent {
    std::string zone;
    uint16_t id = 0;
    std::string wire;  // with its 2-byte length (RFC 1035 4.2.2)
    std::string mac;   // the request's TSIG MAC, which the answer's covers
  };
  // `ops` of `zone` as a signed UPDATE; an outcome instead when it cannot be built.
  std::variant<Sent, UpdateOutcome> build(const std::string& zone, const std::vector<WireOp>& ops);
  // One TCP connection to named, kept open.
  struct Conn {
    int fd = -1;
    // Bytes read past the last answer: named sends a transfer's messages back
    // to back, so one recv() may hold the end of one and the start of the next.
    std::string received;
  };
  // Sends every message in `sent`, spread over the connections, and reads
  // their answers (reconnecting a connection once when named closed it).
  std::vector<UpdateOutcome> exchangeAll(const std::vector<Sent>& sent);
  UpdateOutcome outcomeOf(const Sent& sent, std::string& answer);  // parses `answer` in place
  bool sendAll(Conn& c, const std::string& bytes, std::string& why);
  // Reads one framed answer (RFC 1035 4.2.2: a 2-byte length, then the
  // message) into `answer`, keeping whatever follows it for the next call;
  // false with `why` on I/O trouble.
  bool readOne(Conn& c, std::string& answer, std::string& why);
  bool connect(Conn& c, std::string& why);
  void disconnect(Conn& c);
  // Sends `message` (unless empty) and reads one answer.
  bool exchange(Conn& c, const std::string& message, std::string& answer, std::string& why);
  // `message` signed with the key; the request MAC in `mac`.
  bool sign(std::string& message, std::string& mac);

  std::string address_;
  uint16_t port_;
  std::unique_ptr<Key> key_;
  std::chrono::milliseconds timeout_;
  // conns_[0] carries transfers and single UPDATEs; applyEach uses them all.
  std::vector<Conn> conns_;
  uint16_t nextId_;
};

}  // namespace zp::push
