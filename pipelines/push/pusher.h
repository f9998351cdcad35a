#pragma once
// The pusher's decision for one Deploy: publish the zone file and make named
// load it (rndc reload, or addzone for a zone named does not know yet), or
// remove the zone (rndc delzone). Idempotent: a serial at or below the one
// deployed is acknowledged without touching anything. With a ServedCheck, a
// version only counts as deployed once the primary serves its serial. With
// `catalog`, every zone is also a member of the catalog zone
// (catalog.h), which the secondaries follow. Not thread-safe (one loop owns
// it). Never throws for rndc or DNS failures (they become a failed ack); I/O
// failures of the zone directory throw std::system_error.

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "pipelines/push/publisher.h"
#include "pipelines/push/rndc.h"
#include "pipelines/push/served_check.h"
#include "pipelines/push/status.h"

namespace zp::push {

struct DeployRequest {
  std::string domain;
  uint64_t serial = 0;
  std::optional<std::string> zoneFile;  // nullopt: remove the zone
  int64_t committedAt = 0;              // unix ms of the newest change included (for the lag log)
};

struct DeployResult {
  bool ok = false;
  std::string detail;  // what failed and what the operator should check; empty when ok
};

// Optional collaborators; all null/false means the plain behaviour.
struct PusherOptions {
  ServedCheck* check = nullptr;  // confirm every load by the primary's SOA serial
  StatusBook* status = nullptr;  // record deploys, failures and reloads
  bool catalog = false;          // maintain the catalog zone for secondaries
};

class Pusher {
 public:
  // Throws std::invalid_argument when the zone directory's path cannot be put
  // into named's config text (it contains '"', '\\' or control characters).
  Pusher(Publisher& publisher, Rndc& rndc, PusherOptions options = {});

  DeployResult deploy(const DeployRequest& request);
  // The renderer's named-checkzone refused `serial`: nothing reaches named;
  // the zone's status shows `why` and that the nameservers lag behind it.
  void refused(const std::string& domain, uint64_t serial, const std::string& why);
  // Brings the catalog zone up to date if an earlier attempt failed (or it was
  // never loaded); call it now and then. Success when there is nothing to do.
  DeployResult maintain();

 private:
  DeployResult deployChecked(const DeployRequest& request);
  DeployResult upsert(const DeployRequest& request);
  DeployResult remove(const DeployRequest& request);
  // Writes the file, makes named load it and confirms the serial.
  DeployResult load(const std::string& domain, const std::string& zoneFile, uint64_t serial);
  DeployResult syncCatalog(uint64_t serialHint);
  DeployResult failure(const std::string& command, const std::string& domain,
                       const ProcessResult& result) const;

  Publisher& publisher_;
  Rndc& rndc_;
  PusherOptions options_;
  std::set<std::string> members_;  // zones named serves (catalog members)
  bool catalogDirty_ = false;
};

}  // namespace zp::push
