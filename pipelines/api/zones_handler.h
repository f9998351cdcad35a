#pragma once
// The zone resource's handlers: GET/POST /api/v1/dns-zones/, GET/DELETE
// /api/v1/dns-zones/{uuid}/, GET .../export and GET .../changes/. No HTTP
// library types: server.cc has authenticated the request (RequestGate) and
// refused unknown query parameters before calling these; writes answer
// through ChangesHandler::answerWrite (change_id, zone_serial, ?wait=); each answers its
// exchange exactly once, now or from the BusClient thread.
//
// Thread-safe (the zone cache locks). Borrows calls, gate and cache, which
// must outlive it.

#include <memory>
#include <string>
#include <vector>

#include "common/dns/zone_text.h"
#include "common/util/result.h"
#include "pipelines/api/api_request.h"
#include "pipelines/api/changes_handler.h"
#include "pipelines/api/coalesced_calls.h"
#include "pipelines/api/exchange.h"
#include "pipelines/api/pipeline_calls.h"
#include "pipelines/api/request_gate.h"
#include "pipelines/api/settled_statuses.h"
#include "pipelines/api/zone_cache.h"
#include "pipelines/api/zone_lookup.h"

namespace zp::api {

class ZoneDetailJoin;

class ZonesHandler {
 public:
  ZonesHandler(PipelineCalls& calls, const RequestGate& gate, ZoneCache& cache,
               ChangesHandler& changes, dns::ZoneFileSettings zoneFileSettings);

  void list(const ExchangePtr& x, const ApiRequest& req);        // ?domain=, paged
  void create(const ExchangePtr& x, const ApiRequest& req);      // body {"domain"}
  void get(const ExchangePtr& x, const ApiRequest& req);         // detail + deployment
  void remove(const ExchangePtr& x, const ApiRequest& req);      // 204
  void exportFile(const ExchangePtr& x, const ApiRequest& req);  // text/dns, ?serial=
  void changes(const ExchangePtr& x, const ApiRequest& req);     // history, paged

 private:
  void fetchZone(const ExchangePtr& x, const std::string& uuid,
                 std::shared_ptr<ZoneDetailJoin> join);
  void askStatus(const ExchangePtr& x, const std::string& domain,
                 std::shared_ptr<ZoneDetailJoin> join);
  // Whether `entry` may answer `principal` without asking the store.
  bool provenCurrent(const ZoneCache::Entry& entry, const std::string& uuid,
                     const Principal& principal, ZoneCache::Clock::time_point now) const;
  void checkVersion(const ExchangePtr& x, const std::string& uuid, const std::string& domain,
                    std::shared_ptr<ZoneDetailJoin> join);

  // The store's current version of a cached zone, as the requesting token
  // sees it (nullopt: not its zone, or gone).
  struct ZoneVersion {
    std::string uuid;
    uint64_t serial = 0;
    uint32_t soaSerial = 0;
  };
  using VersionAnswer = Result<std::optional<ZoneVersion>>;

  PipelineCalls& calls_;
  const RequestGate& gate_;
  ZoneCache& cache_;
  ChangesHandler& changes_;
  const dns::ZoneFileSettings zoneFileSettings_;
  // Zone reads share their store and pusher calls (coalesced_calls.h): the
  // version check as a read barrier, the status as a call in flight.
  CoalescedCalls<VersionAnswer> versions_{CoalesceJoin::kAfterArrival};
  CoalescedCalls<Result<deploy::PushStatus>> statuses_{CoalesceJoin::kInFlight};
  SettledStatuses settled_;
  ZoneLookup lookup_{calls_};
};

}  // namespace zp::api
