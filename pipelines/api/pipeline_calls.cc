#include "pipelines/api/pipeline_calls.h"

#include <spdlog/spdlog.h>

#include "common/schema/codec.h"

namespace zp::api {

void PipelineCalls::setActor(schema::Command::Builder command, const Principal& principal) {
  auto actor = command.initActor();
  actor.setUserId(principal.userId);
  actor.setTokenId(principal.tokenId);
  // The store enforces the token's zones, record types and names.
  if (!principal.scope.unlimited()) schema::toSchema(principal.scope, command.initScope());
}

void PipelineCalls::reportLastUses(const Principal& principal, const LastUsedTracker::Batch& batch,
                                   std::function<void()> then) {
  if (batch.empty()) {
    if (then) then();
    return;
  }
  capnp::MallocMessageBuilder message;
  auto c = message.initRoot<schema::Command>();
  setActor(c, principal);
  auto list = c.getBody().initTokensUsed(static_cast<unsigned>(batch.size()));
  for (unsigned i = 0; i < batch.size(); ++i) {
    list[i].setId(batch[i].first);
    list[i].setTime(batch[i].second);
  }
  bus_.submitCommand(message, [then = std::move(then)](Result<schema::Reply::Reader> r) {
    if (!r) spdlog::warn("could not record tokens' last use: {}", r.error().detail);
    if (then) then();
  });
}

void PipelineCalls::queryAs(const Principal& principal, const FillQuery& fill,
                            ReplyCallback callback) {
  capnp::MallocMessageBuilder message;
  auto q = message.initRoot<schema::Query>();
  q.setUserId(principal.userId);
  if (!principal.scope.unlimited()) schema::toSchema(principal.scope, q.initScope());
  fill(q);
  bus_.submitQuery(message, std::move(callback));
}

void PipelineCalls::query(const ExchangePtr& ex, const FillQuery& fill, OnReply onReply) {
  queryAs(*ex->principal, fill,
          [ex, onReply = std::move(onReply)](Result<schema::Reply::Reader> r) {
            guarded(ex, [&] {
              if (!r) return ex->fail(r.error());
              onReply(*r);
            });
          });
}

void PipelineCalls::command(const ExchangePtr& ex, const FillCommand& fill, OnReply onReply) {
  commandResult(ex, fill, [ex, onReply = std::move(onReply)](Result<schema::Reply::Reader> r) {
    if (!r) return ex->fail(r.error());
    onReply(*r);
  });
}

void PipelineCalls::commandResult(const ExchangePtr& ex, const FillCommand& fill,
                                  OnResult onResult) {
  capnp::MallocMessageBuilder message;
  auto c = message.initRoot<schema::Command>();
  setActor(c, *ex->principal);
  fill(c);
  if (ex->idempotency && !c.getDryRun()) fillIdempotency(*ex->idempotency, ex->idempotencyNote, c);
  bus_.submitCommand(message,
                     [ex, onResult = std::move(onResult)](Result<schema::Reply::Reader> r) {
                       guarded(ex, [&] {
                         if (r && r->getReplayed()) ex->replayed = true;
                         onResult(std::move(r));
                       });
                     });
}

void PipelineCalls::status(const std::string& domain, StatusCallback callback) {
  bus_.submitStatus(domain, std::move(callback));
}

}  // namespace zp::api
