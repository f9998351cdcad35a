#pragma once
// `zonepipe replay`: rebuild a store from its event log alone, then every
// zone file from that store, and optionally deploy them to a named. The log
// comes from a LogSource (an exported file or the running store); the new
// store is written through Store::replay, i.e. the command code path.

#include <cstdint>
#include <string>
#include <vector>

#include "common/dns/zone_text.h"
#include "common/util/result.h"
#include "pipelines/push/rndc.h"
#include "pipelines/replay/log_source.h"
#include "pipelines/store/store.h"

namespace zp::replay {

struct Rebuilt {
  LogRange range;                    // the events applied
  std::vector<std::string> domains;  // the live zones afterwards, sorted
};

// Applies every event of `source` to `store`, which must be empty (a fresh
// directory). Errors: the source's, "the target store is not empty", or the
// first event that does not replay (Store::replay's). On an error the store
// holds the pages applied before it.
Result<Rebuilt> rebuildStore(LogSource& source, store::Store& store);

// Renders each zone of `domains` from `store` with dns::renderZoneFile
// into `<zonesDir>/<domain>.zone` (the pusher's file names), atomically.
// Returns how many files were written.
Result<size_t> renderZones(const store::Store& store, const std::vector<std::string>& domains,
                           const dns::ZoneFileSettings& settings, const std::string& zonesDir);

struct DeployTarget {
  std::string zonesDir;  // where named reads the files (the pusher's zone dir)
  push::Rndc* rndc = nullptr;
  std::string checkzone;  // named-checkzone program; empty = do not check
  std::string tempDir;    // scratch space for checkzone
  bool force = true;      // deploy even zones the zone dir says are deployed at
                          // this serial (a rebuilt named has lost them)
  std::string updateKey;  // the TSIG key the pusher updates zones with: zones are
                          // loaded dynamic, as the pusher loads them
};

// Deploys each zone like the pusher does (publish, rndc addzone or reload;
// zones deployed at this serial or a newer one are left alone), after
// named-checkzone. Stops at the first failure, naming the zone. Returns how
// many zones were deployed.
Result<size_t> deployZones(const store::Store& store, const std::vector<std::string>& domains,
                           const dns::ZoneFileSettings& settings, const DeployTarget& target);

}  // namespace zp::replay
