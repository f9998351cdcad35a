#pragma once
// The typed calls from the HTTP handlers into the pipeline: a query to the
// store or a command to the validator on behalf of an exchange's principal,
// and the pusher's deployment status. Built on BusClient (borrowed; it must
// outlive this). Replies arrive on the BusClient thread; an error reply
// (not found, validation, unavailable, ...) answers the exchange through
// errors.h, so `onReply` sees only successful replies and runs guarded (an
// exception in it answers 503). Thread-safe: any thread may call.

#include <functional>
#include <string>

#include "pipelines/api/bus_client.h"
#include "pipelines/api/exchange.h"
#include "pipelines/api/last_used.h"
#include "schema/pipeline.capnp.h"

namespace zp::api {

class PipelineCalls {
 public:
  explicit PipelineCalls(BusClient& bus) : bus_(bus) {}

  using FillQuery = std::function<void(schema::Query::Builder)>;
  using FillCommand = std::function<void(schema::Command::Builder)>;
  using OnReply = std::function<void(schema::Reply::Reader)>;

  // A store query for ex->principal's user (and the token's scope).
  void query(const ExchangePtr& ex, const FillQuery& fill, OnReply onReply);
  // The same for `principal`, answered to `callback` whatever the outcome
  // (for a call shared by several exchanges, coalesced_calls.h).
  void queryAs(const Principal& principal, const FillQuery& fill, ReplyCallback callback);
  // A command through the validator, acting as ex->principal, with the
  // exchange's Idempotency-Key (a replayed reply marks the exchange replayed).
  void command(const ExchangePtr& ex, const FillCommand& fill, OnReply onReply);
  // The same, but `onResult` sees error replies too (a PATCH retries its
  // read-merge-write when the record changed under it); it runs guarded.
  using OnResult = std::function<void(Result<schema::Reply::Reader>)>;
  void commandResult(const ExchangePtr& ex, const FillCommand& fill, OnResult onResult);
  // The pusher's deployment status of `domain` (BusClient::submitStatus); an
  // unavailable pusher is a Result error, never an answer to the exchange.
  void status(const std::string& domain, StatusCallback callback);

  // Sends the tokens' last uses to the store (Command.tokensUsed); `then`
  // (may be null) runs when it answered, whatever the outcome: a lost report
  // loses only telemetry.
  void reportLastUses(const Principal& principal, const LastUsedTracker::Batch& batch,
                      std::function<void()> then);

  // The actor (and token scope, which the store enforces) of a command.
  static void setActor(schema::Command::Builder command, const Principal& principal);

  BusClient& bus() { return bus_; }

 private:
  BusClient& bus_;
};

}  // namespace zp::api
