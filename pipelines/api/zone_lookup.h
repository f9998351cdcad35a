#pragma once
// The zone that holds a name (deSEC's owns_qname): the longest of the user's
// zones at or above it. Used by GET /dns-zones/?contains= and the ACME
// endpoints (acme_handler.h). No HTTP library types.
//
// Candidates are the name's suffixes of two labels or more that are valid
// zone domains, longest first (a name may have labels no zone could have,
// such as `_acme-challenge`); each is looked up with one listZones query of
// the exchange's principal (the store applies the token's zone scope), until
// one is the user's. Thread-safe, stateless; borrows PipelineCalls.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/dns/zone.h"
#include "common/util/result.h"
#include "pipelines/api/exchange.h"
#include "pipelines/api/pipeline_calls.h"

namespace zp::api {

// The candidate zones of `name` (percent-encoded as sent, or plain; a
// trailing dot is allowed), longest first, Unicode as punycode. Errors: a
// validation error on `field` when `name` is not a DNS name.
Result<std::vector<std::string>> zonesThatMayHold(std::string_view raw, std::string_view field);

class ZoneLookup {
 public:
  explicit ZoneLookup(PipelineCalls& calls) : calls_(calls) {}

  // The holder of `candidates` (from zonesThatMayHold), or nullopt when the
  // user has none of them. `found` runs on the BusClient thread; a store
  // error answers the exchange and `found` never runs.
  using Found = std::function<void(std::optional<dns::Zone>)>;
  void find(const ExchangePtr& x, std::vector<std::string> candidates, Found found);

 private:
  void next(const ExchangePtr& x, std::shared_ptr<const std::vector<std::string>> candidates,
            size_t i, std::shared_ptr<const Found> found);

  PipelineCalls& calls_;
};

}  // namespace zp::api
