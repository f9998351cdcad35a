#pragma once
// The handlers that change a zone as ONE change set (issue 11 items 4 and 7,
// issue 10's import): POST /api/v1/dns-zones/{uuid}/changesets/, .../rollback/
// and .../import. No HTTP library types: server.cc has authenticated the
// request (RequestGate, permission dns:update) and refused unknown query
// parameters; each item's own action is checked here (checkActions). Each
// answers its exchange exactly once, now or from the BusClient thread: 201
// with the set's result (plus `change_id`; with ?wait=in_sync only once every
// nameserver serves it, else 202 as every write: changes_handler.h), 200 for
// `dry_run=true` or when nothing changes. A POST's Idempotency-Key replays.
// If-Match (preconditions.h) is checked against the zone's ETag by the store
// in the set's own transaction (or here, when nothing changes).
// The body shapes and rules live in changesets_handler.h, rollback_handler.h
// and import_handler.h.
//
// Thread-safe, stateless. Borrows calls, gate, cache and changes, which must
// outlive it.

#include <functional>
#include <string>
#include <vector>

#include "pipelines/api/api_request.h"
#include "pipelines/api/changes_handler.h"
#include "pipelines/api/changesets_handler.h"
#include "pipelines/api/exchange.h"
#include "pipelines/api/import_handler.h"
#include "pipelines/api/json.h"
#include "pipelines/api/pipeline_calls.h"
#include "pipelines/api/preconditions.h"
#include "pipelines/api/request_gate.h"
#include "pipelines/api/zone_cache.h"

namespace zp::api {

class ZoneSetsHandler {
 public:
  ZoneSetsHandler(PipelineCalls& calls, const RequestGate& gate, ZoneCache& cache,
                  ChangesHandler& changes)
      : calls_(calls), gate_(gate), cache_(cache), changes_(changes) {}

  void applyChangeSet(const ExchangePtr& x, const ApiRequest& req);  // .../changesets/
  void rollback(const ExchangePtr& x, const ApiRequest& req);        // .../rollback/
  void import(const ExchangePtr& x, const ApiRequest& req);          // .../import

 private:
  // What every set request may ask: ?dry_run=, If-Match (against the zone's
  // ETag, its serial), ?wait=in_sync&timeout_ms=.
  struct SetOptions {
    bool dry = false;
    Preconditions pre;
    WaitOption wait;
  };
  static Result<SetOptions> optionsOf(const ApiRequest& req);

  void rollbackNow(const ExchangePtr& x, const std::string& zoneUuid, const SetOptions& opts,
                   uint32_t serial);
  void importNow(const ExchangePtr& x, const std::string& zoneUuid, const SetOptions& opts,
                 ImportMode how, const std::string& body);
  // Answers the Idempotency-Key's stored set, or runs `otherwise`.
  void replayedOr(const ExchangePtr& x, const std::string& zoneUuid, const SetOptions& opts,
                  std::function<void()> otherwise);
  // Sends `items` as one change set and answers with answerSet.
  void send(const ExchangePtr& x, const std::string& zoneUuid, const std::vector<ChangeItem>& items,
            const SetOptions& opts, std::function<void(JsonWriter&)> extra = nullptr);
  // The answer to the store's changeSet reply.
  void answerSet(const ExchangePtr& x, const std::string& zoneUuid, const SetOptions& opts,
                 const std::function<void(JsonWriter&)>& extra, schema::Reply::Reader reply);

  PipelineCalls& calls_;
  const RequestGate& gate_;
  ZoneCache& cache_;
  ChangesHandler& changes_;
};

}  // namespace zp::api
