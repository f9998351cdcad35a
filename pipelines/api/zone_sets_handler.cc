#include "pipelines/api/zone_sets_handler.h"

#include <utility>

#include "common/dns/name.h"
#include "common/dns/serial.h"
#include "common/dns/zone_import.h"
#include "common/schema/codec.h"
#include "pipelines/api/import_handler.h"
#include "pipelines/api/rollback_handler.h"

namespace zp::api {

void ZoneSetsHandler::applyChangeSet(const ExchangePtr& x, const ApiRequest& req) {
  auto uuid = pathUuid(req);
  if (!uuid) return x->fail(notFound("zone"));
  auto dryRun = parseDryRun(req.query("dry_run"));
  if (!dryRun) return x->fail(dryRun.error());
  if (!gate_.bodyFits(x, req.body)) return;
  auto items = decodeChangeSetBody(req.body);
  if (!items) return x->fail(items.error());
  send(x, *uuid, *items, *dryRun);
}

void ZoneSetsHandler::send(const ExchangePtr& x, const std::string& zoneUuid,
                           const std::vector<ChangeItem>& items, bool dry,
                           std::function<void(JsonWriter&)> extra) {
  if (auto refused = checkActions(x->principal->permissions, items)) return x->fail(*refused);
  calls_.command(
      x, [&](schema::Command::Builder c) { fillChangeSet(zoneUuid, items, dry, c); },
      [this, x, dry, zoneUuid, extra = std::move(extra)](schema::Reply::Reader reply) {
        auto answer = changeSetBody(reply, dry, extra);
        if (!answer) return x->fail(answer.error());
        if (!dry) cache_.erase(zoneUuid);
        x->send(dry ? 200 : 201, *answer);
      });
}

// The zone at the serial, the zone now, their difference as one change set.
void ZoneSetsHandler::rollback(const ExchangePtr& x, const ApiRequest& req) {
  auto uuid = pathUuid(req);
  if (!uuid) return x->fail(notFound("zone"));
  auto dryRun = parseDryRun(req.query("dry_run"));
  if (!dryRun) return x->fail(dryRun.error());
  if (!gate_.bodyFits(x, req.body)) return;
  auto serial = decodeRollbackBody(req.body);
  if (!serial) return x->fail(serial.error());
  const std::string zoneUuid = *uuid;
  const bool dry = *dryRun;
  calls_.query(
      x,
      [&](schema::Query::Builder q) {
        auto g = q.getBody().initZoneAt();
        g.setZoneUuid(zoneUuid);
        g.setSerial(*serial);
      },
      [this, x, zoneUuid, dry](schema::Reply::Reader then) {
        if (!then.getBody().isZone()) {
          return x->fail(internalError("the store answered zoneAt with another body"));
        }
        auto target = schema::fromSchema(then.getBody().getZone().getRecords());
        auto domain =
            dns::DnsName::parseZoneDomain(then.getBody().getZone().getZone().getDomain().cStr());
        if (!domain) return x->fail(internalError("a stored zone domain does not parse"));
        calls_.query(
            x, [&](schema::Query::Builder q) { q.getBody().setGetZone(zoneUuid); },
            [this, x, zoneUuid, dry, target = std::move(target),
             name = *domain](schema::Reply::Reader now) {
              if (!now.getBody().isZone()) {
                return x->fail(internalError("the store answered getZone with another body"));
              }
              const auto current = schema::fromSchema(now.getBody().getZone().getRecords());
              const auto items = rollbackChanges(current, target, name);
              if (items.empty()) {
                const dns::Zone zone = schema::fromSchema(now.getBody().getZone().getZone());
                return x->send(
                    200, unchangedBody(zoneUuid, dns::soaSerialOf(zone), zone.recordCount, dry));
              }
              send(x, zoneUuid, items, dry);
            });
      });
}

// The zone file against the zone now, as one change set.
void ZoneSetsHandler::import(const ExchangePtr& x, const ApiRequest& req) {
  auto uuid = pathUuid(req);
  if (!uuid) return x->fail(notFound("zone"));
  auto dryRun = parseDryRun(req.query("dry_run"));
  if (!dryRun) return x->fail(dryRun.error());
  auto mode = parseImportMode(req.query("mode"));
  if (!mode) return x->fail(mode.error());
  if (!gate_.bodyFits(x, req.body)) return;
  const std::string zoneUuid = *uuid;
  const bool dry = *dryRun;
  const ImportMode how = *mode;
  calls_.query(
      x, [&](schema::Query::Builder q) { q.getBody().setGetZone(zoneUuid); },
      [this, x, zoneUuid, dry, how, body = req.body](schema::Reply::Reader now) {
        if (!now.getBody().isZone()) {
          return x->fail(internalError("the store answered getZone with another body"));
        }
        const dns::Zone zone = schema::fromSchema(now.getBody().getZone().getZone());
        auto name = dns::DnsName::parseZoneDomain(zone.domain);
        if (!name) return x->fail(internalError("a stored zone domain does not parse"));
        auto file = dns::parseZoneFile(body, zone.domain);
        if (!file) return x->fail(file.error());
        const auto current = schema::fromSchema(now.getBody().getZone().getRecords());
        auto plan = planImport(*file, current, *name, how);
        if (!plan) return x->fail(plan.error());
        auto extra = [plan = *plan, skipped = file->skipped](JsonWriter& w) {
          writeImportSummary(w, plan, skipped);
        };
        if (plan->items.empty()) {
          return x->send(
              200, unchangedBody(zoneUuid, dns::soaSerialOf(zone), zone.recordCount, dry, extra));
        }
        send(x, zoneUuid, plan->items, dry, extra);
      });
}

}  // namespace zp::api
