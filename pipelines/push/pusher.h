#pragma once
// The pusher's decision for one Deploy.
//
// - A delta (the records added and deleted by consecutive events, and the new
//   SOA) goes to named as one RFC 2136 UPDATE (dns_update.h) when named serves
//   the zone as a dynamic zone: no file, no named-checkzone, no reload, so its
//   cost does not depend on the zone's size. A zone the pusher has not loaded
//   (or one named does not take updates for) answers `needFull`: the renderer
//   then sends the whole version.
// - A whole version (a new zone, a repair, a zone whose deltas cannot be
//   applied) is published as a file and loaded: `addzone` for a zone named
//   does not know (with allow-update for the pusher's key, so later changes
//   are UPDATEs). A zone named already serves dynamically is brought to the
//   version by an UPDATE of the differences (converge: it keeps serving, and
//   no file races named's own dumps of it); a static one is made dynamic
//   with `modzone`. With a ServedCheck, a load only counts once the primary
//   serves its serial.
// - A removal is `delzone` plus the catalog change.
// - An audit compares named's copy with the store's version (SOA serial,
//   then every record by AXFR) and repairs drift (changes named lost, or
//   changes made behind zonepipe's back) by an UPDATE of the differences with
//   a serial above named's, so the secondaries follow by IXFR; a zone named
//   lost altogether is loaded whole.
//
// Idempotent: a serial at or below the one named serves is acknowledged
// without touching anything. With `catalog`, every zone is a member of the
// catalog zone (catalog.h) the secondaries follow; membership changes are
// batched and sent as one UPDATE of the catalog by maintain(). Not
// thread-safe (one loop owns it). Never throws for rndc or DNS failures
// (they become a failed ack); I/O failures of the zone directory throw
// std::system_error.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pipelines/push/dns_update.h"
#include "pipelines/push/lost_zone_log.h"
#include "pipelines/push/publisher.h"
#include "pipelines/push/rndc.h"
#include "pipelines/push/secondary_notifier.h"
#include "pipelines/push/served_check.h"
#include "pipelines/push/status.h"

namespace zp::push {

struct DeltaChange {
  std::vector<UpdateOp> ops;  // in event order
  std::string soa;            // the new version's SOA line
};

struct DeployRequest {
  std::string domain;
  uint64_t serial = 0;
  std::optional<std::string> zoneFile;  // a whole version
  int64_t committedAt = 0;              // unix ms of the newest change included (for the lag log)
  // Or the changes since the served version (neither: remove the zone).
  std::optional<DeltaChange> delta = std::nullopt;
  // With zoneFile: an audit. The version named should serve (the store's
  // current one); the pusher compares it with what named serves (SOA serial,
  // then every record by AXFR) and loads it when they differ.
  bool audit = false;
  uint32_t soaSerial = 0;  // the version's SOA serial (the store's rule); 0: derived from serial
};

struct DeployResult {
  bool ok = false;
  std::string detail;     // what failed and what the operator should check; empty when ok
  bool needFull = false;  // a delta cannot be applied: send the whole version
};

// Optional collaborators; all null/false means the plain behaviour (static
// zones reloaded from files, no catalog).
struct PusherOptions {
  ServedCheck* check = nullptr;    // confirm every whole load by the primary's SOA serial
  StatusBook* status = nullptr;    // record deploys, failures and reloads
  bool catalog = false;            // maintain the catalog zone for secondaries
  ZoneUpdater* updater = nullptr;  // deltas by UPDATE (needs updateKey)
  std::string updateKey = {};      // the TSIG key named's allow-update names
  // The pusher NOTIFYs the secondaries of each change, paced per zone; zones
  // it adds carry `notify no;`. Null: named NOTIFYs after every change.
  SecondaryNotifier* notifier = nullptr;
};

class Pusher {
 public:
  // Throws std::invalid_argument when the zone directory's path cannot be put
  // into named's config text (it contains '"', '\\' or control characters).
  Pusher(Publisher& publisher, Rndc& rndc, PusherOptions options = {});

  DeployResult deploy(const DeployRequest& request);
  // The deploys that arrived together, results in their order. Deltas that
  // fit one UPDATE, to different zones, go to named together
  // (ZoneUpdater::applyEach), so named syncs their journals side by side; the
  // rest go one at a time as deploy() sends them. Each zone's deploys keep
  // their order. `done(i, result)` (optional) runs as soon as result i is
  // known, so the caller can acknowledge it without waiting for the batch.
  std::vector<DeployResult> deployAll(
      const std::vector<DeployRequest>& requests,
      const std::function<void(size_t, const DeployResult&)>& done = {});
  // The renderer's named-checkzone refused `serial`: nothing reaches named;
  // the zone's status shows `why` and that the nameservers lag behind it.
  void refused(const std::string& domain, uint64_t serial, const std::string& why);
  // Brings the catalog zone up to date: loads it whole at start (or when an
  // UPDATE of it fails), else sends the membership changes queued since the
  // last call as one UPDATE. Call it after each batch of deploys and now and
  // then. Success when there is nothing to do.
  DeployResult maintain();
  // Catalog membership changes waiting for maintain().
  bool catalogPending() const { return !catalogAdds_.empty() || !catalogDeletes_.empty(); }
  // Has the primary NOTIFY the secondaries of each zone again (`rndc notify`),
  // or, once for all those marked `catalog` (a secondary lacks the zone), of
  // the catalog zone, whose transfer brings them: for secondaries that missed
  // a NOTIFY (StatusBook::takeRenotify). A burst of new zones a secondary is
  // slow to take costs one command. Logs one line for the batch;
  // a failure is logged, and the StatusBook asks again later.
  void renotify(const std::vector<Renotify>& zones);
  // Makes the zone directory's files of the batch durable (one syncfs).
  void flush() { publisher_.sync(); }

