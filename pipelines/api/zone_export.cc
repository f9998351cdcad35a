#include "pipelines/api/zone_export.h"

#include <utility>

#include "common/schema/codec.h"

namespace zp::api {

namespace {
constexpr const char* kZoneFileType = "text/dns";
}  // namespace

void ZoneExport::start(PipelineCalls& calls, const ExchangePtr& x, std::string zoneUuid,
                       dns::ZoneFileSettings settings) {
  std::make_shared<ZoneExport>(calls, x, std::move(zoneUuid), std::move(settings))->ask({});
}

void ZoneExport::ask(const std::string& after) {
  calls_.query(
      x_,
      [&](schema::Query::Builder q) {
        auto page = q.getBody().initZoneSnapshotPage();
        page.setZoneUuid(uuid_);
        page.setLimit(kPageSize);
        page.setAfter(capnp::Data::Reader(reinterpret_cast<const kj::byte*>(after.data()),
                                          after.size()));
      },
      [self = shared_from_this()](schema::Reply::Reader reply) { self->onPage(reply); });
}

void ZoneExport::onPage(schema::Reply::Reader reply) {
  if (!reply.getBody().isSnapshotPage()) {
    return x_->fail(internalError("the store answered zoneSnapshotPage with another body"));
  }
  auto page = reply.getBody().getSnapshotPage();
  const dns::Zone zone = schema::fromSchema(page.getZone());
  const bool first = !builder_;
  if (first) {
    builder_ = std::make_unique<dns::ZoneFileBuilder>(zone.domain, settings_);
    version_ = zone.serial;
  } else if (zone.serial != version_) {
    if (++restarts_ > kMaxRestarts) {
      return x_->fail({ErrorKind::kUnavailable, "",
                       "the zone changed " + std::to_string(restarts_) +
                           " times while it was exported; try again when writes pause"});
    }
    builder_.reset();
    return ask({});
  }
  builder_->add(schema::fromSchema(page.getRecords()));
  const auto next = page.getNext();
  if (next.size() > 0) {
    return ask(std::string(reinterpret_cast<const char*>(next.begin()), next.size()));
  }
  x_->send(200, builder_->finish(zone), {}, kZoneFileType);
}

}  // namespace zp::api
