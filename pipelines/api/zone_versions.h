#pragma once
// The API's view of which zone versions are current, kept from the store's
// event stream (store.events, the same PUB the renderer follows), so a zone
// read whose cached body is current is answered without asking the store.
//
// What it knows: the events it received without a gap since its epoch began
// (seq `start` .. `applied`), and for each zone touched by them the seq of
// the last one (a deletion included). A cached zone body at version `serial`
// (the seq of the zone's last event when the store answered) is current when
//   - it was fetched with a query sent during the current epoch: the store's
//     head was then >= start, so every later event is in the epoch;
//   - no event of the epoch touched the zone after `serial`;
//   - `applied` has reached every commit this API process acknowledged (a
//     client that got a 201 or 204 from this process and then reads through
//     it always sees its write: read-your-writes per API process).
// Writes acknowledged by ANOTHER API process are seen once their event
// arrives here (sub-millisecond on one machine). If events stop arriving (a
// link to the store down), the caller stops trusting the mirror after
// kTrustWindow without an event, unless the store itself confirmed the
// version within that window: a read is then at most that old.
//
// A gap in the seqs (a dropped PUB frame: ZeroMQ drops at the subscriber's
// high-water mark), a seq going backwards or `reset` starts a new epoch: every
// cached body fetched before it is unproven until the store confirms it
// again. Epoch 0 means no event yet: nothing is current.
//
// Memory: one entry per zone touched since the epoch began (deleted zones
// included, so a body fetched before a deletion is never served after it).
// Thread-safe: events and acknowledgements arrive on the BusClient thread,
// checks come from the HTTP threads (one mutex, held for a map operation).

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "pipelines/api/string_map.h"

namespace zp::api {

class ZoneVersions {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kTrustWindow{1000};

  // One event of the log, in the order received. `zoneUuid` is empty for
  // token and user events (they only advance `applied`).
  void applyEvent(uint64_t seq, std::string_view zoneUuid);
  // A commit this process answered (Reply.change's seq).
  void acknowledged(uint64_t seq);
  // Forgets everything (a new epoch that starts at the next event).
  void reset();

  // The epoch a query sent now belongs to (0: none yet).
  uint64_t epoch() const;
  // Whether a body of `zoneUuid` at `serial`, fetched by a query sent in
  // `fetchedEpoch`, is the zone's current version (see above).
  bool current(std::string_view zoneUuid, uint64_t serial, uint64_t fetchedEpoch) const;

  // Whether an event arrived at or after `since`.
  bool eventSince(Clock::time_point since) const;

  uint64_t applied() const;
  size_t zonesTracked() const;

 private:
  void startEpoch(uint64_t seq);  // mutex_ held

  mutable std::mutex mutex_;
  uint64_t epoch_ = 0;
  bool waitingForStart_ = true;  // the next event starts epoch_ + 1
  uint64_t applied_ = 0;
  uint64_t acknowledged_ = 0;
  Clock::time_point lastEventAt_{};
  StringMap<uint64_t> lastChange_;
};

}  // namespace zp::api
