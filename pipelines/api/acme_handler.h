#pragma once
// The ACME DNS-01 endpoints lego's `httpreq` provider speaks (issue 11,
// item 8): POST /api/v1/acme/httpreq/present and /cleanup with {"fqdn",
// "value"} (acme_httpreq.h). The same semantics as contrib/acme's hook:
//   present  finds the user's zone holding fqdn (zone_lookup.h), creates the
//            TXT record there (the TTL of the TXT records already at that
//            name, one TTL per RRset, else kAcmeTtlS) and answers 201 only
//            once every nameserver serves it; a value already there is kept
//            and answered 200 once the zone's current version is served.
//   cleanup  removes only the TXT records at fqdn holding exactly that value
//            (an apex and a wildcard certificate put two values at one name)
//            and answers 200 once every nameserver serves the removal; none
//            there answers 200 with an empty `records`.
// When the nameservers do not all serve it within kAcmeWaitMs the answer is
// 503 `unavailable` (the record stays committed; the detail says which
// nameserver lags), never a 2xx: lego would go on and the CA would fail.
// No zone holding fqdn: 404 on `fqdn`. Token scopes apply as on the record
// API (the store checks zones, types and names). No HTTP library types;
// server.cc has authenticated the request (Bearer, or Basic with the token
// as the password) and checked the route's permission (present: dns:create,
// cleanup: dns:delete). Thread-safe, stateless; borrows everything.

#include <chrono>
#include <memory>

#include "pipelines/api/acme_httpreq.h"
#include "pipelines/api/api_request.h"
#include "pipelines/api/exchange.h"
#include "pipelines/api/pipeline_calls.h"
#include "pipelines/api/request_gate.h"
#include "pipelines/api/sync_waiter.h"
#include "pipelines/api/zone_lookup.h"

namespace zp::api {

inline constexpr int64_t kAcmeTtlS = 60;
// Below lego's default HTTP timeout (HTTPREQ_HTTP_TIMEOUT, 30 s).
inline constexpr std::chrono::milliseconds kAcmeWaitMs{25'000};

class AcmeHandler {
 public:
  AcmeHandler(PipelineCalls& calls, const RequestGate& gate, SyncWaiter& waiter)
      : calls_(calls), gate_(gate), waiter_(waiter), lookup_(calls) {}

  void present(const ExchangePtr& x, const ApiRequest& req);
  void cleanup(const ExchangePtr& x, const ApiRequest& req);

 private:
  using OutcomePtr = std::shared_ptr<AcmeOutcome>;
  // Decodes the body and finds the zone, then runs `then` with the outcome
  // (challenge, zone and domain set).
  void withZone(const ExchangePtr& x, const ApiRequest& req, std::function<void(OutcomePtr)> then);
  // The TXT records at the challenge's name (of `value` only, when set).
  void listTxt(const ExchangePtr& x, const OutcomePtr& outcome, bool sameValueOnly,
               std::function<void(std::vector<dns::Record>)> then);
  void create(const ExchangePtr& x, const OutcomePtr& outcome, int64_t ttl);
  // Answers `status` with the outcome once `commit` is served (503 if not
  // within kAcmeWaitMs).
  void answerWhenServed(const ExchangePtr& x, const OutcomePtr& outcome, const Commit& commit,
                        int status, bool removal);

  PipelineCalls& calls_;
  const RequestGate& gate_;
  SyncWaiter& waiter_;
  ZoneLookup lookup_;
};

}  // namespace zp::api
