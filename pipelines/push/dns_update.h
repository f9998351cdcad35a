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

class ZoneUpdater {
 public:
  virtual ~ZoneUpdater() = default;
  // Applies `ops` in order, then `soa` (the new SOA line: named replaces its
  // SOA when the serial is greater, RFC 2136 section 3.4.2.2), as one UPDATE
  // of `zone` (normalised domain, no trailing dot). `soa` may be empty (the
  // catalog zone: named then increments the serial itself).
  virtual UpdateOutcome apply(const std::string& zone, const std::vector<UpdateOp>& ops,
                              const std::string& soa) = 0;
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
  DnsUpdater(std::string address, uint16_t port, RndcKey key,
             std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~DnsUpdater() override;
  DnsUpdater(const DnsUpdater&) = delete;
  DnsUpdater& operator=(const DnsUpdater&) = delete;

  UpdateOutcome apply(const std::string& zone, const std::vector<UpdateOp>& ops,
                      const std::string& soa) override;
  UpdateOutcome applyRecords(const std::string& zone, const std::vector<WireOp>& ops) override;
  Result<std::vector<WireRr>> transfer(const std::string& zone) override;

  // The largest UPDATE message (bytes, before the TSIG record) named takes
  // over TCP; the renderer's delta limits keep well below it.
  static constexpr size_t kMaxMessage = 60000;

 private:
  struct Key;
  bool connect(std::string& why);
  void disconnect();
  // Sends `message` (unless empty) and reads one answer (RFC 1035 4.2.2
  // framing: a 2-byte length, then the message), keeping whatever follows it
  // for the next call; false with `why` on I/O trouble.
  bool exchange(const std::string& message, std::string& answer, std::string& why);
  // `message` signed with the key; the request MAC in `mac`.
  bool sign(std::string& message, std::string& mac);

  std::string address_;
  uint16_t port_;
  std::unique_ptr<Key> key_;
  std::chrono::milliseconds timeout_;
  int fd_ = -1;
  // Bytes read past the last answer: named sends a transfer's messages back
  // to back, so one recv() may hold the end of one and the start of the next.
  std::string received_;
  uint16_t nextId_;
};

}  // namespace zp::push
