#include "pipelines/render/snapshot_pager.h"

#include <spdlog/spdlog.h>

#include "common/schema/codec.h"

namespace zp::render {

void fillPageQuery(const PageQuery& page, schema::Query::Builder query) {
  query.setVersion(schema::PROTOCOL_VERSION);
  query.setRequestId(page.requestId);
  auto body = query.getBody().initZoneSnapshotPage();
  body.setDomain(page.domain);
  body.setAfter(
      capnp::Data::Reader(reinterpret_cast<const kj::byte*>(page.after.data()), page.after.size()));
  body.setLimit(page.limit);
}

PageQuery SnapshotPager::start(uint64_t requestId, const std::string& domain) {
  std::erase_if(fetches_, [&](const auto& entry) { return entry.second.domain == domain; });
  Fetch& fetch = fetches_[requestId];
  fetch.domain = domain;
  return query(requestId, fetch, {});
}

SnapshotPager::Step SnapshotPager::onReply(schema::Reply::Reader reply) {
  const uint64_t id = reply.getRequestId();
  auto it = fetches_.find(id);
  Step step;
  if (it == fetches_.end()) return step;
  Fetch& fetch = it->second;
  auto body = reply.getBody();
  if (body.which() != schema::Reply::Body::SNAPSHOT_PAGE) {
    step.done = body.which() == schema::Reply::Body::ERROR
                    ? StoreAnswer{schema::fromSchema(body.getError())}
                    : StoreAnswer{Error{ErrorKind::kInternal, "",
                                        "the store answered a snapshot page with something else"}};
    fetches_.erase(it);
    return step;
  }
  auto page = body.getSnapshotPage();
  const dns::Zone zone = schema::fromSchema(page.getZone());
  if (fetch.pages++ == 0) {
    fetch.snapshot.zone = zone;
    fetch.firstSerial = zone.serial;
  } else if (zone.serial != fetch.firstSerial && fetch.restarts < kMaxRestarts) {
    ++fetch.restarts;
    spdlog::debug(
        "zone {} changed from serial {} to {} while it was read in pages; reading it again",
        fetch.domain, fetch.firstSerial, zone.serial);
    fetch.snapshot = {};
    fetch.pages = 0;
    step.next = query(id, fetch, {});
    return step;
  }
  for (auto r : page.getRecords()) fetch.snapshot.records.push_back(schema::fromSchema(r));
  auto next = page.getNext();
  if (next.size() > 0) {
    step.next =
        query(id, fetch, std::string(reinterpret_cast<const char*>(next.begin()), next.size()));
    return step;
  }
  if (fetch.restarts == kMaxRestarts && zone.serial != fetch.firstSerial) {
    spdlog::info(
        "zone {} kept changing while it was read in pages; rendering serial {} from pages "
        "read up to serial {}, the changes after it follow as the next delta",
        fetch.domain, fetch.firstSerial, zone.serial);
  }
  step.done = StoreAnswer{std::move(fetch.snapshot)};
  fetches_.erase(it);
  return step;
}

}  // namespace zp::render
