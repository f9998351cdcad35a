#include "pipelines/api/zone_sets_handler.h"

#include <utility>

#include "common/dns/name.h"
#include "common/dns/serial.h"
#include "common/dns/zone_import.h"
#include "common/schema/codec.h"
#include "pipelines/api/commit.h"
#include "pipelines/api/import_handler.h"
#include "pipelines/api/rollback_handler.h"

namespace zp::api {
namespace {

// The members `extra` writes, as one JSON object: an import's summary, kept
// with its Idempotency-Key (the note) so a replay answers it too.
std::string membersJson(const std::function<void(JsonWriter&)>& extra) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  extra(writer);
  writer.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

// Writes the members of the JSON object `json` (from membersJson); nothing
// for an empty note.
std::function<void(JsonWriter&)> membersFrom(capnp::Data::Reader note) {
  if (note.size() == 0) return nullptr;
  return [json = std::string(note.asChars().begin(), note.size())](JsonWriter& w) {
    auto doc = parseObject(json);
    if (!doc) return;
    for (const auto& m : doc->GetObject()) {
      writeKey(w, {m.name.GetString(), m.name.GetStringLength()});
      m.value.Accept(w);
    }
  };
}

}  // namespace

Result<ZoneSetsHandler::SetOptions> ZoneSetsHandler::optionsOf(const ApiRequest& req) {
  auto dryRun = parseDryRun(req.query("dry_run"));
  if (!dryRun) return dryRun.error();
  auto pre = parseIfMatch(req.header("if-match"));
  if (!pre) return pre.error();
  auto wait = ChangesHandler::waitOf(req);
  if (!wait) return wait.error();
  return SetOptions{*dryRun, std::move(pre).value(), *wait};
}

void ZoneSetsHandler::applyChangeSet(const ExchangePtr& x, const ApiRequest& req) {
  auto uuid = pathUuid(req);
  if (!uuid) return x->fail(notFound("zone"));
  auto opts = optionsOf(req);
  if (!opts) return x->fail(opts.error());
  if (!gate_.bodyFits(x, req.body)) return;
  auto items = decodeChangeSetBody(req.body);
  if (!items) return x->fail(items.error());
  send(x, *uuid, *items, *opts);
}

void ZoneSetsHandler::send(const ExchangePtr& x, const std::string& zoneUuid,
                           const std::vector<ChangeItem>& items, const SetOptions& opts,
                           std::function<void(JsonWriter&)> extra) {
  if (auto refused = checkActions(x->principal->permissions, items)) return x->fail(*refused);
  if (extra && x->idempotency) x->idempotencyNote = membersJson(extra);
  calls_.command(
      x,
      [&](schema::Command::Builder c) {
        fillChangeSet(zoneUuid, items, opts.dry, c);
        fillPrecondition(opts.pre, c);
      },
      [this, x, opts, zoneUuid, extra = std::move(extra)](schema::Reply::Reader reply) {
        // A replayed reply carries the first request's summary as its note.
        answerSet(x, zoneUuid, opts,
                  reply.getReplayed() ? membersFrom(reply.getIdempotencyNote()) : extra, reply);
      });
}

// 200 for a dry run; else 201 with the zone's new ETag and the set's
// change_id, once in sync when asked (ChangesHandler::answerWrite: the set's
// last event stands for it).
void ZoneSetsHandler::answerSet(const ExchangePtr& x, const std::string& zoneUuid,
                                const SetOptions& opts,
                                const std::function<void(JsonWriter&)>& extra,
                                schema::Reply::Reader reply) {
  if (opts.dry) {
    auto answer = changeSetBody(reply, true, extra);
    if (!answer) return x->fail(answer.error());
    return x->send(200, *answer);
  }
  const std::optional<Commit> commit = commitOf(reply);
  auto withId = [&](JsonWriter& w) {
    if (extra) extra(w);
    if (commit) {
      writeKey(w, "change_id");
      w.Uint64(commit->changeId);
    }
  };
  auto answer = changeSetBody(reply, false, withId);
  if (!answer) return x->fail(answer.error());
  cache_.erase(zoneUuid);
  WriteAnswer write{201,
                    std::move(answer).value(),
                    {{"ETag", etagOf(reply.getBody().getChangeSet().getZone().getSerial())}},
                    commit};
  write.bodyHasCommit = true;  // zone_serial and change_id are in it already
  changes_.answerWrite(x, std::move(write), opts.wait);
}

// A rollback or import reads the zone before it writes, so a retry would
// find nothing left to do: with an Idempotency-Key the store's stored reply
// is asked for first, and answered as the set it stands for.
void ZoneSetsHandler::replayedOr(const ExchangePtr& x, const std::string& zoneUuid,
                                 const SetOptions& opts, std::function<void()> otherwise) {
  if (!x->idempotency || opts.dry) return otherwise();
  calls_.query(
      x,
      [&](schema::Query::Builder q) {
        auto key = q.getBody().initIdempotentReply();
        key.setKey(x->idempotency->key);
        key.setRequestHash(
            kj::arrayPtr(reinterpret_cast<const kj::byte*>(x->idempotency->requestHash.data()),
                         x->idempotency->requestHash.size()));
      },
      [this, x, zoneUuid, opts, otherwise = std::move(otherwise)](schema::Reply::Reader reply) {
        if (!reply.getReplayed()) return otherwise();
        if (!reply.getBody().isChangeSet()) {
          return x->fail(internalError("an Idempotency-Key's stored reply is not a change set"));
        }
        x->replayed = true;
        answerSet(x, zoneUuid, opts, membersFrom(reply.getIdempotencyNote()), reply);
      });
}

// The zone at the serial, the zone now, their difference as one change set.
void ZoneSetsHandler::rollback(const ExchangePtr& x, const ApiRequest& req) {
  auto uuid = pathUuid(req);
  if (!uuid) return x->fail(notFound("zone"));
  auto opts = optionsOf(req);
  if (!opts) return x->fail(opts.error());
  if (!gate_.bodyFits(x, req.body)) return;
  auto serial = decodeRollbackBody(req.body);
  if (!serial) return x->fail(serial.error());
  replayedOr(x, *uuid, *opts, [this, x, zoneUuid = *uuid, opts = *opts, serial = *serial] {
    rollbackNow(x, zoneUuid, opts, serial);
  });
}

void ZoneSetsHandler::rollbackNow(const ExchangePtr& x, const std::string& zoneUuid,
                                  const SetOptions& opts, uint32_t serial) {
  calls_.query(
      x,
      [&](schema::Query::Builder q) {
        auto g = q.getBody().initZoneAt();
        g.setZoneUuid(zoneUuid);
        g.setSerial(serial);
      },
      [this, x, zoneUuid, opts](schema::Reply::Reader then) {
        if (!then.getBody().isZone()) {
          return x->fail(internalError("the store answered zoneAt with another body"));
        }
        auto target = schema::fromSchema(then.getBody().getZone().getRecords());
        auto domain =
            dns::DnsName::parseZoneDomain(then.getBody().getZone().getZone().getDomain().cStr());
        if (!domain) return x->fail(internalError("a stored zone domain does not parse"));
        calls_.query(
            x, [&](schema::Query::Builder q) { q.getBody().setGetZone(zoneUuid); },
            [this, x, zoneUuid, opts, target = std::move(target),
             name = *domain](schema::Reply::Reader now) {
              if (!now.getBody().isZone()) {
                return x->fail(internalError("the store answered getZone with another body"));
              }
              const auto current = schema::fromSchema(now.getBody().getZone().getRecords());
              const auto items = rollbackChanges(current, target, name);
              if (items.empty()) {
                const dns::Zone zone = schema::fromSchema(now.getBody().getZone().getZone());
                if (auto stale = checkIfMatch(opts.pre, zone.serial, "zone")) {
                  return x->fail(*stale);
                }
                return x->send(200, unchangedBody(zoneUuid, dns::soaSerialOf(zone),
                                                  zone.recordCount, opts.dry));
              }
              send(x, zoneUuid, items, opts);
            });
      });
}

// The zone file against the zone now, as one change set.
void ZoneSetsHandler::import(const ExchangePtr& x, const ApiRequest& req) {
  auto uuid = pathUuid(req);
  if (!uuid) return x->fail(notFound("zone"));
  auto opts = optionsOf(req);
  if (!opts) return x->fail(opts.error());
  auto mode = parseImportMode(req.query("mode"));
  if (!mode) return x->fail(mode.error());
  if (!gate_.bodyFits(x, req.body)) return;
  replayedOr(x, *uuid, *opts,
             [this, x, zoneUuid = *uuid, opts = *opts, how = *mode, body = req.body] {
               importNow(x, zoneUuid, opts, how, body);
             });
}

void ZoneSetsHandler::importNow(const ExchangePtr& x, const std::string& zoneUuid,
                                const SetOptions& opts, ImportMode how, const std::string& body) {
  calls_.query(
      x, [&](schema::Query::Builder q) { q.getBody().setGetZone(zoneUuid); },
      [this, x, zoneUuid, opts, how, body](schema::Reply::Reader now) {
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
          if (auto stale = checkIfMatch(opts.pre, zone.serial, "zone")) return x->fail(*stale);
          return x->send(200, unchangedBody(zoneUuid, dns::soaSerialOf(zone), zone.recordCount,
                                            opts.dry, extra));
        }
        send(x, zoneUuid, plan->items, opts, extra);
      });
}

}  // namespace zp::api
