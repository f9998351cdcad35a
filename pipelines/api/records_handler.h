#pragma once
// The record resource's handlers: GET /api/v1/dns-records/ (all the user's
// records, filtered), GET/POST /api/v1/dns-zones/{uuid}/records/, and
// GET/PUT/PATCH/DELETE /api/v1/dns-records/{uuid}/. No HTTP library types:
// server.cc has authenticated the request (RequestGate) and refused unknown
// query parameters before calling these; each answers its exchange exactly
// once, now or from the BusClient thread.
//
// PATCH reads the record (the store checks ownership: another user's record
// is not found), merges (record_merge.h) and sends the whole record as
// Command.updateRecord, like PUT, on condition that the record is still the
// version it read (else it merges again: two PATCHes never lose a field).
// Record answers carry `ETag`; PUT, PATCH and DELETE honour If-Match, POST
// If-Match (against the zone's ETag) and If-None-Match: * (preconditions.h). Writes answer through
// ChangesHandler::answerWrite (change_id, zone_serial, ?wait=in_sync).
//
// Thread-safe, stateless. Borrows calls and gate, which must outlive it.

#include <functional>
#include <memory>
#include <span>
#include <string>

#include "common/dns/record.h"
#include "pipelines/api/api_request.h"
#include "pipelines/api/changes_handler.h"
#include "pipelines/api/exchange.h"
#include "pipelines/api/pagination.h"
#include "pipelines/api/pipeline_calls.h"
#include "pipelines/api/preconditions.h"
#include "pipelines/api/record_filters.h"
#include "pipelines/api/request_body.h"
#include "pipelines/api/request_gate.h"

namespace zp::api {

class RecordsHandler {
 public:
  RecordsHandler(PipelineCalls& calls, const RequestGate& gate, ChangesHandler& changes)
      : calls_(calls), gate_(gate), changes_(changes) {}

  void list(const ExchangePtr& x, const ApiRequest& req);        // ?zone=&record_type=
  void listInZone(const ExchangePtr& x, const ApiRequest& req);  // paged
  void create(const ExchangePtr& x, const ApiRequest& req);      // 201 + Location
  void get(const ExchangePtr& x, const ApiRequest& req);
  void replace(const ExchangePtr& x, const ApiRequest& req);  // PUT
  void patch(const ExchangePtr& x, const ApiRequest& req);    // PATCH
  void remove(const ExchangePtr& x, const ApiRequest& req);   // 204

 private:
  void sendList(const ExchangePtr& x, schema::Reply::Reader reply, const std::string& path,
                std::span<const QueryParam> filters, const Page& p);
  void sendFiltered(const ExchangePtr& x, const ApiRequest& req, RecordListFilter filter,
                    const std::string& path);
  // A PATCH in progress (see patchOnce in the .cc).
  struct PatchJob {
    std::string recordUuid;
    RecordPatch patch;
    Preconditions pre;  // the client's If-Match
    WaitOption wait;
  };
  static constexpr int kPatchAttempts = 5;
  void patchOnce(const ExchangePtr& x, std::shared_ptr<const PatchJob> job, int attempts);
  void sendUpdate(const ExchangePtr& x, const std::string& recordUuid,
                  const dns::RecordInput& input, const Preconditions& pre, WaitOption wait,
                  std::function<void()> onStale);

  PipelineCalls& calls_;
  const RequestGate& gate_;
  ChangesHandler& changes_;
};

}  // namespace zp::api
