#include "pipelines/api/acme_handler.h"

#include <utility>
#include <vector>

#include "common/schema/codec.h"
#include "pipelines/api/record_filters.h"

namespace zp::api {

void AcmeHandler::withZone(const ExchangePtr& x, const ApiRequest& req,
                           std::function<void(OutcomePtr)> then) {
  if (!gate_.bodyFits(x, req.body)) return;
  auto challenge = decodeAcmeChallenge(req.body);
  if (!challenge) return x->fail(challenge.error());
  auto candidates = zonesThatMayHold(challenge->fqdn, "fqdn");
  if (!candidates) return x->fail(candidates.error());
  auto outcome = std::make_shared<AcmeOutcome>();
  outcome->challenge = std::move(challenge).value();
  lookup_.find(x, std::move(candidates).value(),
               [x, outcome, then = std::move(then)](std::optional<dns::Zone> zone) {
                 if (!zone) {
                   return x->fail({ErrorKind::kNotFound, "fqdn",
                                   "none of your zones holds " + outcome->challenge.fqdn +
                                       "; create the zone first (or check the token's zones "
                                       "scope)"});
                 }
                 outcome->zoneUuid = zone->uuid;
                 outcome->domain = zone->domain;
                 outcome->zoneSerial = dns::soaSerialOf(*zone);
                 then(outcome);
               });
}

void AcmeHandler::listTxt(const ExchangePtr& x, const OutcomePtr& outcome, bool sameValueOnly,
                          std::function<void(std::vector<dns::Record>)> then) {
  RecordListFilter filter;
  filter.zone = outcome->zoneUuid;
  filter.type = "TXT";
  filter.name = outcome->challenge.fqdn;
  filter.nameIsAbsolute = true;
  if (sameValueOnly) filter.value = outcome->challenge.value;
  calls_.query(
      x,
      [&](schema::Query::Builder q) {
        auto body = q.getBody().initListRecords();
        body.setZoneUuid(filter.zone);
        body.setRecordType(filter.type);
        body.setOffset(0);
        body.setLimit(1000);
        filter.toSchema(body.initFilter());
      },
      [x, then = std::move(then)](schema::Reply::Reader reply) {
        if (!reply.getBody().isRecords()) {
          return x->fail(internalError("the store answered listRecords with another body"));
        }
        then(schema::fromSchema(reply.getBody().getRecords().getItems()));
      });
}

void AcmeHandler::present(const ExchangePtr& x, const ApiRequest& req) {
  withZone(x, req, [this, x](OutcomePtr outcome) {
    listTxt(x, outcome, false, [this, x, outcome](std::vector<dns::Record> rrset) {
      for (const auto& record : rrset) {
        if (record.data.value != outcome->challenge.value) continue;
        // Already there (a retried present): answer once the zone's current
        // version, which holds it, is served.
        outcome->records.push_back(record.uuid);
        const Commit current{0, outcome->zoneSerial, outcome->zoneUuid, outcome->domain};
        return answerWhenServed(x, outcome, current, 200, false);
      }
      // One TTL per RRset (RFC 2181 5.2): join the one already at this name.
      create(x, outcome, rrset.empty() ? kAcmeTtlS : rrset.front().data.ttl);
    });
  });
}

void AcmeHandler::create(const ExchangePtr& x, const OutcomePtr& outcome, int64_t ttl) {
  dns::RecordInput input;
  input.type = "TXT";
  input.name = relativeName(outcome->challenge.fqdn, outcome->domain);
  input.value = outcome->challenge.value;
  input.ttl = ttl;
  calls_.command(
      x,
      [&](schema::Command::Builder c) {
        auto group = c.getBody().initCreateRecord();
        group.setZoneUuid(outcome->zoneUuid);
        schema::toSchema(input, group.initInput());
      },
      [this, x, outcome](schema::Reply::Reader reply) {
        const auto commit = commitOf(reply);
        if (!reply.getBody().isRecord() || !commit) {
          return x->fail(internalError("the pipeline answered createRecord with another body"));
        }
        outcome->records.push_back(reply.getBody().getRecord().getUuid());
        outcome->changeId = commit->changeId;
        answerWhenServed(x, outcome, *commit, 201, false);
      });
}

void AcmeHandler::cleanup(const ExchangePtr& x, const ApiRequest& req) {
  withZone(x, req, [this, x](OutcomePtr outcome) {
    listTxt(x, outcome, true, [this, x, outcome](std::vector<dns::Record> mine) {
      // The filter is exact, but only this value is ever removed.
      std::erase_if(mine,
                    [&](const dns::Record& r) { return r.data.value != outcome->challenge.value; });
      if (mine.empty()) return x->send(200, renderAcmeOutcome(*outcome));
      // (name, type, value) is unique in a zone: one record.
      const std::string uuid = mine.front().uuid;
      calls_.command(
          x, [&](schema::Command::Builder c) { c.getBody().setDeleteRecord(uuid); },
          [this, x, outcome, uuid](schema::Reply::Reader reply) {
            const auto commit = commitOf(reply);
            if (!commit) {
              return x->fail(internalError("the pipeline answered deleteRecord without a change"));
            }
            outcome->records.push_back(uuid);
            outcome->changeId = commit->changeId;
            answerWhenServed(x, outcome, *commit, 200, true);
          });
    });
  });
}

void AcmeHandler::answerWhenServed(const ExchangePtr& x, const OutcomePtr& outcome,
                                   const Commit& commit, int status, bool removal) {
  outcome->zoneSerial = commit.zoneSerial;
  waiter_.wait(commit, kAcmeWaitMs,
               [x, outcome, commit, status, removal](const std::optional<deploy::PushStatus>& last,
                                                     bool inSync) {
                 guarded(x, [&] {
                   if (inSync) return x->send(status, renderAcmeOutcome(*outcome));
                   x->fail({ErrorKind::kUnavailable, "",
                            notInSyncDetail(commit, last, kAcmeWaitMs, removal)});
                 });
               });
}

}  // namespace zp::api
