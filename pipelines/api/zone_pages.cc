#include "pipelines/api/zone_pages.h"

#include <utility>

#include "common/schema/codec.h"

namespace zp::api {

void ZonePages::fetch(PipelineCalls& calls, const ExchangePtr& x, std::string zoneUuid,
                      Handlers handlers) {
  std::make_shared<ZonePages>(calls, x, std::move(zoneUuid), std::move(handlers))->ask({});
}

void ZonePages::ask(const std::string& after) {
  calls_.query(
      x_,
      [&](schema::Query::Builder q) {
        auto page = q.getBody().initZoneSnapshotPage();
        page.setZoneUuid(uuid_);
        page.setLimit(kPageSize);
        page.setAfter(
            capnp::Data::Reader(reinterpret_cast<const kj::byte*>(after.data()), after.size()));
      },
      [self = shared_from_this()](schema::Reply::Reader reply) { self->onReply(reply); });
}

void ZonePages::onReply(schema::Reply::Reader reply) {
  if (!reply.getBody().isSnapshotPage()) {
    return x_->fail(internalError("the store answered zoneSnapshotPage with another body"));
  }
  auto page = reply.getBody().getSnapshotPage();
  const dns::Zone zone = schema::fromSchema(page.getZone());
  if (!started_) {
    started_ = true;
    version_ = zone.serial;
  } else if (zone.serial != version_) {
    if (++restarts_ > kMaxRestarts) {
      return x_->fail({ErrorKind::kUnavailable, "",
                       "the zone changed " + std::to_string(restarts_) +
                           " times while it was read; try again when writes pause"});
    }
    started_ = false;
    h_.onRestart();
    return ask({});
  }
  h_.onPage(zone, schema::fromSchema(page.getRecords()));
  const auto next = page.getNext();
  if (next.size() > 0) {
    return ask(std::string(reinterpret_cast<const char*>(next.begin()), next.size()));
  }
  h_.onDone(zone);
}

void exportCurrentZone(PipelineCalls& calls, const ExchangePtr& x, std::string zoneUuid,
                       dns::ZoneFileSettings settings) {
  struct State {
    dns::ZoneFileSettings settings;
    std::unique_ptr<dns::ZoneFileBuilder> builder;  // from the first page (it names the domain)
  };
  auto state = std::make_shared<State>(State{std::move(settings), nullptr});
  ZonePages::fetch(calls, x, std::move(zoneUuid),
                   {[state](const dns::Zone& zone, std::vector<dns::Record> records) {
                      if (!state->builder) {
                        state->builder =
                            std::make_unique<dns::ZoneFileBuilder>(zone.domain, state->settings);
                      }
                      state->builder->add(std::move(records));
                    },
                    [state] { state->builder.reset(); },
                    [state, x](const dns::Zone& zone) {
                      x->send(200, state->builder->finish(zone), {}, "text/dns");
                    }});
}

}  // namespace zp::api
