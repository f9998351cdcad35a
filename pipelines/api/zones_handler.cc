#include "pipelines/api/zones_handler.h"

#include <iterator>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "common/auth/scope.h"
#include "common/dns/name.h"
#include "common/dns/serial.h"
#include "common/schema/codec.h"
#include "pipelines/api/change_json.h"
#include "pipelines/api/deployment_json.h"
#include "pipelines/api/pagination.h"
#include "pipelines/api/preconditions.h"
#include "pipelines/api/query_string.h"
#include "pipelines/api/request_body.h"
#include "pipelines/api/resource_json.h"
#include "pipelines/api/routes.h"
#include "pipelines/api/zone_lookup.h"
#include "pipelines/api/zone_pages.h"

namespace zp::api {

constexpr const char* kZoneFileType = "text/dns";

// The zone detail's two halves, from the store (cached zone JSON) and from the
// pusher (deployment status), arriving in either order, on the BusClient
// thread (or the caller's while the bus stops): the second one answers.
class ZoneDetailJoin {
 public:
  explicit ZoneDetailJoin(ExchangePtr ex) : ex_(std::move(ex)) {}

  // `soaSerial`: the SOA serial of the zone version `json` shows; `version`:
  // its serial (the seq of its last change), the ETag.
  void setZone(std::shared_ptr<const std::string> json, uint32_t soaSerial, uint64_t version) {
    std::lock_guard lock(mutex_);
    json_ = std::move(json);
    soaSerial_ = soaSerial;
    version_ = version;
    answerIfComplete();
  }
  // An unavailable pusher is an unknown status, never an error of the read.
  void setStatus(Result<deploy::PushStatus> status) {
    std::lock_guard lock(mutex_);
    haveStatus_ = true;
    if (status) status_ = std::move(status).value();
    answerIfComplete();
  }

 private:
  void answerIfComplete() {
    if (!json_ || !haveStatus_ || ex_->answered()) return;
    ex_->send(200, withDeployment(*json_, soaSerial_, status_), {{"ETag", etagOf(version_)}});
  }

