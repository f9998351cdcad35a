#pragma once
// Waits until the nameservers serve a change (?wait=in_sync, commit.h). One
// background thread polls the pusher's status (BusClient::submitStatus, an
// in-memory answer of the pusher's status book) every `interval` for each
// domain somebody waits on: one query per domain per tick, however many
// requests wait on it, and none while nobody waits (no busy loop). A waiter
// is called once: with inSync true as soon as a status shows the change
// served, or false when its timeout passes first (or at flush()), with the
// last status seen (nullopt: the pusher has not answered yet).
//
// Thread-safe. Callbacks run on the BusClient thread or this one and must
// not block. Borrows the BusClient, which must outlive it.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "common/deploy/status_client.h"
#include "pipelines/api/bus_client.h"
#include "pipelines/api/commit.h"

namespace zp::api {

class SyncWaiter {
 public:
  using Done = std::function<void(const std::optional<deploy::PushStatus>& last, bool inSync)>;

  explicit SyncWaiter(BusClient& bus,
                      std::chrono::milliseconds interval = std::chrono::milliseconds(25));
  ~SyncWaiter();
  SyncWaiter(const SyncWaiter&) = delete;
  SyncWaiter& operator=(const SyncWaiter&) = delete;

  void wait(const Commit& commit, std::chrono::milliseconds timeout, Done done);
  // Calls every pending waiter now, not in sync, and every later one at once
  // (the API is shutting down).
  void flush();
  // Waiters not called yet.
  size_t pending() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace zp::api
