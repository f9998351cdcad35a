#pragma once
// GET /api/v1/dns-zones/{uuid}/export of the current version (issue 8: a zone
// of 1,000,000 records is exported). The records come in pages
// (Query.zoneSnapshotPage by zone uuid, kPageSize records each), so no
// message and no store read transaction grows with the zone and other
// readers' queries run between the pages; dns::ZoneFileBuilder renders each
// page as it arrives, so the file is byte for byte what the renderer deploys.
//
// Consistency: every page carries the zone as of its read. When the zone's
// version (Zone.serial) differs from the first page's, the export starts
// again from the first page, at most kMaxRestarts times; then it answers
// 503 `unavailable` (a zone written to without pause while it is read).
//
// One export is owned by the callbacks of its queries (shared_ptr); they run
// on the BusClient thread, one at a time. Borrows `calls`, which outlives
// every exchange.

#include <cstdint>
#include <memory>
#include <string>

#include "common/dns/zone_text.h"
#include "pipelines/api/exchange.h"
#include "pipelines/api/pipeline_calls.h"

namespace zp::api {

class ZoneExport : public std::enable_shared_from_this<ZoneExport> {
 public:
  static constexpr uint32_t kPageSize = 10'000;
  static constexpr int kMaxRestarts = 3;

  // Answers `x` with the zone file (200, text/dns) or the store's error.
  static void start(PipelineCalls& calls, const ExchangePtr& x, std::string zoneUuid,
                    dns::ZoneFileSettings settings);

  ZoneExport(PipelineCalls& calls, ExchangePtr x, std::string zoneUuid,
             dns::ZoneFileSettings settings)
      : calls_(calls), x_(std::move(x)), uuid_(std::move(zoneUuid)), settings_(std::move(settings)) {}

 private:
  void ask(const std::string& after);
  void onPage(schema::Reply::Reader reply);

  PipelineCalls& calls_;
  ExchangePtr x_;
  std::string uuid_;
  dns::ZoneFileSettings settings_;
  std::unique_ptr<dns::ZoneFileBuilder> builder_;  // from the first page (it names the domain)
  uint64_t version_ = 0;                           // the first page's Zone.serial
  int restarts_ = 0;
};

}  // namespace zp::api
