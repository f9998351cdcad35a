#pragma once
// Asking the pusher what the nameservers serve for one zone (for the API's
// zone detail `nameservers` and GET /dns-zones/{uuid}/export, and for tests).
// The socket form uses a DEALER connected to the pusher's `push.status`
// endpoint that the caller owns (one thread); replies to other requests on
// it are skipped. Expected failures are values: kUnavailable when the pusher
// does not answer within `timeout`. Never throws for what the pusher sends.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "common/util/result.h"
#include "schema/pipeline.capnp.h"

namespace zp::deploy {

struct NameserverState {
  std::string name;
  std::string address;
  bool answered = false;
  uint32_t serial = 0;  // what it answers with (when answered)
  bool inSync = false;
  std::string detail;  // why not in sync
};

struct PushStatus {
  bool known = false;  // false: not deployed (yet), or removed
  uint64_t deployedSerial = 0;
  uint64_t wantedSerial = 0;
  std::vector<NameserverState> nameservers;
  std::string lastError;
  uint64_t reloads = 0;
  uint64_t totalReloads = 0;
};

// Sends a StatusQuery on `dealer` and waits for its reply.
// A StatusReply as the owning struct (for callers that own their sockets, such
// as the API's BusClient).
PushStatus decodeStatus(schema::StatusReply::Reader reply);

Result<PushStatus> queryPushStatus(zmq::socket_t& dealer, const std::string& domain,
                                   std::chrono::milliseconds timeout);
// The same over a fresh DEALER connected to `endpoint` (closed afterwards).
Result<PushStatus> queryPushStatus(zmq::context_t& ctx, const std::string& endpoint,
                                   const std::string& domain, std::chrono::milliseconds timeout);

}  // namespace zp::deploy