 private:
  // What the primary answers for a zone (ServedCheck::current): its SOA
  // serial, nullopt when it does not serve the zone, an Error when it does
  // not answer.
  using PrimaryAnswer = Result<std::optional<uint32_t>>;
  // deploy(), with the primary's answer for an audited zone when deployAll
  // asked already (null: audit() asks).
  DeployResult deploy(const DeployRequest& request, const PrimaryAnswer* asked);
  // `work`, with a failure to write the zone directory turned into the
  // zone's failed result (named keeps serving the last version).
  DeployResult guarded(const DeployRequest& request, const std::function<DeployResult()>& work);
  DeployResult deployChecked(const DeployRequest& request, const PrimaryAnswer* asked);
  DeployResult applyDelta(const DeployRequest& request);
  // A delta's UPDATEs in `chunks`, or its result when none need sending
  // (named has it, or it must go whole).
  std::optional<DeployResult> planDelta(const DeployRequest& request,
                                        std::vector<std::vector<UpdateOp>>& chunks);
  // Sends a planned delta's UPDATEs one after another, the last with its SOA.
  DeployResult sendChunks(const DeployRequest& request,
                          const std::vector<std::vector<UpdateOp>>& chunks);
  // What named's answer to a delta's (last) UPDATE means for the deploy.
  DeployResult deltaOutcome(const DeployRequest& request, const UpdateOutcome& outcome);
  // `result`, recorded in the status book when it failed.
  DeployResult noted(const DeployRequest& request, DeployResult result);
  DeployResult audit(const DeployRequest& request, const PrimaryAnswer* asked);
  // Brings named's copy of a dynamic zone to `zoneFile` by UPDATE: AXFR, the
  // differences (deletes, then adds) in bounded chunks, the last with the SOA
  // at `want`, or above `now` (named's serial) when `want` is not greater.
  struct Converged {
    UpdateOutcome::Kind kind = UpdateOutcome::Kind::kFailed;
    std::string detail;
    uint32_t serial = 0;   // what named serves now
    bool changed = false;  // false: named's copy was already the same
  };
  Converged converge(const std::string& domain, const std::string& zoneFile, uint32_t want,
                     uint32_t now, bool oursNow);

  DeployResult upsert(const DeployRequest& request);
  // Zones named does not serve, added: the new zones of a batch (deployAll),
  // and audited zones named lost (its tmpfs state after a host reboot). Each
  // is written and added with `addzone` in turn, then all are confirmed
  // together (ServedCheck::confirmAll), so named loads them side by side. A
  // zone named says "already exists" for, or whose file cannot be written,
  // takes upsert() (modzone). One result per request, in order.
  std::vector<DeployResult> addZones(const std::vector<const DeployRequest*>& adds);
  // A whole version of a zone this pusher never deployed: addZones' case.
  bool isNewZone(const DeployRequest& request) const;
  // An audit of a zone this pusher deployed: audit() compares it with what
  // the primary serves (deployAll asks the primary first: lost zones go to
  // addZones).
  bool auditsDeployedZone(const DeployRequest& request) const;
  // The last steps of a load named confirmed: the serial file and served_.
  void recordLoaded(const std::string& domain, uint64_t serial, uint32_t soa,
                    const std::string& command);
  // A whole version named serves: the status book and the catalog hear of it.
  DeployResult servedWhole(const DeployRequest& request);
  // A load named took (`rndc command`) but does not serve at `soa`: the
  // failure that says so, logged; served_ forgets the zone.
  DeployResult notServedAfter(const std::string& command, const std::string& domain, uint32_t soa,
                              const Error& why);
  DeployResult remove(const DeployRequest& request);
  // Writes the file, makes named load it and confirms the serial.
  // `soa` is the SOA serial the file holds (0: dns::soaSerial(serial)).
  DeployResult load(const std::string& domain, const std::string& zoneFile, uint64_t serial,
                    uint32_t soa = 0);
  DeployResult loadCatalog();
  std::string zoneConfig(const std::string& domain) const;
  DeployResult failure(const std::string& command, const std::string& domain,
                       const ProcessResult& result) const;
  // The primary serves a new version of a zone the secondaries have: they
  // hear of it (options_.notifier; without one named NOTIFYs them itself).
  void changedOnPrimary(const std::string& domain);
  void addMember(const std::string& domain);
  void dropMember(const std::string& domain);

  Publisher& publisher_;
  Rndc& rndc_;
  PusherOptions options_;
  std::set<std::string> members_;           // zones named serves (catalog members)
  std::map<std::string, uint32_t> served_;  // SOA serial the primary has, as far as we know
  std::set<std::string> catalogAdds_, catalogDeletes_;  // queued for maintain()
  bool catalogLoaded_ = false;  // named has the whole catalog (then changes go by UPDATE)
  uint64_t catalogSerial_ = 0;
  LostZoneLog lostZones_;  // "named does not serve Z" lines, summed up after the first few
};

}  // namespace zp::push
