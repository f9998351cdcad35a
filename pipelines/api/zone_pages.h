#pragma once
// A zone and every record of its current version, read from the store in
// pages (Query.zoneSnapshotPage by zone uuid, kPageSize records each) for
// GET /api/v1/dns-zones/{uuid}/ and .../export (issue 8: a zone of
// 1,000,000 records is read and exported). No message and no store read
// transaction grows with the zone, and other readers' queries run between the
// pages; a zone of up to kPageSize records is one query, as before.
//
// Consistency: every page carries the zone as of its read. When the zone's
// version (Zone.serial) differs from the first page's, the fetch starts again
// from the first page (`onRestart`), at most kMaxRestarts times; then it
// answers 503 `unavailable` (a zone written to without pause while it is
// read). Records arrive in the store's order (name, type, uuid).
//
// A fetch is owned by the callbacks of its queries (shared_ptr); they and
// `onPage`, `onRestart`, `onDone` run on the BusClient thread, one at a time.
// A store error (404 for another user's zone) answers the exchange itself.
// Borrows `calls`, which outlives every exchange.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/dns/record.h"
#include "common/dns/zone.h"
#include "common/dns/zone_text.h"
#include "pipelines/api/exchange.h"
#include "pipelines/api/pipeline_calls.h"

namespace zp::api {

class ZonePages : public std::enable_shared_from_this<ZonePages> {
 public:
  static constexpr uint32_t kPageSize = 10'000;
  static constexpr int kMaxRestarts = 3;

  struct Handlers {
    std::function<void(const dns::Zone&, std::vector<dns::Record>)> onPage;
    std::function<void()> onRestart;  // forget the pages so far
    std::function<void(const dns::Zone&)> onDone;
  };
  static void fetch(PipelineCalls& calls, const ExchangePtr& x, std::string zoneUuid,
                    Handlers handlers);

  ZonePages(PipelineCalls& calls, ExchangePtr x, std::string zoneUuid, Handlers handlers)
      : calls_(calls), x_(std::move(x)), uuid_(std::move(zoneUuid)), h_(std::move(handlers)) {}

 private:
  void ask(const std::string& after);
  void onReply(schema::Reply::Reader reply);

  PipelineCalls& calls_;
  ExchangePtr x_;
  std::string uuid_;
  Handlers h_;
  bool started_ = false;  // a page of this round arrived
  uint64_t version_ = 0;  // the round's first page's Zone.serial
  int restarts_ = 0;
};

// GET .../export of the current version: the pages rendered by
// dns::ZoneFileBuilder as they arrive, byte for byte what the renderer
// deploys; answers `x` with 200 text/dns.
void exportCurrentZone(PipelineCalls& calls, const ExchangePtr& x, std::string zoneUuid,
                       dns::ZoneFileSettings settings);

}  // namespace zp::api
