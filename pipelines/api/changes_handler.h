#pragma once
// The change resource (issue 11, item 1; rules in commit.h):
// GET /api/v1/changes/{id}/ answers one change of the user's zones with its
// status (INSYNC/PENDING, per nameserver), and with ?wait=in_sync it waits
// (up to timeout_ms) for INSYNC before answering (200 either way).
// answerWrite() is how every zone-changing write answers: the body (or, for
// a 204, the headers) gets the change id and zone serial, and with
// ?wait=in_sync the answer waits for the nameservers (202 with the change on
// timeout). No HTTP library types. Thread-safe; borrows calls and waiter.

#include <chrono>
#include <optional>
#include <string>

#include "pipelines/api/api_request.h"
#include "pipelines/api/commit.h"
#include "pipelines/api/exchange.h"
#include "pipelines/api/pipeline_calls.h"
#include "pipelines/api/sync_waiter.h"

namespace zp::api {

using WaitOption = std::optional<std::chrono::milliseconds>;

// What a write answers once committed.
struct WriteAnswer {
  int status = 200;
  std::string body;  // JSON object, or "" (204)
  Headers headers;
  std::optional<Commit> commit;  // from the store's reply; none: answered as is
  bool bodyHasCommit = false;    // the body holds change_id and zone_serial already
};

class ChangesHandler {
 public:
  ChangesHandler(PipelineCalls& calls, SyncWaiter& waiter) : calls_(calls), waiter_(waiter) {}

  void get(const ExchangePtr& x, const ApiRequest& req);

  // The request's ?wait= and ?timeout_ms= (commit.h parseWait).
  static Result<WaitOption> waitOf(const ApiRequest& req);

  // Adds the commit to the answer and sends it, now or once in sync.
  void answerWrite(const ExchangePtr& x, WriteAnswer answer, WaitOption wait);

 private:
  PipelineCalls& calls_;
  SyncWaiter& waiter_;
};

}  // namespace zp::api
