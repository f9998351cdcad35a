#pragma once
// The handlers that change a zone as ONE change set (issue 11 items 4 and 7,
// issue 10's import): POST /api/v1/dns-zones/{uuid}/changesets/, .../rollback/
// and .../import. No HTTP library types: server.cc has authenticated the
// request (RequestGate, permission dns:update) and refused unknown query
// parameters; each item's own action is checked here (checkActions). Each
// answers its exchange exactly once, now or from the BusClient thread: 201
// with the set's result, 200 for `dry_run=true` or when nothing changes.
// The body shapes and rules live in changesets_handler.h, rollback_handler.h
// and import_handler.h.
//
// Thread-safe, stateless. Borrows calls, gate and cache, which must outlive it.

#include <functional>
#include <string>
#include <vector>

#include "pipelines/api/api_request.h"
#include "pipelines/api/changesets_handler.h"
#include "pipelines/api/exchange.h"
#include "pipelines/api/json.h"
#include "pipelines/api/pipeline_calls.h"
#include "pipelines/api/request_gate.h"
#include "pipelines/api/zone_cache.h"

namespace zp::api {

class ZoneSetsHandler {
 public:
  ZoneSetsHandler(PipelineCalls& calls, const RequestGate& gate, ZoneCache& cache)
      : calls_(calls), gate_(gate), cache_(cache) {}

  void applyChangeSet(const ExchangePtr& x, const ApiRequest& req);  // .../changesets/
  void rollback(const ExchangePtr& x, const ApiRequest& req);        // .../rollback/
  void import(const ExchangePtr& x, const ApiRequest& req);          // .../import

 private:
  // Sends `items` as one change set and answers with changeSetBody.
  void send(const ExchangePtr& x, const std::string& zoneUuid, const std::vector<ChangeItem>& items,
            bool dry, std::function<void(JsonWriter&)> extra = nullptr);

  PipelineCalls& calls_;
  const RequestGate& gate_;
  ZoneCache& cache_;
};

}  // namespace zp::api
