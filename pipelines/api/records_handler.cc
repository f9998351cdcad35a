#include "pipelines/api/records_handler.h"

#include <memory>
#include <utility>

#include "common/dns/record_type.h"
#include "common/schema/codec.h"
#include "common/util/ids.h"
#include "pipelines/api/preconditions.h"
#include "pipelines/api/query_string.h"
#include "pipelines/api/record_filters.h"
#include "pipelines/api/record_merge.h"
#include "pipelines/api/request_body.h"
#include "pipelines/api/resource_json.h"
#include "pipelines/api/routes.h"

namespace zp::api {

void RecordsHandler::sendList(const ExchangePtr& x, schema::Reply::Reader reply,
                              const std::string& path, std::span<const QueryParam> filters,
                              const Page& p) {
  if (!reply.getBody().isRecords()) {
    return x->fail(internalError("the store answered listRecords with another body"));
  }
  auto records = reply.getBody().getRecords();
  const auto items = schema::fromSchema(records.getItems());
  x->send(200, renderRecordList(items), listHeaders(path, filters, p, records.getTotal()));
}

void RecordsHandler::listInZone(const ExchangePtr& x, const ApiRequest& req) {
  auto uuid = pathUuid(req);
  if (!uuid) return x->fail(notFound("zone"));
  auto filter = parseRecordFilters(req, false);
  if (!filter) return x->fail(filter.error());
  RecordListFilter f = std::move(filter).value();
  f.zone = *uuid;
  sendFiltered(x, req, std::move(f), zoneUrl(*uuid) + "records/");
}

void RecordsHandler::create(const ExchangePtr& x, const ApiRequest& req) {
  auto uuid = pathUuid(req);
  if (!uuid) return x->fail(notFound("zone"));
  if (!gate_.bodyFits(x, req.body)) return;
  auto input = decodeRecordBody(req.body);
  if (!input) return x->fail(input.error());
  auto wait = ChangesHandler::waitOf(req);
  if (!wait) return x->fail(wait.error());
  auto pre = parseCreatePreconditions(req.header("if-match"), req.header("if-none-match"));
  if (!pre) return x->fail(pre.error());
  calls_.command(
      x,
      [&](schema::Command::Builder c) {
        auto group = c.getBody().initCreateRecord();
        group.setZoneUuid(*uuid);
        schema::toSchema(*input, group.initInput());
        fillPrecondition(*pre, c);
      },
      [this, x, w = *wait](schema::Reply::Reader reply) {
        if (!reply.getBody().isRecord()) {
          return x->fail(internalError("the pipeline answered createRecord with another body"));
        }
        const dns::Record record = schema::fromSchema(reply.getBody().getRecord());
        changes_.answerWrite(
            x,
            {201,
             renderRecord(record),
             {{"Location", recordUrl(record.uuid)}, {"ETag", etagOf(record.version)}},
             commitOf(reply)},
            w);
      });
}

void RecordsHandler::list(const ExchangePtr& x, const ApiRequest& req) {
  auto filter = parseRecordFilters(req, true);
  if (!filter) return x->fail(filter.error());
  sendFiltered(x, req, std::move(filter).value(), std::string(kRecordsPath));
}

void RecordsHandler::sendFiltered(const ExchangePtr& x, const ApiRequest& req,
                                  RecordListFilter filter, const std::string& path) {
  auto page = parsePage(req.query("page"), req.query("page_size"));
  if (!page) return x->fail(page.error());
  const Page p = *page;
  auto f = std::make_shared<const RecordListFilter>(std::move(filter));
  calls_.query(
      x,
      [&](schema::Query::Builder q) {
        auto body = q.getBody().initListRecords();
        body.setZoneUuid(f->zone);
        body.setRecordType(f->type);
        body.setOffset(p.offset());
        body.setLimit(p.size);
        if (f->hasRecordFilter()) f->toSchema(body.initFilter());
      },
      [this, x, p, f, path](schema::Reply::Reader reply) {
        // The zone's own list names no zone in its links (it is in the path).
        auto params = f->linkParams();
        if (path != kRecordsPath) params.erase(params.begin());
        sendList(x, reply, path, params, p);
      });
}

void RecordsHandler::get(const ExchangePtr& x, const ApiRequest& req) {
  auto uuid = pathUuid(req);
  if (!uuid) return x->fail(notFound("record"));
  calls_.query(
      x, [&](schema::Query::Builder q) { q.getBody().setGetRecord(*uuid); },
      [x](schema::Reply::Reader reply) {
        if (!reply.getBody().isRecord()) {
          return x->fail(internalError("the store answered getRecord with another body"));
        }
        const dns::Record record = schema::fromSchema(reply.getBody().getRecord());
        x->send(200, renderRecord(record), {{"ETag", etagOf(record.version)}});
      });
}

void RecordsHandler::remove(const ExchangePtr& x, const ApiRequest& req) {
  auto uuid = pathUuid(req);
  if (!uuid) return x->fail(notFound("record"));
  auto wait = ChangesHandler::waitOf(req);
  if (!wait) return x->fail(wait.error());
  auto pre = parseIfMatch(req.header("if-match"));
  if (!pre) return x->fail(pre.error());
  calls_.command(
      x,
      [&](schema::Command::Builder c) {
        c.getBody().setDeleteRecord(*uuid);
        fillPrecondition(*pre, c);
      },
      [this, x, w = *wait](schema::Reply::Reader reply) {
        changes_.answerWrite(x, {204, "", {}, commitOf(reply)}, w);
      });
}

// Sends the whole record as Command.updateRecord under `pre` and answers 200
// with the stored result (PUT, and PATCH after the merge). `onStale` (PATCH
// without If-Match) takes a 412 instead of the client: the record changed
// between the merge's read and this write.
void RecordsHandler::sendUpdate(const ExchangePtr& x, const std::string& recordUuid,
                                const dns::RecordInput& input, const Preconditions& pre,
                                WaitOption wait, std::function<void()> onStale) {
  calls_.commandResult(
      x,
      [&](schema::Command::Builder c) {
        auto group = c.getBody().initUpdateRecord();
        group.setRecordUuid(recordUuid);
        schema::toSchema(input, group.initInput());
        fillPrecondition(pre, c);
      },
      [this, x, wait, onStale = std::move(onStale)](Result<schema::Reply::Reader> result) {
        if (!result) {
          if (onStale && result.error().kind == ErrorKind::kPreconditionFailed) return onStale();
          return x->fail(result.error());
        }
        const schema::Reply::Reader reply = *result;
        if (!reply.getBody().isRecord()) {
          return x->fail(internalError("the pipeline answered updateRecord with another body"));
        }
        const dns::Record record = schema::fromSchema(reply.getBody().getRecord());
        changes_.answerWrite(
            x, {200, renderRecord(record), {{"ETag", etagOf(record.version)}}, commitOf(reply)},
            wait);
      });
}

void RecordsHandler::replace(const ExchangePtr& x, const ApiRequest& req) {
  auto uuid = pathUuid(req);
  if (!uuid) return x->fail(notFound("record"));
  if (!gate_.bodyFits(x, req.body)) return;
  auto input = decodeRecordBody(req.body);
  if (!input) return x->fail(input.error());
  auto wait = ChangesHandler::waitOf(req);
  if (!wait) return x->fail(wait.error());
  auto pre = parseIfMatch(req.header("if-match"));
  if (!pre) return x->fail(pre.error());
  sendUpdate(x, *uuid, *input, *pre, *wait, nullptr);
}

void RecordsHandler::patch(const ExchangePtr& x, const ApiRequest& req) {
  auto uuid = pathUuid(req);
  if (!uuid) return x->fail(notFound("record"));
  if (!gate_.bodyFits(x, req.body)) return;
  auto decoded = decodeRecordPatch(req.body);
  if (!decoded) return x->fail(decoded.error());
  auto wait = ChangesHandler::waitOf(req);
  if (!wait) return x->fail(wait.error());
  auto pre = parseIfMatch(req.header("if-match"));
  if (!pre) return x->fail(pre.error());
  auto job = std::make_shared<const PatchJob>(
      PatchJob{*uuid, std::move(decoded).value(), std::move(pre).value(), *wait});
  patchOnce(x, job, kPatchAttempts);
}

// One read-merge-write of a PATCH. The write carries the version the merge
// read as its If-Match, so the store refuses it when the record changed in
// between (no lost update); then, unless the client sent If-Match itself
// (its answer is that 412), the merge is redone on the new version, up to
// `attempts` times.
void RecordsHandler::patchOnce(const ExchangePtr& x, std::shared_ptr<const PatchJob> job,
                               int attempts) {
  calls_.query(
      x, [&](schema::Query::Builder q) { q.getBody().setGetRecord(job->recordUuid); },
      [this, x, job, attempts](schema::Reply::Reader reply) {
        if (!reply.getBody().isRecord()) {
          return x->fail(internalError("the store answered getRecord with another body"));
        }
        auto stored =
            std::make_shared<const dns::Record>(schema::fromSchema(reply.getBody().getRecord()));
        Preconditions base;
        base.ifMatch = true;
        base.versions = {stored->version};
        if (auto stale = checkIfMatch(job->pre, stored->version, "record")) {
          return x->fail(*stale);
        }
        std::function<void()> onStale;  // with the client's If-Match: its 412
        if (!job->pre.ifMatch) {
          onStale = [this, x, job, attempts] {
            if (attempts > 1) return patchOnce(x, job, attempts - 1);
            x->fail({ErrorKind::kUnavailable, "",
                     "the record changed " + std::to_string(kPatchAttempts) +
                         " times while this PATCH was being merged; retry it"});
          };
        }
        if (!mergeNeedsZoneDomain(*stored, job->patch)) {
          return sendUpdate(x, job->recordUuid, mergePatch(*stored, job->patch), base, job->wait,
                            std::move(onStale));
        }
        calls_.query(
            x, [&](schema::Query::Builder q) { q.getBody().setGetZone(stored->zoneUuid); },
            [this, x, job, stored, base, onStale](schema::Reply::Reader zoneReply) {
              if (!zoneReply.getBody().isZone()) {
                return x->fail(internalError("the store answered getZone with another body"));
              }
              const std::string domain = zoneReply.getBody().getZone().getZone().getDomain();
              sendUpdate(x, job->recordUuid, mergePatch(*stored, job->patch, domain), base,
                         job->wait, onStale);
            });
      });
}

}  // namespace zp::api
