#pragma once
// The pusher's decision for one Deploy: publish the zone file and make named
// load it (rndc reload, or addzone for a zone named does not know yet), or
// remove the zone (rndc delzone). Idempotent: a serial at or below the one
// deployed is acknowledged without touching anything. Not thread-safe (one
// loop owns it). Never throws for rndc failures (they become a failed ack);
// I/O failures of the zone directory throw std::system_error.

#include <cstdint>
#include <optional>
#include <string>

#include "pipelines/push/publisher.h"
#include "pipelines/push/rndc.h"

namespace zp::push {

struct DeployRequest {
  std::string domain;
  uint64_t serial = 0;
  std::optional<std::string> zoneFile;  // nullopt: remove the zone
};

struct DeployResult {
  bool ok = false;
  std::string detail;  // what failed and what the operator should check; empty when ok
};

class Pusher {
 public:
  // Throws std::invalid_argument when the zone directory's path cannot be put
  // into named's config text (it contains '"', '\\' or control characters).
  Pusher(Publisher& publisher, Rndc& rndc);

  DeployResult deploy(const DeployRequest& request);

 private:
  DeployResult upsert(const DeployRequest& request);
  DeployResult remove(const DeployRequest& request);
  DeployResult failure(const std::string& command, const std::string& domain,
                       const ProcessResult& result) const;

  Publisher& publisher_;
  Rndc& rndc_;
};

}  // namespace zp::push