  ExchangePtr ex_;
  std::mutex mutex_;
  std::shared_ptr<const std::string> json_;
  uint32_t soaSerial_ = 0;
  uint64_t version_ = 0;
  bool haveStatus_ = false;
  std::optional<deploy::PushStatus> status_;
};

ZonesHandler::ZonesHandler(PipelineCalls& calls, const RequestGate& gate, ZoneCache& cache,
                           ChangesHandler& changes, dns::ZoneFileSettings zoneFileSettings)
    : calls_(calls),
      gate_(gate),
      cache_(cache),
      changes_(changes),
      zoneFileSettings_(std::move(zoneFileSettings)) {}

void ZonesHandler::list(const ExchangePtr& x, const ApiRequest& req) {
  auto page = parsePage(req.query("page"), req.query("page_size"));
  if (!page) return x->fail(page.error());
  if (auto contains = req.query("contains")) {
    if (req.query("domain")) {
      return x->fail(Error::validation("contains", "give either domain or contains, not both"));
    }
    auto candidates = zonesThatMayHold(*contains, "contains");
    if (!candidates) return x->fail(candidates.error());
    return lookup_.find(x, std::move(candidates).value(), [x](std::optional<dns::Zone> zone) {
      std::vector<dns::Zone> items;
      if (zone) items.push_back(std::move(*zone));
      x->send(200, renderZoneList(items), {{"X-Total-Count", std::to_string(items.size())}});
    });
  }
  std::string domain;
  if (auto domainRaw = req.query("domain")) {
    auto filter = domainFilter(*domainRaw);
    if (!filter) return x->fail(filter.error());
    domain = std::move(filter).value();
  }
  const Page p = *page;
  calls_.query(
      x,
      [&](schema::Query::Builder q) {
        auto body = q.getBody().initListZones();
        body.setDomain(domain);
        body.setOffset(p.offset());
        body.setLimit(p.size);
      },
      [x, p, domain](schema::Reply::Reader reply) {
        if (!reply.getBody().isZones()) {
          return x->fail(internalError("the store answered listZones with another body"));
        }
        auto zones = reply.getBody().getZones();
        std::vector<dns::Zone> items;
        items.reserve(zones.getItems().size());
        for (auto z : zones.getItems()) items.push_back(schema::fromSchema(z));
        const QueryParam filters[] = {{"domain", domain}};
        x->send(200, renderZoneList(items),
                listHeaders(std::string(kZonesPath), filters, p, zones.getTotal()));
      });
}

void ZonesHandler::create(const ExchangePtr& x, const ApiRequest& req) {
  if (!gate_.bodyFits(x, req.body)) return;
  auto domain = decodeZoneBody(req.body);
  if (!domain) return x->fail(domain.error());
  auto wait = ChangesHandler::waitOf(req);
  if (!wait) return x->fail(wait.error());
  calls_.command(
      x, [&](schema::Command::Builder c) { c.getBody().setCreateZone(*domain); },
      [this, x, w = *wait](schema::Reply::Reader reply) {
        if (!reply.getBody().isZone()) {
          return x->fail(internalError("the pipeline answered createZone with another body"));
        }
        const dns::Zone zone = schema::fromSchema(reply.getBody().getZone().getZone());
        const auto records = schema::fromSchema(reply.getBody().getZone().getRecords());
        changes_.answerWrite(
            x,
            {201,
             withDeployment(renderZoneDetail(zone, records), dns::soaSerialOf(zone), std::nullopt),
             {{"Location", zoneUrl(zone.uuid)}, {"ETag", etagOf(zone.serial)}},
             commitOf(reply)},
            w);
      });
}

// The zone part of the detail is rendered once per zone version and kept in
// the zone cache. A read is answered from it on the HTTP thread when the
// API's event mirror proves the cached version current (provenCurrent:
// zone_versions.h) and the pusher's last answer shows that version served
// everywhere (settled_statuses.h); otherwise it asks what it lacks:
// - the version: one small query (the user's zone with the cached domain,
//   for its current serial), shared by the concurrent reads of one zone by
//   one token as a read barrier (each read is answered by a query sent after
//   it arrived; coalesced_calls.h). Anything but an exact hit falls back to
//   the full getZone query, which also answers 404s;
// - the status: asked of the pusher, sharing a call in flight for the
//   domain, in parallel with the store, and spliced in (ZoneDetailJoin).
void ZonesHandler::get(const ExchangePtr& x, const ApiRequest& req) {
  auto uuid = pathUuid(req);
  if (!uuid) return x->fail(notFound("zone"));
  auto cached = cache_.find(*uuid);
  if (!cached) return fetchZone(x, *uuid, nullptr);
  const auto now = ZoneCache::Clock::now();
  auto join = std::make_shared<ZoneDetailJoin>(x);
  if (provenCurrent(*cached, *uuid, *x->principal, now)) {
    const uint32_t soaSerial = cached->proof.soaSerial;
    if (auto status = settled_.find(cached->domain, soaSerial, now)) {
      return x->send(200, withDeployment(*cached->json, soaSerial, status),
                     {{"ETag", etagOf(cached->serial)}});
    }
    join->setZone(cached->json, soaSerial, cached->serial);
    return askStatus(x, cached->domain, std::move(join));
  }
  askStatus(x, cached->domain, join);
  checkVersion(x, *uuid, cached->domain, std::move(join));
}

bool ZonesHandler::provenCurrent(const ZoneCache::Entry& entry, const std::string& uuid,
                                 const Principal& principal,
                                 ZoneCache::Clock::time_point now) const {
  const ZoneVersions& versions = calls_.bus().zoneVersions();
  if (entry.proof.epoch == 0 || entry.proof.ownerId != principal.userId ||
      !auth::zoneInScope(principal.scope, uuid)) {
    return false;
  }
  if (!versions.current(uuid, entry.serial, entry.proof.epoch)) return false;
  const auto trusted = now - ZoneVersions::kTrustWindow;
  return versions.eventSince(trusted) || entry.proof.at >= trusted;
}

void ZonesHandler::checkVersion(const ExchangePtr& x, const std::string& uuid,
                                const std::string& domain, std::shared_ptr<ZoneDetailJoin> join) {
  const Principal principal = *x->principal;
  versions_.request(
      principal.userId + '\n' + principal.tokenId + '\n' + uuid,
      [this, x, uuid, join](const VersionAnswer& version) {
        guarded(x, [&] {
          if (!version) return x->fail(version.error());
          if (*version && (*version)->uuid == uuid) {
            if (auto json = cache_.fresh(uuid, (*version)->serial)) {
              return join->setZone(std::move(json), (*version)->soaSerial, (*version)->serial);
            }
          }
          fetchZone(x, uuid, join);  // a uuid's domain never changes: the status stands
        });
      },
      [this, principal, domain](CoalescedCalls<VersionAnswer>::Done done) {
        const uint64_t epoch = calls_.bus().zoneVersions().epoch();
        const auto sentAt = ZoneCache::Clock::now();
        calls_.queryAs(
            principal,
            [&](schema::Query::Builder q) {
              auto body = q.getBody().initListZones();
              body.setDomain(domain);
              body.setLimit(1);
            },
            [this, epoch, sentAt, done = std::move(done)](Result<schema::Reply::Reader> reply) {
              if (!reply) return done(reply.error());
              std::optional<ZoneVersion> version;
              if (reply->getBody().isZones()) {
                auto items = reply->getBody().getZones().getItems();
                if (items.size() == 1) {
                  version = ZoneVersion{
                      items[0].getUuid().cStr(), items[0].getSerial(),
                      dns::storedOrDerivedSerial(items[0].getSoaSerial(), items[0].getSerial())};
                  cache_.confirm(version->uuid, version->serial, epoch, sentAt);
                }
              }
              done(std::move(version));
            });
      });
}

void ZonesHandler::askStatus(const ExchangePtr& x, const std::string& domain,
                             std::shared_ptr<ZoneDetailJoin> join) {
  statuses_.request(
      domain,
      [x, join = std::move(join)](const Result<deploy::PushStatus>& status) {
        guarded(x, [&] { join->setStatus(status); });
      },
      [this, domain](CoalescedCalls<Result<deploy::PushStatus>>::Done done) {
        const auto askedAt = SettledStatuses::Clock::now();
        calls_.status(domain, [this, domain, askedAt,
                               done = std::move(done)](Result<deploy::PushStatus> status) {
          if (status) settled_.remember(domain, *status, askedAt);
          done(std::move(status));
        });
      });
}

// The full getZone query: renders the zone part, remembers it (with the
// mirror epoch the query was sent in), then answers through `join`, or asks
// the pusher first when there is none.
void ZonesHandler::fetchZone(const ExchangePtr& x, const std::string& uuid,
                             std::shared_ptr<ZoneDetailJoin> join) {
  const uint64_t epoch = calls_.bus().zoneVersions().epoch();
  const auto sentAt = ZoneCache::Clock::now();
  // In pages (zone_pages.h): a zone of up to 10,000 records is one query.
  auto records = std::make_shared<std::vector<dns::Record>>();
  ZonePages::fetch(calls_, x, uuid,
                   {[records](const dns::Zone&, std::vector<dns::Record> page) {
                      if (records->empty()) {
                        *records = std::move(page);
                      } else {
                        records->insert(records->end(), std::make_move_iterator(page.begin()),
                                        std::make_move_iterator(page.end()));
                      }
                    },
                    [records] { records->clear(); },
                    [this, x, join, epoch, sentAt, records](const dns::Zone& zone) {
                      auto json =
                          std::make_shared<const std::string>(renderZoneDetail(zone, *records));
                      const uint32_t soaSerial = dns::soaSerialOf(zone);
                      cache_.insert(zone.uuid, zone.domain, zone.serial, json,
                                    {zone.ownerId, soaSerial, epoch, sentAt});
                      if (join) return join->setZone(std::move(json), soaSerial, zone.serial);
                      auto fresh = std::make_shared<ZoneDetailJoin>(x);
                      fresh->setZone(std::move(json), soaSerial, zone.serial);
                      askStatus(x, zone.domain, std::move(fresh));
                    }});
}

// GET .../export: the zone file of the current version, or with ?serial=N the
// zone as it was at N, rebuilt by the store from the log and rendered by the
// renderer's own function and settings, so it is byte-identical to what was
// deployed then.
void ZonesHandler::exportFile(const ExchangePtr& x, const ApiRequest& req) {
  auto uuid = pathUuid(req);
  auto serial = serialParam(req.query("serial"));
  if (!uuid) return x->fail(notFound("zone"));
  if (!serial) return x->fail(serial.error());
  const std::string zoneUuid = *uuid;
  if (const auto at = serial.value()) {
    return calls_.query(
        x,
        [&](schema::Query::Builder q) {
          auto body = q.getBody().initZoneAt();
          body.setZoneUuid(zoneUuid);
          body.setSerial(*at);
        },
        [this, x](schema::Reply::Reader reply) {
          if (!reply.getBody().isZone()) {
            return x->fail(internalError("the store answered zoneAt with another body"));
          }
          dns::ZoneSnapshot snapshot;
          snapshot.zone = schema::fromSchema(reply.getBody().getZone().getZone());
          snapshot.records = schema::fromSchema(reply.getBody().getZone().getRecords());
          x->send(200, dns::renderZoneFile(snapshot, zoneFileSettings_), {}, kZoneFileType);
        });
  }
  // The current version, rendered from the store with the same function and
  // settings as every deployed version, in pages (zone_pages.h): what the
  // nameservers serve once the zone's deployment status says they are in sync.
  exportCurrentZone(calls_, x, zoneUuid, zoneFileSettings_);
}

// GET .../changes/: the zone's events, newest first, paged like every list.
void ZonesHandler::changes(const ExchangePtr& x, const ApiRequest& req) {
  auto uuid = pathUuid(req);
  auto page = parsePage(req.query("page"), req.query("page_size"));
  if (!uuid) return x->fail(notFound("zone"));
  if (!page) return x->fail(page.error());
  const Page p = *page;
  const std::string zoneUuid = *uuid;
  calls_.query(
      x,
      [&](schema::Query::Builder q) {
        auto body = q.getBody().initZoneChanges();
        body.setZoneUuid(zoneUuid);
        body.setOffset(p.offset());
        body.setLimit(p.size);
      },
      [x, p, zoneUuid](schema::Reply::Reader reply) {
        if (!reply.getBody().isEvents()) {
          return x->fail(internalError("the store answered zoneChanges with another body"));
        }
        auto events = reply.getBody().getEvents();
        x->send(200, renderChangeList(events.getItems()),
                listHeaders(zoneUrl(zoneUuid) + "changes/", {}, p, events.getTotal()));
      });
}

void ZonesHandler::remove(const ExchangePtr& x, const ApiRequest& req) {
  auto uuid = pathUuid(req);
  if (!uuid) return x->fail(notFound("zone"));
  auto wait = ChangesHandler::waitOf(req);
  if (!wait) return x->fail(wait.error());
  auto pre = parseIfMatch(req.header("if-match"));
  if (!pre) return x->fail(pre.error());
  calls_.command(
      x,
      [&](schema::Command::Builder c) {
        c.getBody().setDeleteZone(*uuid);
        fillPrecondition(*pre, c);
      },
      [this, x, zoneUuid = *uuid, w = *wait](schema::Reply::Reader reply) {
        cache_.erase(zoneUuid);
        changes_.answerWrite(x, {204, "", {}, commitOf(reply)}, w);
      });
}

}  // namespace zp::api
