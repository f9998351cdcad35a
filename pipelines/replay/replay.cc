#include "pipelines/replay/replay.h"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <memory>
#include <set>
#include <variant>

#include "common/schema/codec.h"
#include "pipelines/push/publisher.h"
#include "pipelines/push/pusher.h"
#include "pipelines/render/checkzone.h"
#include "pipelines/render/snapshot_pager.h"
#include "schema/pipeline.capnp.h"

namespace zp::replay {
namespace {

// The zone file of `domain` in `store`, read in pages by the renderer's own
// pager (render::SnapshotPager: Query.zoneSnapshotPage, so no reply grows with
// the zone; one whole snapshot of a 1,000,000-record zone was over Cap'n
// Proto's traversal limit) and rendered by the renderer's own function.
Result<std::string> renderOne(const store::Store& store, const std::string& domain,
                              const dns::ZoneFileSettings& settings, uint64_t& serial,
                              uint32_t* soa = nullptr) {
  render::SnapshotPager pager(10'000);
  render::PageQuery page = pager.start(1, domain);
  for (;;) {
    capnp::MallocMessageBuilder m;
    auto q = m.initRoot<schema::Query>();
    render::fillPageQuery(page, q);
    auto words = store.query(q.asReader());
    capnp::FlatArrayMessageReader reader(words.asPtr());
    auto step = pager.onReply(reader.getRoot<schema::Reply>());
    if (step.next) {
      page = std::move(*step.next);
      continue;
    }
    if (!step.done) return Error{ErrorKind::kInternal, "", "the store answered another request"};
    if (auto* error = std::get_if<Error>(&*step.done)) return *error;
    const auto& snapshot = std::get<dns::ZoneSnapshot>(*step.done);
    serial = snapshot.zone.serial;
    if (soa) *soa = dns::soaSerialOf(snapshot.zone);
    try {
      return dns::renderZoneFile(snapshot, settings);
    } catch (const std::invalid_argument& e) {
      return Error{ErrorKind::kValidation, "",
                   "zone " + domain + " cannot be rendered: " + e.what() +
                       " (check the nameservers and SOA settings in the config)"};
    }
  }
}

}  // namespace

Result<Rebuilt> rebuildStore(LogSource& source, store::Store& store) {
  if (store.lastSeq() != 0) {
    return Error{ErrorKind::kValidation, "to",
                 "the target store in " + store.dir() + " is not empty (its log ends at event " +
                     std::to_string(store.lastSeq()) + "); replay into a new directory"};
  }
  auto range = source.open();
  if (!range) return range.error();
  std::set<std::string> domains;
  uint64_t applied = 0;
  while (true) {
    auto page = source.nextPage();
    if (!page) return page.error();
    if (page->empty()) break;
    std::vector<std::unique_ptr<capnp::FlatArrayMessageReader>> readers;
    std::vector<schema::Event::Reader> events;
    readers.reserve(page->size());
    events.reserve(page->size());
    for (const auto& words : *page) {
      readers.push_back(std::make_unique<capnp::FlatArrayMessageReader>(words.asPtr()));
      auto e = readers.back()->getRoot<schema::Event>();
      events.push_back(e);
      auto change = e.getChange();
      if (change.isZoneCreated()) domains.insert(change.getZoneCreated().getDomain());
      if (change.isZoneDeleted()) domains.erase(change.getZoneDeleted().getDomain());
    }
    if (auto error = store.replay(events)) return *error;
    applied += events.size();
  }
  if (applied != range->count) {
    return Error{ErrorKind::kInternal, "",
                 "the log announced " + std::to_string(range->count) + " events but delivered " +
                     std::to_string(applied)};
  }
  return Rebuilt{*range, {domains.begin(), domains.end()}};
}

Result<size_t> renderZones(const store::Store& store, const std::vector<std::string>& domains,
                           const dns::ZoneFileSettings& settings, const std::string& zonesDir) {
  push::Publisher publisher(zonesDir);
  size_t written = 0;
  for (const auto& domain : domains) {
    uint64_t serial = 0;
    auto text = renderOne(store, domain, settings, serial);
    if (!text) return text.error();
    publisher.writeZone(domain, *text);
    ++written;
  }
  publisher.sync();
  return written;
}

Result<size_t> deployZones(const store::Store& store, const std::vector<std::string>& domains,
                           const dns::ZoneFileSettings& settings, const DeployTarget& target) {
  if (target.rndc == nullptr) throw std::invalid_argument("deployZones needs an rndc");
  push::Publisher publisher(target.zonesDir);
  push::PusherOptions options;
  options.updateKey = target.updateKey;
  push::Pusher pusher(publisher, *target.rndc, options);
  std::unique_ptr<render::ZoneChecker> checker;
  if (!target.checkzone.empty()) {
    checker = std::make_unique<render::ZoneChecker>(target.checkzone, target.tempDir);
  }
  size_t deployed = 0;
  for (const auto& domain : domains) {
    uint64_t serial = 0;
    uint32_t soa = 0;
    auto text = renderOne(store, domain, settings, serial, &soa);
    if (!text) return text.error();
    if (checker) {
      auto verdict = checker->check(domain, *text);
      if (verdict.verdict != render::CheckVerdict::kAccepted) {
        return Error{ErrorKind::kValidation, "",
                     "named-checkzone did not accept zone " + domain + ": " + verdict.message};
      }
    }
    if (target.force && publisher.deployedSerial(domain) >= serial) publisher.remove(domain);
    push::DeployRequest request;
    request.domain = domain;
    request.serial = serial;
    request.soaSerial = soa;
    request.zoneFile = std::move(text).value();
    auto result = pusher.deploy(request);
    if (!result.ok) {
      return Error{ErrorKind::kUnavailable, "",
                   "deploying zone " + domain + " failed: " + result.detail};
    }
    ++deployed;
  }
  publisher.sync();
  return deployed;
}

}  // namespace zp::replay
